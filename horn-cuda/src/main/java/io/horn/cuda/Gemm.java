package io.horn.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

/**
 * Column-major {@code C = alpha op(A) op(B) + beta C} on the device: cuBLAS when its library
 * loads, otherwise Horn's own tiled kernel. Same argument order as BLAS sgemm.
 */
abstract class Gemm implements AutoCloseable {

  abstract void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Pointer a, int lda, Pointer b, int ldb, float beta, Pointer c, int ldc);

  static Gemm create(boolean cublas, DeviceKernels kernels) {
    return cublas ? new Cublas() : new Tiled(kernels);
  }

  @Override
  public void close() {}

  private static final class Cublas extends Gemm {
    private final cublasHandle handle = new cublasHandle();

    Cublas() {
      JCublas2.cublasCreate(handle);
    }

    @Override
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Pointer a,
        int lda, Pointer b, int ldb, float beta, Pointer c, int ldc) {
      JCublas2.cublasSgemm(handle, transA ? cublasOperation.CUBLAS_OP_T
          : cublasOperation.CUBLAS_OP_N, transB ? cublasOperation.CUBLAS_OP_T
          : cublasOperation.CUBLAS_OP_N, m, n, k, Pointer.to(new float[] {alpha}), a, lda, b, ldb,
          Pointer.to(new float[] {beta}), c, ldc);
    }

    @Override
    public void close() {
      JCublas2.cublasDestroy(handle);
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
  }
}
