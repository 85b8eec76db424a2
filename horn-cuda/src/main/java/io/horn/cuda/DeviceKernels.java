package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * Horn's kernels, JIT-compiled once from the PTX built at build time (every kernel is looked up
 * when the module loads, so a kernel the driver cannot compile fails the engine's construction
 * with the JIT log, not a later step), and a launcher that packs arguments (ints, floats, device
 * pointers) the way {@code cuLaunchKernel} wants them and checks every launch's return code.
 *
 * <p>All launches go to one stream, the one cuBLAS uses too, so they run in the order queued.
 * Confined to the engine's thread of the moment, with the engine's context current.
 */
final class DeviceKernels implements AutoCloseable {
  static final int BLOCK = 256;
  static final int MAX_BLOCKS = 4096;
  /** Threads per block for the per-column kernels (softmax, output errors): one block a column. */
  static final int COLUMN_THREADS = 128;

  private final Cuda.Module module;
  private final CUstream stream;

  /** Loads the kernels into the current context; launches go to {@code stream}. */
  DeviceKernels(String ptx, CUstream stream) {
    this.module = Cuda.load(ptx);
    this.stream = stream;
  }

  /** What the JIT compiler reported when it compiled the module. */
  String jitLog() {
    return module.infoLog;
  }

  private CUfunction function(String name) {
    CUfunction f = module.functions.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no kernel " + name + " in horn-cuda's PTX");
    }
    return f;
  }

  /** Launches {@code name} over {@code elements} work items with grid-stride blocks. */
  void launch(String name, long elements, Object... args) {
    int[] grid = Kernels.grid(elements, BLOCK, MAX_BLOCKS);
    launchGrid(name, grid[0], BLOCK, 0, args);
  }

  /** Launches a per-column kernel: one block per column of a {@code cols}-column block. */
  void launchColumns(String name, int cols, Object... args) {
    launchGrid(name, Math.min(cols, 65_535), COLUMN_THREADS, 0, args);
  }

  /** The tiled sgemm fallback: 16 × 16 thread blocks over the tiles of C. */
  void sgemmTiled(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a,
      int lda, Pointer b, int ldb, float beta, Pointer c, int ldc) {
    int[] tiles = Kernels.tiles(m, n);
    Pointer params = pack(Kernels.SGEMM_TILED, new Object[] {transA ? 1 : 0, transB ? 1 : 0, m,
        n, k, alpha, a, lda, b, ldb, beta, c, ldc});
    Cuda.check(cuLaunchKernel(function(Kernels.SGEMM_TILED), Math.min(tiles[0], 65_535),
        Math.min(tiles[1], 65_535), 1, Kernels.TILE, Kernels.TILE, 1, 0, stream, params, null),
        "launch of " + Kernels.SGEMM_TILED + " (" + m + " × " + n + " × " + k + ")");
  }

  /** Launches {@code name} with an explicit grid, block and shared memory. */
  void launchGrid(String name, int blocks, int threads, int sharedBytes, Object... args) {
    Cuda.check(cuLaunchKernel(function(name), blocks, 1, 1, threads, 1, 1, sharedBytes, stream,
        pack(name, args), null), "launch of " + name + " (" + blocks + " × " + threads + ")");
  }

  static Pointer pack(String name, Object[] args) {
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
    module.unload();
  }
}
