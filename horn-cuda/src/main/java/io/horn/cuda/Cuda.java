package io.horn.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;

/**
 * Return-code checks for the CUDA driver and cuBLAS, and the loading of the kernels' PTX with the
 * JIT compiler's log. Every driver and cuBLAS call of horn-cuda goes through {@link #check} or
 * {@link #checkBlas}, whether or not JCuda's own exceptions are enabled: a failed call must never
 * leave garbage behind silently, and the message names the call that failed.
 *
 * <p>Stateless; the methods are thread-safe (the JCuda calls they wrap need the caller's context
 * to be current).
 */
final class Cuda {
  /** Bytes of JIT log the driver may write (info and error log each). */
  static final int JIT_LOG_BYTES = 16 * 1024;

  private Cuda() {}

  /** Throws {@link IllegalStateException} naming {@code what} when {@code rc} is not success. */
  static void check(int rc, String what) {
    if (rc != CUresult.CUDA_SUCCESS) {
      throw new IllegalStateException(what + " failed: " + resultName(rc));
    }
  }

  /** Throws {@link IllegalStateException} naming {@code what} when {@code st} is not success. */
  static void checkBlas(int st, String what) {
    if (st != cublasStatus.CUBLAS_STATUS_SUCCESS) {
      throw new IllegalStateException(what + " failed: " + blasName(st));
    }
  }

  /** {@code CUDA_ERROR_NAME (code)}, or {@code CUresult <code>} for a code JCuda does not know. */
  static String resultName(int rc) {
    String s = CUresult.stringFor(rc);
    return s == null || s.startsWith("INVALID") ? "CUresult " + rc : s + " (" + rc + ")";
  }

  /** {@code CUBLAS_STATUS_NAME (code)}, or {@code cublasStatus <code>}. */
  static String blasName(int st) {
    String s = cublasStatus.stringFor(st);
    return s == null || s.startsWith("INVALID") ? "cublasStatus " + st : s + " (" + st + ")";
  }

  /** A module JIT-compiled from PTX, with every kernel of {@link Kernels#ALL} looked up. */
  static final class Module {
    final CUmodule module;
    final Map<String, CUfunction> functions;
    /** What the JIT compiler reported (registers, spills ...), trimmed; may be empty. */
    final String infoLog;

    private Module(CUmodule module, Map<String, CUfunction> functions, String infoLog) {
      this.module = module;
      this.functions = functions;
      this.infoLog = infoLog;
    }

    void unload() {
      check(cuModuleUnload(module), "cuModuleUnload");
    }
  }

  /**
   * JIT-compiles {@code ptx} for the device of the current context and looks up every kernel.
   * A failure throws {@link IllegalStateException} whose message holds the driver's error and
   * the JIT compiler's error log, which names the offending PTX line.
   */
  static Module load(String ptx) {
    if (ptx == null) {
      throw new IllegalStateException("horn-cuda's kernels (PTX) are missing from its jar (built"
          + " without nvcc?): rebuild on a machine with the CUDA toolkit");
    }
    jcuda.driver.JITOptions jit = new jcuda.driver.JITOptions();
    jit.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, JIT_LOG_BYTES);
    jit.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, new byte[JIT_LOG_BYTES]);
    jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, JIT_LOG_BYTES);
    jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[JIT_LOG_BYTES]);
    jit.putInt(CUjit_option.CU_JIT_LOG_VERBOSE, 1);
    byte[] text = (ptx + '\0').getBytes(StandardCharsets.US_ASCII);
    CUmodule module = new CUmodule();
    int rc = cuModuleLoadDataJIT(module, Pointer.to(text), jit);
    if (rc != CUresult.CUDA_SUCCESS) {
      String log = log(jit, CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
      throw new IllegalStateException("the driver could not JIT-compile horn-cuda's kernels:"
          + " cuModuleLoadDataEx failed: " + resultName(rc) + "; JIT log: "
          + (log.isEmpty() ? "(empty)" : log));
    }
    Map<String, CUfunction> functions = new LinkedHashMap<>();
    try {
      for (String name : Kernels.ALL) {
        CUfunction f = new CUfunction();
        check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        functions.put(name, f);
      }
    } catch (RuntimeException e) {
      cuModuleUnload(module);
      throw e;
    }
    return new Module(module, Map.copyOf(functions),
        log(jit, CUjit_option.CU_JIT_INFO_LOG_BUFFER));
  }

  /** The log the driver wrote into a JIT buffer, on one line, at most 2000 characters. */
  private static String log(jcuda.driver.JITOptions jit, int option) {
    String s;
    try {
      s = jit.getString(option);
    } catch (RuntimeException e) {
      return "";
    }
    if (s == null) {
      return "";
    }
    int nul = s.indexOf('\0');
    s = (nul >= 0 ? s.substring(0, nul) : s).trim().replaceAll("\\s*\\n\\s*", " | ");
    return s.length() > 2000 ? s.substring(0, 2000) + " ..." : s;
  }
}
