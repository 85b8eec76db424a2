package io.horn.cuda;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * Column-major {@code C = alpha op(A) op(B) + beta C} on the device: cuBLAS when its library
 * loads, otherwise Horn's own tiled kernel. Same argument order as BLAS sgemm; C is not read when
 * beta is 0 (both paths). Every cuBLAS status is checked: a failed product throws instead of
 * leaving C as it was.
 *
 * <p>Both paths queue on the engine's one stream. Confined to the engine's thread of the moment,
 * with the engine's context current (the cuBLAS handle belongs to that context).
 */
abstract class Gemm implements AutoCloseable {

  abstract void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Pointer a, int lda, Pointer b, int ldb, float beta, Pointer c, int ldc);

  /** Which path this is, for logs: {@code cuBLAS} or {@code own sgemm kernel}. */
  abstract String describe();

  static Gemm create(boolean cublas, DeviceKernels kernels, CUstream stream) {
    return cublas ? new Cublas(stream) : new Tiled(kernels);
  }

  @Override
  public void close() {}

  private static final class Cublas extends Gemm {
    private final cublasHandle handle = new cublasHandle();
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];

    Cublas(CUstream stream) {
      Cuda.checkBlas(JCublas2.cublasCreate(handle), "cublasCreate");
      try {
        Cuda.checkBlas(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)),
            "cublasSetStream");
        // Full float32 products, no TF32 tensor-core rounding (10-bit mantissas): the GPU must
        // compute what the CPU computes, up to summation order.
        Cuda.checkBlas(JCublas2.cublasSetMathMode(handle, cublasMath.CUBLAS_DEFAULT_MATH),
            "cublasSetMathMode");
      } catch (RuntimeException e) {
        JCublas2.cublasDestroy(handle);
        throw e;
      }
    }

    @Override
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a,
        int lda, Pointer b, int ldb, float beta, Pointer c, int ldc) {
      // Host pointer mode: cuBLAS reads alpha and beta before the call returns.
      this.alpha[0] = alpha;
      this.beta[0] = beta;
      Cuda.checkBlas(JCublas2.cublasSgemm(handle, op(transA), op(transB), m, n, k,
          Pointer.to(this.alpha), a, lda, b, ldb, Pointer.to(this.beta), c, ldc),
          "cublasSgemm (" + m + " × " + n + " × " + k + ")");
    }

    private static int op(boolean t) {
      return t ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    }

    @Override
    String describe() {
      return "cuBLAS";
    }

    @Override
    public void close() {
      Cuda.checkBlas(JCublas2.cublasDestroy(handle), "cublasDestroy");
    }
  }

  private static final class Tiled extends Gemm {
    private final DeviceKernels kernels;

    Tiled(DeviceKernels kernels) {
      this.kernels = kernels;
    }

    @Override
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a,
        int lda, Pointer b, int ldb, float beta, Pointer c, int ldc) {
      kernels.sgemmTiled(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    String describe() {
      return "own sgemm kernel";
    }
  }
}
