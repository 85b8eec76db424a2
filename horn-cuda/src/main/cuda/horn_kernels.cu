/*
 * Horn's CUDA kernels: the element-wise, column-wise and optimizer steps of the GPU engine.
 *
 * Every kernel reproduces horn-core's CPU math (io.horn.core.activation.*, io.horn.core.cost.*,
 * io.horn.core.optimizer.*, io.horn.core.engine.CpuNetworkEngine) operation for operation:
 *
 *  - float expressions are evaluated in the same order with the same roundings as Java's. The
 *    build compiles with -fmad=false (no contraction of a*b+c into an FMA: Java never fuses),
 *    -ftz=false, -prec-div=true and -prec-sqrt=true (IEEE division and square root, as Java);
 *  - where Java works in double (Math.exp, Math.tanh, Math.log, the softmax sum, the costs) the
 *    kernel works in double too, then rounds to float at the same point as Java does.
 *
 * Matrices are column-major, one sample per column, as in CpuNetworkEngine: an activation block
 * of n rows (units) × cols columns (samples) has a leading dimension ld >= n; rows n..ld-1 (the
 * bias row of ones under every activation block) are never touched by the activation kernels.
 *
 * Launch shapes (see io.horn.cuda.Kernels):
 *  - element-wise kernels use grid-stride loops: any 1-D grid and 1-D block work;
 *  - column kernels (softmax_*, *_delta) give one block per column, grid-stride over columns;
 *    any 1-D block of at most COL_THREADS (1024) threads works;
 *  - sgemm_tiled takes 16 × 16 thread blocks; the grid strides over tiles in both dimensions.
 *
 * Build: compiled to PTX by nvcc at Maven build time (src/main/cuda/build-ptx.sh), checked by
 * ptxas for real architectures, shipped as the resource io/horn/cuda/horn_kernels.ptx and
 * loaded with cuModuleLoadData; the driver JIT-compiles the PTX for the GPU at hand.
 */

#define COL_THREADS 1024
#define TILE 16

typedef long long i64;

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

__device__ __forceinline__ i64 first_index() {
  return (i64) blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ i64 grid_stride() {
  return (i64) blockDim.x * gridDim.x;
}

/* Offset of the k-th element (k = column * n + row) of an n-row block with leading dimension ld. */
__device__ __forceinline__ i64 at(i64 k, int n, int ld) {
  return (k / n) * ld + k % n;
}

/* CrossEntropy.clamp: Math.min(Math.max(y, 1e-7), 1 - 1e-7); NaN stays NaN as in Java. */
__device__ __forceinline__ double xent_clamp(double y) {
  const double eps = 1e-7;
  const double hi = 1.0 - eps;
  if (y < eps) return eps;
  if (y > hi) return hi;
  return y;
}

/*
 * Sum of one double per thread over the block (any blockDim.x <= COL_THREADS), returned to every
 * thread. A fixed-shape tree, so the result is deterministic. Must be reached by all threads.
 */
__device__ double block_sum(double v, double* sh) {
  const int tid = threadIdx.x;
  const int nt = blockDim.x;
  sh[tid] = v;
  __syncthreads();
  int half = 1;
  while (half < nt) half <<= 1;
  for (half >>= 1; half > 0; half >>= 1) {
    if (tid < half && tid + half < nt) sh[tid] += sh[tid + half];
    __syncthreads();
  }
  double r = sh[0];
  __syncthreads();  // sh may be reused right after
  return r;
}

/* Maximum of one float per thread over the block, returned to every thread (NaN-ignoring). */
__device__ float block_max(float v, float* sh) {
  const int tid = threadIdx.x;
  const int nt = blockDim.x;
  sh[tid] = v;
  __syncthreads();
  int half = 1;
  while (half < nt) half <<= 1;
  for (half >>= 1; half > 0; half >>= 1) {
    if (tid < half && tid + half < nt) sh[tid] = fmaxf(sh[tid], sh[tid + half]);
    __syncthreads();
  }
  float r = sh[0];
  __syncthreads();
  return r;
}

/* ---------------------------------------------------------------------------------------------
 * Activations, forward: in place on rows 0..n-1 of an n × cols block with leading dimension ld.
 * (Identity needs no kernel.)
 * ------------------------------------------------------------------------------------------- */

/* ReLU.forward: Math.max(a, 0f). */
extern "C" __global__ void relu_forward(int n, int cols, int ld, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    float v = a[p];
    a[p] = (v > 0.0f || v != v) ? v : 0.0f;  // Math.max(v, 0f): NaN stays NaN, -0 gives +0
  }
}

