package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.Sizeof;

/**
 * A float array in page-locked (pinned) host memory: the staging area of asynchronous copies.
 * A copy from pageable memory (a Java array) is staged by the driver and blocks the host; from
 * pinned memory it is a DMA on the engine's stream that the host does not wait for.
 *
 * <p>The host may touch the floats only while no copy from or to them is queued (the engine
 * synchronises its stream first). Confined to the engine's thread of the moment.
 */
final class HostBuffer implements AutoCloseable {
  private final Pointer ptr = new Pointer();
  private final FloatBuffer floats;
  private final int length;

  HostBuffer(int length) {
    this.length = Math.max(1, length);
    long bytes = (long) this.length * Sizeof.FLOAT;
    Cuda.check(cuMemAllocHost(ptr, bytes), "cuMemAllocHost of " + bytes + " bytes (pinned)");
    floats = ptr.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  int length() {
    return length;
  }

  /** The host memory from float {@code offset} on, for copies. */
  Pointer at(long offset) {
    return offset == 0 ? ptr : ptr.withByteOffset(offset * Sizeof.FLOAT);
  }

  /** An absolute-indexed view of the floats (no position or limit to keep track of). */
  FloatBuffer floats() {
    return floats;
  }

  @Override
  public void close() {
    Cuda.check(cuMemFreeHost(ptr), "cuMemFreeHost");
  }
}
