package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * A float array in device memory. Ranges are checked here, against both sides, because JCuda
 * copies whatever byte range it is given: an out-of-range copy would corrupt memory, not throw.
 *
 * <p>Confined to the engine's thread of the moment, with the engine's context current.
 */
final class DeviceBuffer implements AutoCloseable {
  private final CUdeviceptr ptr = new CUdeviceptr();
  private final long length;

  DeviceBuffer(long length) {
    this.length = Math.max(1, length);
    long bytes = this.length * Sizeof.FLOAT;
    Cuda.check(cuMemAlloc(ptr, bytes), "cuMemAlloc of " + bytes + " bytes");
  }

  long length() {
    return length;
  }

  /** The buffer from float {@code offset} on, for kernels and cuBLAS. */
  Pointer at(long offset) {
    return offset == 0 ? ptr : ptr.withByteOffset(offset * Sizeof.FLOAT);
  }

  private CUdeviceptr range(long from, long count, long hostFrom, long hostLength) {
    checkRange(from, count, length, hostFrom, hostLength);
    return from == 0 ? ptr : ptr.withByteOffset(from * Sizeof.FLOAT);
  }

  /** Throws unless {@code count} floats fit at {@code from} of the device and host ranges. */
  static void checkRange(long from, long count, long length, long hostFrom, long hostLength) {
    if (from < 0 || count < 0 || from + count > length || hostFrom < 0
        || hostFrom + count > hostLength) {
      throw new IndexOutOfBoundsException("copy of " + count + " floats at device offset " + from
          + " (buffer of " + length + ") and host offset " + hostFrom + " (array of "
          + hostLength + ")");
    }
  }

  /** Synchronous copy from a Java array (the host waits). */
  void upload(float[] src, int from, long to, int count) {
    CUdeviceptr d = range(to, count, from, src.length);
    Cuda.check(cuMemcpyHtoD(d, Pointer.to(src).withByteOffset((long) from * Sizeof.FLOAT),
        (long) count * Sizeof.FLOAT), "cuMemcpyHtoD of " + count + " floats");
  }

  /** Synchronous copy into a Java array (the host waits). */
  void download(long from, float[] dst, int to, int count) {
    CUdeviceptr d = range(from, count, to, dst.length);
    Cuda.check(cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) to * Sizeof.FLOAT), d,
        (long) count * Sizeof.FLOAT), "cuMemcpyDtoH of " + count + " floats");
  }

  /** Queues a copy from pinned memory on {@code stream}. */
  void uploadAsync(HostBuffer src, int from, long to, int count, CUstream stream) {
    CUdeviceptr d = range(to, count, from, src.length());
    Cuda.check(cuMemcpyHtoDAsync(d, src.at(from), (long) count * Sizeof.FLOAT, stream),
        "cuMemcpyHtoDAsync of " + count + " floats");
  }

  /** Queues a copy into pinned memory on {@code stream}. */
  void downloadAsync(long from, HostBuffer dst, int to, int count, CUstream stream) {
    CUdeviceptr d = range(from, count, to, dst.length());
    Cuda.check(cuMemcpyDtoHAsync(dst.at(to), d, (long) count * Sizeof.FLOAT, stream),
        "cuMemcpyDtoHAsync of " + count + " floats");
  }

  /** Queues zeroing the whole buffer on {@code stream}. */
  void zero(CUstream stream) {
    Cuda.check(cuMemsetD32Async(ptr, 0, length, stream), "cuMemsetD32Async");
  }

  @Override
  public void close() {
    Cuda.check(cuMemFree(ptr), "cuMemFree");
  }
}
