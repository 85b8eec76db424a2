package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/** A float array in device memory. Confined to the thread that owns the CUDA context. */
final class DeviceBuffer implements AutoCloseable {
  private final CUdeviceptr ptr = new CUdeviceptr();
  private final long length;

  DeviceBuffer(long length) {
    this.length = Math.max(1, length);
    cuMemAlloc(ptr, this.length * Sizeof.FLOAT);
  }

  long length() {
    return length;
  }

  /** The buffer from float {@code offset} on, for kernels and cuBLAS. */
  Pointer at(long offset) {
    return offset == 0 ? ptr : ptr.withByteOffset(offset * Sizeof.FLOAT);
  }

  void upload(float[] src, int from, long to, int count) {
    cuMemcpyHtoD(ptr.withByteOffset(to * Sizeof.FLOAT), Pointer.to(src).withByteOffset(
        (long) from * Sizeof.FLOAT), (long) count * Sizeof.FLOAT);
  }

  void download(long from, float[] dst, int to, int count) {
    cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) to * Sizeof.FLOAT),
        ptr.withByteOffset(from * Sizeof.FLOAT), (long) count * Sizeof.FLOAT);
  }

  void zero() {
    cuMemsetD32(ptr, 0, length);
  }

  @Override
  public void close() {
    cuMemFree(ptr);
  }
}
