package io.horn.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Horn's CUDA kernels ({@code src/main/cuda/horn_kernels.cu}): their names, their PTX and their
 * launch shapes. No JCuda here, so that all of it can be checked on a machine without a GPU.
 *
 * <p>The PTX is compiled by nvcc at build time when the build machine has a CUDA toolkit, checked
 * by ptxas for real GPU architectures, and shipped as the resource {@value #PTX_RESOURCE}; the
 * driver JIT-compiles it for the GPU at hand. Built without nvcc, the jar has no PTX and
 * {@link #ptx()} returns null.
 *
 * <p>Conventions: float32; matrices column-major, one sample per column. An activation block has
 * {@code n} rows (units) and {@code cols} columns (samples) with leading dimension {@code ld >= n};
 * its rows {@code n..ld-1} (the bias row of ones) are left alone. Deltas and targets have leading
 * dimension {@code n}. Each kernel reproduces horn-core's CPU arithmetic operation for operation
 * (same float roundings, no fused multiply-add, double where horn-core uses double).
 *
 * <p>Launch shapes: element-wise kernels take any 1-D grid ({@link #grid}); column kernels take one
 * 1-D block per column, any number of threads up to {@value #MAX_COLUMN_THREADS}, and any grid
 * (they stride over columns; {@link #columns}); {@link #SGEMM_TILED} takes {@value #TILE} ×
 * {@value #TILE} blocks and any 2-D grid ({@link #tiles}).
 */
public final class Kernels {
  /** The classpath resource holding the PTX. */
  public static final String PTX_RESOURCE = "/io/horn/cuda/horn_kernels.ptx";

  /** Edge of the square thread block (and of the tiles of C) of {@link #SGEMM_TILED}. */
  public static final int TILE = 16;

  /** The most threads a column kernel's block may have (its shared-memory reduction size). */
  public static final int MAX_COLUMN_THREADS = 1024;

  /** CUDA's limit on gridDim.y (and z). */
  static final int MAX_GRID_Y = 65_535;

  // ---- Activations, forward: (int n, int cols, int ld, float* a), in place. Element-wise.

  /** {@code relu_forward(int n, int cols, int ld, float* a)}: {@code a = max(a, 0)}. */
  public static final String RELU_FORWARD = "relu_forward";
  /** {@code sigmoid_forward(int n, int cols, int ld, float* a)}: {@code 1 / (1 + e^-a)}. */
  public static final String SIGMOID_FORWARD = "sigmoid_forward";
  /** {@code tanh_forward(int n, int cols, int ld, float* a)}. */
  public static final String TANH_FORWARD = "tanh_forward";
  /** {@code leaky_relu_forward(int n, int cols, int ld, float* a)}: slope 0.01 below 0. */
  public static final String LEAKY_RELU_FORWARD = "leaky_relu_forward";

  // ---- Activations, backward: (int n, int cols, const float* y, int yld, float* g, int gld),
  // g *= f'(y). Element-wise.

  /** {@code relu_backward(n, cols, y, yld, g, gld)}: {@code g = y > 0 ? g : 0}. */
  public static final String RELU_BACKWARD = "relu_backward";
  /** {@code sigmoid_backward(n, cols, y, yld, g, gld)}: {@code g *= y (1 - y)}. */
  public static final String SIGMOID_BACKWARD = "sigmoid_backward";
  /** {@code tanh_backward(n, cols, y, yld, g, gld)}: {@code g *= 1 - y²}. */
  public static final String TANH_BACKWARD = "tanh_backward";
  /** {@code leaky_relu_backward(n, cols, y, yld, g, gld)}: {@code g *= y > 0 ? 1 : 0.01}. */
  public static final String LEAKY_RELU_BACKWARD = "leaky_relu_backward";

  // ---- Softmax. Column kernels.

  /** {@code softmax_forward(int n, int cols, int ld, float* a)}: max-subtracted, per column. */
  public static final String SOFTMAX_FORWARD = "softmax_forward";
  /**
   * {@code softmax_backward(n, cols, y, yld, g, gld)}: the full Jacobian,
   * {@code g = y (g - <g, y>)} per column (softmax under a cost other than cross entropy).
   */
  public static final String SOFTMAX_BACKWARD = "softmax_backward";

  // ---- Output error and cost: (int n, int cols, const float* y, int yld, const float* t,
  // float* delta, float* costPerColumn). Column kernels; t and delta have leading dimension n.

  /** Softmax + cross entropy: {@code delta = y - t}, cost {@code -Σ_{t≠0} t log y}. */
  public static final String SOFTMAX_XENT_DELTA = "softmax_xent_delta";
  /** Sigmoid + cross entropy: {@code delta = y - t}, cost {@code -Σ t log y + (1-t) log(1-y)}. */
  public static final String SIGMOID_XENT_DELTA = "sigmoid_xent_delta";
  /**
   * Cross entropy on another output: {@code delta = (y - t) / (y (1 - y))} (y clamped), the binary
   * cost; the output's backward kernel is then applied to delta.
   */
  public static final String CROSS_ENTROPY_DELTA = "cross_entropy_delta";
  /**
   * Squared error: {@code delta = y - t}, cost {@code ½ Σ (y - t)²}; for an output other than
   * Identity the output's backward kernel is then applied to delta.
   */
  public static final String SQUARED_ERROR_DELTA = "squared_error_delta";

  // ---- Optimizers over one layer's weight block (columns of colLen = in + 1 floats, bias last).

  /**
   * {@code momentum_sgd(int len, const float* sums, float invCount, float lr, float mu,
   * float decay, float* params, float* prev, int colLen, int decayLast)}:
   * {@code d = mu prev - lr (sums invCount + decay params); prev = d; params += d}. With
   * {@code decayLast == 0} the last entry of each column (the bias) gets decay 0, as
   * {@code CpuNetworkEngine}; with {@code decayLast != 0} every entry is decayed. Element-wise.
   */
  public static final String MOMENTUM_SGD = "momentum_sgd";
  /**
   * {@code adam(int len, const float* sums, float invCount, float lr, float b1, float b2,
   * float eps, float corr1, float corr2, float decay, int colLen, float* params, float* prev,
   * float* m, float* v)}, as {@code io.horn.core.optimizer.Adam} (bias: decay 0), with
   * {@code corr1 = (float) (1 - b1^t)}, {@code corr2 = (float) (1 - b2^t)}. Element-wise.
   */
  public static final String ADAM = "adam";

  // ---- Utilities. Element-wise.

  /**
   * {@code fill_rows(int n, int cols, int ld, int row, float value, float* a)}: rows
   * {@code row..row+n-1} of each column set to value (n = 1, row = units: the bias row).
   */
  public static final String FILL_ROWS = "fill_rows";
  /** {@code scale(int len, float f, float* a)}: {@code a *= f}. */
  public static final String SCALE = "scale";
  /** {@code scale_rows(int n, int cols, int ld, float f, float* a)}: rows 0..n-1 times f. */
  public static final String SCALE_ROWS = "scale_rows";
  /**
   * {@code mul_mask(int n, int cols, int ld, const float* mask, float* a)}: rows 0..n-1 times
   * the n × cols mask (leading dimension n): dropout.
   */
  public static final String MUL_MASK = "mul_mask";

  /**
   * {@code sgemm_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* A,
   * int lda, const float* B, int ldb, float beta, float* C, int ldc)}:
   * {@code C = alpha op(A) op(B) + beta C}, column-major, trans flags 0 or 1, op(A) m × k; C is
   * not read when beta is 0. The fallback when cuBLAS cannot be loaded. Blocks of
   * {@value #TILE} × {@value #TILE} threads ({@link #tiles}).
   */
  public static final String SGEMM_TILED = "sgemm_tiled";

  /** Every kernel in the PTX, in source order. */
  public static final List<String> ALL = List.of(
      RELU_FORWARD, SIGMOID_FORWARD, TANH_FORWARD, LEAKY_RELU_FORWARD,
      RELU_BACKWARD, SIGMOID_BACKWARD, TANH_BACKWARD, LEAKY_RELU_BACKWARD,
      SOFTMAX_FORWARD, SOFTMAX_BACKWARD,
      SOFTMAX_XENT_DELTA, SIGMOID_XENT_DELTA, CROSS_ENTROPY_DELTA, SQUARED_ERROR_DELTA,
      MOMENTUM_SGD, ADAM,
      FILL_ROWS, SCALE, SCALE_ROWS, MUL_MASK,
      SGEMM_TILED);

  private Kernels() {}

  /** The kernels' PTX, or null when horn-cuda was built without nvcc. */
  public static String ptx() {
    return Ptx.TEXT;
  }

  /** Whether the jar holds the kernels' PTX. */
  public static boolean ptxAvailable() {
    return ptx() != null;
  }

  /** Reads the resource once, on first use. */
  private static final class Ptx {
    static final String TEXT = read();

    private static String read() {
      try (InputStream in = Kernels.class.getResourceAsStream(PTX_RESOURCE)) {
        return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + PTX_RESOURCE, e);
      }
    }
  }

  /**
   * A 1-D grid-stride launch over {@code elements} work items: {@code {blocks, blockSize}} with
   * {@code blocks = min(ceil(elements / blockSize), maxBlocks)}, at least 1.
   */
  public static int[] grid(long elements, int blockSize, int maxBlocks) {
    if (elements < 0 || blockSize <= 0 || maxBlocks <= 0) {
      throw new IllegalArgumentException("grid(" + elements + ", " + blockSize + ", "
          + maxBlocks + "): need elements >= 0, blockSize > 0, maxBlocks > 0");
    }
    long blocks = (elements + blockSize - 1) / blockSize;
    return new int[] {(int) Math.max(1, Math.min(blocks, maxBlocks)), blockSize};
  }

  /**
   * The launch of {@link #SGEMM_TILED} for an {@code m × n} C: {@code {gridX, gridY, TILE, TILE}}
   * with one block per {@value #TILE} × {@value #TILE} tile (x over rows, y over columns), at
   * least 1 each; gridY is capped at 65535 (the kernel strides over the remaining tiles).
   */
  public static int[] tiles(int m, int n) {
    if (m < 0 || n < 0) {
      throw new IllegalArgumentException("tiles(" + m + ", " + n + "): negative size");
    }
    int gx = Math.max(1, (int) (((long) m + TILE - 1) / TILE));
    int gy = Math.max(1, Math.min(MAX_GRID_Y, (int) (((long) n + TILE - 1) / TILE)));
    return new int[] {gx, gy, TILE, TILE};
  }

  /**
   * The launch of a column kernel over {@code cols} columns of {@code rows} rows:
   * {@code {blocks, threads}}, one block per column up to {@code maxBlocks} (at least 1), and
   * {@code rows} rounded up to a whole warp of threads, between 32 and {@code maxThreads}
   * (at most {@value #MAX_COLUMN_THREADS}).
   */
  public static int[] columns(int cols, int rows, int maxBlocks, int maxThreads) {
    if (cols < 0 || rows < 0 || maxBlocks <= 0 || maxThreads < 32
        || maxThreads > MAX_COLUMN_THREADS) {
      throw new IllegalArgumentException("columns(" + cols + ", " + rows + ", " + maxBlocks
          + ", " + maxThreads + "): need sizes >= 0, maxBlocks > 0, maxThreads in 32.."
          + MAX_COLUMN_THREADS);
    }
    int threads = (int) Math.max(32, Math.min(maxThreads, ((long) rows + 31) / 32 * 32));
    return new int[] {Math.max(1, Math.min(cols, maxBlocks)), threads};
  }
}