/* Sigmoid.forward: (float) (1.0 / (1.0 + Math.exp(-a))) in double. */
extern "C" __global__ void sigmoid_forward(int n, int cols, int ld, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    double x = (double) a[p];
    a[p] = (float) (1.0 / (1.0 + exp(-x)));
  }
}

/* Tanh (ActivationFunction.forward): (float) Math.tanh(a) in double. */
extern "C" __global__ void tanh_forward(int n, int cols, int ld, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    a[p] = (float) tanh((double) a[p]);
  }
}

/* LeakyReLU (ActivationFunction.forward): x > 0 ? x : 0.01f * x (exact in float). */
extern "C" __global__ void leaky_relu_forward(int n, int cols, int ld, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    float v = a[p];
    a[p] = v > 0.0f ? v : 0.01f * v;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Activations, backward: g *= f'(y) on n × cols blocks (y with leading dimension yld, g with gld).
 * ------------------------------------------------------------------------------------------- */

/* ReLU.backward: g = y > 0 ? g : 0. */
extern "C" __global__ void relu_backward(int n, int cols, const float* y, int yld, float* g,
    int gld) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 py = at(k, n, yld);
    const i64 pg = at(k, n, gld);
    g[pg] = y[py] > 0.0f ? g[pg] : 0.0f;
  }
}

/* Sigmoid.backward: g *= y * (1f - y). */
extern "C" __global__ void sigmoid_backward(int n, int cols, const float* y, int yld, float* g,
    int gld) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 py = at(k, n, yld);
    const i64 pg = at(k, n, gld);
    float v = y[py];
    g[pg] = g[pg] * (v * (1.0f - v));
  }
}

/* Tanh.backward: g *= 1f - y * y. */
extern "C" __global__ void tanh_backward(int n, int cols, const float* y, int yld, float* g,
    int gld) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 py = at(k, n, yld);
    const i64 pg = at(k, n, gld);
    float v = y[py];
    g[pg] = g[pg] * (1.0f - v * v);
  }
}

/* LeakyReLU (ActivationFunction.backward): g *= (float) (y > 0 ? 1 : 0.01f). */
extern "C" __global__ void leaky_relu_backward(int n, int cols, const float* y, int yld,
    float* g, int gld) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 py = at(k, n, yld);
    const i64 pg = at(k, n, gld);
    g[pg] = g[pg] * (y[py] > 0.0f ? 1.0f : 0.01f);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Softmax: one block per column, grid-stride over the columns.
 * ------------------------------------------------------------------------------------------- */

/*
 * SoftMax.forward: max in float; e = (float) Math.exp(a - max); sum of e in double;
 * a = e * (float) (1.0 / sum).
 */
extern "C" __global__ void softmax_forward(int n, int cols, int ld, float* a) {
  __shared__ double shd[COL_THREADS];
  __shared__ float shf[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    float* col = a + (i64) c * ld;
    float mx = -INFINITY;
    for (int i = threadIdx.x; i < n; i += blockDim.x) mx = fmaxf(mx, col[i]);
    mx = block_max(mx, shf);
    double sum = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      float e = (float) exp((double) (col[i] - mx));
      col[i] = e;
      sum += (double) e;
    }
    sum = block_sum(sum, shd);
    float inv = (float) (1.0 / sum);
    for (int i = threadIdx.x; i < n; i += blockDim.x) col[i] = col[i] * inv;
  }
}

