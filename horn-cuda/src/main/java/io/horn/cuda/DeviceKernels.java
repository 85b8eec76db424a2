package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.util.HashMap;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * Horn's kernels, loaded once from the PTX built at build time, and a small launcher that packs
 * arguments (ints, floats, device pointers) the way {@code cuLaunchKernel} wants them.
 *
 * <p>Confined to the thread that owns the CUDA context.
 */
final class DeviceKernels implements AutoCloseable {
  static final int BLOCK = 256;
  static final int MAX_BLOCKS = 4096;

  private final CUmodule module = new CUmodule();
  private final Map<String, CUfunction> functions = new HashMap<>();

  DeviceKernels(String ptx) {
    if (ptx == null) {
      throw new IllegalStateException("horn-cuda was built without its kernels (no nvcc at build"
          + " time): rebuild on a machine with the CUDA toolkit");
    }
    cuModuleLoadData(module, ptx);
  }

  private CUfunction function(String name) {
    return functions.computeIfAbsent(name, n -> {
      CUfunction f = new CUfunction();
      cuModuleGetFunction(f, module, n);
      return f;
    });
  }

  /** Launches {@code name} over {@code elements} work items with grid-stride blocks. */
  void launch(String name, long elements, Object... args) {
    int[] grid = Kernels.grid(elements, BLOCK, MAX_BLOCKS);
    launchGrid(name, grid[0], BLOCK, 0, args);
  }

  /** Threads per block for the per-column kernels (softmax, output errors): one block a column. */
  static final int COLUMN_THREADS = 128;

  /** Launches a per-column kernel: one block per column of a {@code cols}-column block. */
  void launchColumns(String name, int cols, Object... args) {
    launchGrid(name, Math.min(cols, 65_535), COLUMN_THREADS, 0, args);
  }

  /** The tiled sgemm fallback: 16 × 16 thread blocks over the tiles of C. */
  void sgemmTiled(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a,
      int lda, Pointer b, int ldb, float beta, Pointer c, int ldc) {
    int[] tiles = Kernels.tiles(m, n);
    launch2d(Kernels.SGEMM_TILED, Math.min(tiles[0], 65_535), Math.min(tiles[1], 65_535),
        new Object[] {transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c,
            ldc});
  }

  private void launch2d(String name, int gx, int gy, Object[] args) {
    cuLaunchKernel(function(name), gx, gy, 1, 16, 16, 1, 0, null, pack(name, args), null);
  }

  /** Launches {@code name} with an explicit grid, block and shared memory. */
  void launchGrid(String name, int blocks, int threads, int sharedBytes, Object... args) {
    cuLaunchKernel(function(name), blocks, 1, 1, threads, 1, 1, sharedBytes, null,
        pack(name, args), null);
  }

  private static Pointer pack(String name, Object[] args) {
    NativePointerObject[] packed = new NativePointerObject[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof Integer) {
        packed[i] = Pointer.to(new int[] {(Integer) a});
      } else if (a instanceof Float) {
        packed[i] = Pointer.to(new float[] {(Float) a});
      } else if (a instanceof Pointer) {
        packed[i] = Pointer.to((Pointer) a);
      } else {
        throw new IllegalArgumentException("kernel argument " + i + " of " + name
            + " has unsupported type " + (a == null ? "null" : a.getClass().getName()));
      }
    }
    return Pointer.to(packed);
  }

  @Override
  public void close() {
    cuModuleUnload(module);
  }
}