/*
 * SoftMax.backward, the full Jacobian for softmax outputs under a cost other than cross entropy:
 * dot = Σ (double) g * y; g = (float) (y * (g - dot)) in double.
 */
extern "C" __global__ void softmax_backward(int n, int cols, const float* y, int yld, float* g,
    int gld) {
  __shared__ double shd[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    const float* yc = y + (i64) c * yld;
    float* gc = g + (i64) c * gld;
    double dot = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) dot += (double) gc[i] * (double) yc[i];
    dot = block_sum(dot, shd);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      gc[i] = (float) ((double) yc[i] * ((double) gc[i] - dot));
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Output deltas and costs: one block per column. y is n × cols with leading dimension yld (the
 * output activations, bias row below), t and delta are n × cols with leading dimension n, and
 * costPerColumn[c] receives the cost of sample c (a double sum, rounded to float once).
 * ------------------------------------------------------------------------------------------- */

/*
 * CrossEntropy with a SoftMax output, fused: delta = y - t;
 * cost = -Σ_{t != 0} t log(clamp(y)).
 */
extern "C" __global__ void softmax_xent_delta(int n, int cols, const float* y, int yld,
    const float* t, float* delta, float* costPerColumn) {
  __shared__ double shd[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    const float* yc = y + (i64) c * yld;
    const float* tc = t + (i64) c * n;
    float* dc = delta + (i64) c * n;
    double cost = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      float yi = yc[i];
      float ti = tc[i];
      dc[i] = yi - ti;
      if (ti != 0.0f) cost -= (double) ti * log(xent_clamp((double) yi));
    }
    cost = block_sum(cost, shd);
    if (threadIdx.x == 0) costPerColumn[c] = (float) cost;
  }
}

/* CrossEntropy.apply, the binary form: -(t log y + (1 - t) log(1 - y)), y clamped. */
__device__ __forceinline__ double binary_xent(float t, float y) {
  double yc = xent_clamp((double) y);
  double td = (double) t;
  return -(td * log(yc) + (1.0 - td) * log(1.0 - yc));
}

/*
 * CrossEntropy with a Sigmoid output, fused: delta = y - t;
 * cost = -Σ [t log y + (1 - t) log(1 - y)] with y clamped.
 */
extern "C" __global__ void sigmoid_xent_delta(int n, int cols, const float* y, int yld,
    const float* t, float* delta, float* costPerColumn) {
  __shared__ double shd[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    const float* yc = y + (i64) c * yld;
    const float* tc = t + (i64) c * n;
    float* dc = delta + (i64) c * n;
    double cost = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      float yi = yc[i];
      float ti = tc[i];
      dc[i] = yi - ti;
      cost += binary_xent(ti, yi);
    }
    cost = block_sum(cost, shd);
    if (threadIdx.x == 0) costPerColumn[c] = (float) cost;
  }
}

/*
 * CrossEntropy with any other output (not fused): delta = dC/dy = (y - t) / (y (1 - y)) with y
 * clamped, rounded to float; the caller then applies the output activation's *_backward to delta.
 * Cost: the binary form, as sigmoid_xent_delta.
 */
extern "C" __global__ void cross_entropy_delta(int n, int cols, const float* y, int yld,
    const float* t, float* delta, float* costPerColumn) {
  __shared__ double shd[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    const float* yc = y + (i64) c * yld;
    const float* tc = t + (i64) c * n;
    float* dc = delta + (i64) c * n;
    double cost = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      float yi = yc[i];
      float ti = tc[i];
      double ycl = xent_clamp((double) yi);
      dc[i] = (float) ((ycl - (double) ti) / (ycl * (1.0 - ycl)));
      cost += binary_xent(ti, yi);
    }
    cost = block_sum(cost, shd);
    if (threadIdx.x == 0) costPerColumn[c] = (float) cost;
  }
}

/*
 * SquaredError: delta = dC/dy = y - t; cost = ½ Σ (y - t)² (difference in double). With an
 * Identity output this is the whole delta; with any other output the caller then applies the
 * output activation's *_backward (softmax_backward for SoftMax) to delta.
 */
extern "C" __global__ void squared_error_delta(int n, int cols, const float* y, int yld,
    const float* t, float* delta, float* costPerColumn) {
  __shared__ double shd[COL_THREADS];
  for (int c = blockIdx.x; c < cols; c += gridDim.x) {
    const float* yc = y + (i64) c * yld;
    const float* tc = t + (i64) c * n;
    float* dc = delta + (i64) c * n;
    double cost = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      float yi = yc[i];
      float ti = tc[i];
      dc[i] = yi - ti;
      double d = (double) yi - (double) ti;
      cost += 0.5 * d * d;
    }
    cost = block_sum(cost, shd);
    if (threadIdx.x == 0) costPerColumn[c] = (float) cost;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Optimizers over a whole weight block: columns of colLen = in + 1 floats (one per output unit),
 * the last entry of each column being the unit's bias. All pointers point at the block's first
 * entry (params, sums, prev, m, v share the indexing).
 * ------------------------------------------------------------------------------------------- */

/*
 * MomentumSgd.update as CpuNetworkEngine.applyUpdate calls it:
 *   d = mu * prev - lr * (sums * invCount + decay' * params); prev = d; params += d,
 * where decay' = decay, except on the last entry of each column (the bias), where decay' = 0
 * unless decayLast != 0 (then every entry is decayed).
 */
extern "C" __global__ void momentum_sgd(int len, const float* sums, float invCount, float lr,
    float mu, float decay, float* params, float* prev, int colLen, int decayLast) {
  for (i64 i = first_index(); i < len; i += grid_stride()) {
    bool bias = decayLast == 0 && colLen > 0 && (i % colLen) == colLen - 1;
    float dec = bias ? 0.0f : decay;
    float p = params[i];
    float d = mu * prev[i] - lr * (sums[i] * invCount + dec * p);
    prev[i] = d;
    params[i] = p + d;
  }
}

/*
 * Adam.update as CpuNetworkEngine.applyUpdate calls it (decay 0 on the last entry of each column):
 *   g = sums * invCount + decay' * params; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
 *   d = -(lr / corr1) * m / ((float) sqrt(v / corr2) + eps); prev = d; params += d.
 * corr1 = (float) (1 - b1^t) and corr2 = (float) (1 - b2^t) for step t, as Adam.beginStep.
 */
extern "C" __global__ void adam(int len, const float* sums, float invCount, float lr, float b1,
    float b2, float eps, float corr1, float corr2, float decay, int colLen, float* params,
    float* prev, float* m, float* v) {
  const float step = lr / corr1;
  for (i64 i = first_index(); i < len; i += grid_stride()) {
    bool bias = colLen > 0 && (i % colLen) == colLen - 1;
    float dec = bias ? 0.0f : decay;
    float p = params[i];
    float g = sums[i] * invCount + dec * p;
    float mi = b1 * m[i] + (1.0f - b1) * g;
    float vi = b2 * v[i] + (1.0f - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    float d = -step * mi / (sqrtf(vi / corr2) + eps);
    prev[i] = d;
    params[i] = p + d;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Small utilities.
 * ------------------------------------------------------------------------------------------- */

/*
 * Sets rows row..row+n-1 of each of cols columns (leading dimension ld) to value; with n = 1 and
 * row = units, the bias row of ones under an activation block.
 */
extern "C" __global__ void fill_rows(int n, int cols, int ld, int row, float value, float* a) {
  float* base = a + row;
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    base[p] = value;
  }
}

/* a *= f over len contiguous floats. */
extern "C" __global__ void scale(int len, float f, float* a) {
  for (i64 i = first_index(); i < len; i += grid_stride()) a[i] = a[i] * f;
}

/* a *= f on rows 0..n-1 of an n × cols block (dropout in inference: f = 1 - rate). */
extern "C" __global__ void scale_rows(int n, int cols, int ld, float f, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 p = at(k, n, ld);
    a[p] = a[p] * f;
  }
}

/*
 * a *= mask on rows 0..n-1 of an n × cols block (leading dimension ld); mask is n × cols with
 * leading dimension n (dropout in training: the 0/1 mask; also on the deltas, with ld = n).
 */
extern "C" __global__ void mul_mask(int n, int cols, int ld, const float* mask, float* a) {
  const i64 total = (i64) n * cols;
  for (i64 k = first_index(); k < total; k += grid_stride()) {
    const i64 pa = at(k, n, ld);
    a[pa] = a[pa] * mask[k];
  }
}

/* ---------------------------------------------------------------------------------------------
 * sgemm_tiled: C = alpha op(A) op(B) + beta C, column-major, op(X) = X or Xᵀ (trans flag 0 / 1);
 * op(A) is m × k, op(B) is k × n, C is m × n. The fallback when cuBLAS cannot be loaded.
 * Block: TILE × TILE (16 × 16) threads; grid: any, striding over the tiles of C (x: rows of C,
 * y: columns of C). beta == 0 does not read C (as BLAS). Products accumulate with fmaf.
 * ------------------------------------------------------------------------------------------- */
extern "C" __global__ void sgemm_tiled(int transA, int transB, int m, int n, int k, float alpha,
    const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  // As[kk][r] = op(A)(r0 + r, k0 + kk); Bs[c][kk] = op(B)(k0 + kk, c0 + c). Padded columns avoid
  // shared-memory bank conflicts.
  __shared__ float As[TILE][TILE + 1];
  __shared__ float Bs[TILE][TILE + 1];
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int tilesM = (m + TILE - 1) / TILE;
  const int tilesN = (n + TILE - 1) / TILE;
  for (int bm = blockIdx.x; bm < tilesM; bm += gridDim.x) {
    for (int bn = blockIdx.y; bn < tilesN; bn += gridDim.y) {
      const int r0 = bm * TILE;
      const int c0 = bn * TILE;
      float acc = 0.0f;
      for (int k0 = 0; k0 < k; k0 += TILE) {
        // Loads are coalesced: threadIdx.x walks the contiguous dimension of the source.
        if (!transA) {  // op(A)(r, kk) = A[r + kk * lda]
          int r = r0 + tx, kk = k0 + ty;
          As[ty][tx] = (r < m && kk < k) ? A[r + (i64) kk * lda] : 0.0f;
        } else {  // op(A)(r, kk) = A[kk + r * lda]
          int r = r0 + ty, kk = k0 + tx;
          As[tx][ty] = (r < m && kk < k) ? A[kk + (i64) r * lda] : 0.0f;
        }
        if (!transB) {  // op(B)(kk, c) = B[kk + c * ldb]
          int kk = k0 + tx, c = c0 + ty;
          Bs[ty][tx] = (kk < k && c < n) ? B[kk + (i64) c * ldb] : 0.0f;
        } else {  // op(B)(kk, c) = B[c + kk * ldb]
          int kk = k0 + ty, c = c0 + tx;
          Bs[tx][ty] = (kk < k && c < n) ? B[c + (i64) kk * ldb] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TILE; kk++) acc = fmaf(As[kk][tx], Bs[ty][kk], acc);
        __syncthreads();
      }
      const int r = r0 + tx;
      const int c = c0 + ty;
      if (r < m && c < n) {
        float* cp = C + r + (i64) c * ldc;
        *cp = beta == 0.0f ? alpha * acc : alpha * acc + beta * *cp;
      }
    }
  }
}
