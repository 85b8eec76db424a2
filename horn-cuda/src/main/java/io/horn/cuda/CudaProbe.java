package io.horn.cuda;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per JVM, whether CUDA can run here: JCuda's classes, the driver ({@code
 * libcuda.so.1}), a device, cuBLAS (optional: without it the engine multiplies with its own
 * kernel) and the kernels' PTX.
 *
 * <p>It never throws. Missing native libraries surface in JCuda as {@link UnsatisfiedLinkError}
 * when a class first loads and as {@link NoClassDefFoundError} on every later call; every JCuda
 * call here sits inside a {@code catch (Throwable)} and becomes a reason string. JCuda unpacks its
 * native libraries into {@code java.io.tmpdir}, so an unwritable temporary directory is reported
 * the same way. The probe turns JCuda's own exceptions off ({@code setExceptionsEnabled(false)}
 * for the driver and cuBLAS) and checks every return code itself; so does the engine
 * ({@link Cuda}), so neither depends on that switch.
 *
 * <p>The last step JIT-compiles the kernels' PTX for device 0, once: a driver too old for the PTX
 * or a kernel it cannot compile makes the backend unusable, with the driver's JIT log in the
 * reason, and {@code auto} then trains on the CPU.
 *
 * <p>Thread-safe: the first {@link #result()} probes (under the class-initialisation lock), every
 * later one returns the same {@link Result}.
 */
public final class CudaProbe {
  private static final Logger LOG = LoggerFactory.getLogger(CudaProbe.class);

  /** The library a failed native load names, from the JVM's "cannot open shared object" text. */
  private static final Pattern MISSING_LIBRARY =
      Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

  private CudaProbe() {}

  /** What the probe found. Immutable. */
  public static final class Result {
    /** Whether the cuda backend can run here. */
    public final boolean usable;
    /** When usable, what it runs on ({@link #describeDevice()}); otherwise why not, one line. */
    public final String reason;
    /** The name of device 0 as the driver reports it, or "" when none was found. */
    public final String device;
    /**
     * Whether a cuBLAS handle could be created; false means the engine multiplies matrices with
     * its own tiled sgemm kernel.
     */
    public final boolean cublas;
    /** Why cuBLAS is unavailable, or "" when it is available (or was not probed). */
    public final String cublasReason;
    /** Devices the driver reports (0 when the driver is missing). */
    public final int deviceCount;
    /** Compute capability of device 0 (0.0 when unknown). */
    public final int computeMajor;
    public final int computeMinor;
    /** Bytes of memory on device 0 (0 when unknown). */
    public final long totalMemory;
    /** Whether the kernels' PTX is in the jar ({@code Kernels.ptxAvailable()}). */
    public final boolean ptx;

    Result(boolean usable, String reason, String device, boolean cublas, String cublasReason,
        int deviceCount, int computeMajor, int computeMinor, long totalMemory, boolean ptx) {
      this.usable = usable;
      this.reason = reason == null ? "" : reason;
      this.device = device == null ? "" : device;
      this.cublas = cublas;
      this.cublasReason = cublasReason == null ? "" : cublasReason;
      this.deviceCount = deviceCount;
      this.computeMajor = computeMajor;
      this.computeMinor = computeMinor;
      this.totalMemory = totalMemory;
      this.ptx = ptx;
    }

    static Result unusable(String reason) {
      return new Result(false, reason, "", false, "", 0, 0, 0, 0L, false);
    }

    /**
     * The device in one line, e.g. {@code NVIDIA H100 80GB HBM3, compute 9.0, 79 GiB, cuBLAS}
     * (or {@code ..., own sgemm kernel} without cuBLAS); "" when no device was found.
     */
    public String describeDevice() {
      if (device.isEmpty()) {
        return "";
      }
      String name = device.startsWith("NVIDIA") ? device : "NVIDIA " + device;
      return String.format(Locale.ROOT, "%s, compute %d.%d, %d GiB, %s", name, computeMajor,
          computeMinor, Math.round(totalMemory / (double) (1L << 30)),
          cublas ? "cuBLAS" : "own sgemm kernel");
    }

    /** One line for logs: {@code cuda usable: <device>} or {@code cuda not usable: <reason>}. */
    public String describe() {
      if (usable) {
        return "cuda usable: " + reason
            + (cublas ? "" : " (cuBLAS unavailable: " + cublasReason + ")");
      }
      return "cuda not usable: " + reason;
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private static final class Holder {
    static final Result RESULT = safeProbe();
  }

  /** The probe's result; the first call probes, later ones return the same object. */
  public static Result result() {
    return Holder.RESULT;
  }

  private static Result safeProbe() {
    Result r;
    try {
      r = probe();
    } catch (Throwable t) { // the last net: nothing escapes, not even an Error
      r = Result.unusable("CUDA probe failed: " + oneLine(t));
    }
    try {
      LOG.debug("{}", r.describe());
    } catch (Throwable ignored) {
      // logging must not turn a probe result into a failure
    }
    return r;
  }

  private static Result probe() {
    // 1. JCuda's Java classes (without initialising them: that loads the natives).
    for (String c : new String[] {"jcuda.driver.JCudaDriver", "jcuda.jcublas.JCublas2"}) {
      try {
        Class.forName(c, false, CudaProbe.class.getClassLoader());
      } catch (Throwable t) {
        return Result.unusable("JCuda is not on the class path (" + c + " missing): add"
            + " org.jcuda:jcuda and org.jcuda:jcublas 12.0.0 with their natives");
      }
    }

    // 2.-6. Everything that touches JCuda lives in Native, which loads only now.
    try (NativesLock lock = NativesLock.acquire()) {
      return Native.probe();
    } catch (Throwable t) {
      return Result.unusable(nativeLoadFailure(t, "libcuda.so", "no CUDA driver"));
    }
  }

  /**
   * The JCuda calls, in a class of their own so that loading {@link CudaProbe} never resolves a
   * JCuda class: {@code Native} is touched only after JCuda's classes were found.
   */
  private static final class Native {
    private Native() {}

    static Result probe() {
      // 2. The driver. Loading JCudaDriver's native library links libcuda.so.1.
      try {
        JCudaDriver.setExceptionsEnabled(false);
      } catch (Throwable t) {
        return Result.unusable(nativeLoadFailure(t, "libcuda.so", "no CUDA driver"));
      }
      int rc;
      try {
        rc = JCudaDriver.cuInit(0);
      } catch (Throwable t) {
        return Result.unusable(nativeLoadFailure(t, "libcuda.so", "no CUDA driver"));
      }
      if (rc != CUresult.CUDA_SUCCESS) {
        return Result.unusable("CUDA driver failed to initialise: cuInit returned "
            + resultName(rc));
      }

      // 3. Devices.
      int[] count = new int[1];
      try {
        rc = JCudaDriver.cuDeviceGetCount(count);
      } catch (Throwable t) {
        return Result.unusable("cuDeviceGetCount failed: " + oneLine(t));
      }
      if (rc != CUresult.CUDA_SUCCESS) {
        return Result.unusable("no CUDA device: cuDeviceGetCount returned " + resultName(rc));
      }
      if (count[0] <= 0) {
        return Result.unusable("no CUDA device: the driver reports 0 devices ("
            + resultName(CUresult.CUDA_ERROR_NO_DEVICE) + ")");
      }

      // 4. Device 0: name, compute capability, memory.
      String name;
      int major;
      int minor;
      long memory;
      CUdevice dev = new CUdevice();
      try {
        rc = JCudaDriver.cuDeviceGet(dev, 0);
        if (rc != CUresult.CUDA_SUCCESS) {
          return Result.unusable("CUDA device 0 unavailable: cuDeviceGet returned "
              + resultName(rc));
        }
        byte[] buf = new byte[256];
        rc = JCudaDriver.cuDeviceGetName(buf, buf.length, dev);
        name = rc == CUresult.CUDA_SUCCESS ? cString(buf) : "";
        if (name.isEmpty()) {
          name = "CUDA device 0";
        }
        int[] v = new int[1];
        rc = JCudaDriver.cuDeviceGetAttribute(v,
            CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        if (rc != CUresult.CUDA_SUCCESS) {
          return Result.unusable("CUDA device 0 (" + name + "): compute capability unknown,"
              + " cuDeviceGetAttribute returned " + resultName(rc));
        }
        major = v[0];
        rc = JCudaDriver.cuDeviceGetAttribute(v,
            CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        minor = rc == CUresult.CUDA_SUCCESS ? v[0] : 0;
        long[] mem = new long[1];
        rc = JCudaDriver.cuDeviceTotalMem(mem, dev);
        memory = rc == CUresult.CUDA_SUCCESS ? mem[0] : 0L;
      } catch (Throwable t) {
        return Result.unusable("CUDA device 0 could not be queried: " + oneLine(t));
      }

      // 5. cuBLAS: optional.
      boolean cublas = false;
      String cublasReason;
      try {
        JCublas2.setExceptionsEnabled(false);
        cublasHandle h = new cublasHandle();
        int st = JCublas2.cublasCreate(h);
        if (st == cublasStatus.CUBLAS_STATUS_SUCCESS) {
          JCublas2.cublasDestroy(h);
          cublas = true;
          cublasReason = "";
        } else {
          cublasReason = "cublasCreate returned " + cublasName(st);
        }
      } catch (Throwable t) {
        cublasReason = nativeLoadFailure(t, "libcublas.so", "cuBLAS 12 not installed");
      }

      // 6. The kernels: in the jar, and JIT-compiled once by this driver for this device, so
      // that a PTX the driver cannot load makes the backend unusable (and auto picks the CPU)
      // with the JIT log in the reason, instead of failing the first training step.
      boolean ptx;
      String ptxFailure = "";
      try {
        ptx = Kernels.ptxAvailable();
      } catch (Throwable t) {
        ptx = false;
        ptxFailure = ": " + oneLine(t);
      }
      Result found = new Result(false, "", name, cublas, cublasReason, count[0], major, minor,
          memory, ptx);
      if (!ptx) {
        return new Result(false, found.describeDevice() + " found, but horn-cuda's kernels (PTX)"
            + " are missing from its jar (built without nvcc?)" + ptxFailure, name, cublas,
            cublasReason, count[0], major, minor, memory, false);
      }
      String jit = jitFailure(dev);
      if (jit != null) {
        return new Result(false, found.describeDevice() + " found, but " + jit, name, cublas,
            cublasReason, count[0], major, minor, memory, true);
      }
      return new Result(true, found.describeDevice(), name, cublas, cublasReason, count[0], major,
          minor, memory, true);
    }

    /** Null when every kernel JIT-compiles on {@code dev}, otherwise why not (with the log). */
    private static String jitFailure(CUdevice dev) {
      CUcontext ctx = new CUcontext();
      int rc = JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev);
      if (rc != CUresult.CUDA_SUCCESS) {
        return "its primary context could not be made: cuDevicePrimaryCtxRetain failed: "
            + resultName(rc);
      }
      try {
        Cuda.check(JCudaDriver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        Cuda.load(Kernels.ptx()).unload();
        return null;
      } catch (Throwable t) {
        return t instanceof IllegalStateException ? t.getMessage() : oneLine(t);
      } finally {
        JCudaDriver.cuDevicePrimaryCtxRelease(dev);
      }
    }

    private static String resultName(int rc) {
      return Cuda.resultName(rc);
    }

    private static String cublasName(int st) {
      return Cuda.blasName(st);
    }
  }

  /**
   * A reason for a failed native load: {@code prefix: <lib> not found} when the JVM names the
   * missing library (the "cannot open shared object file" text of {@link UnsatisfiedLinkError},
   * whose first line only names JCuda's own library), else the first line of the error.
   */
  static String nativeLoadFailure(Throwable t, String expectedLib, String prefix) {
    String all = fullText(t);
    Matcher m = MISSING_LIBRARY.matcher(all);
    String fallback = null;
    while (m.find()) {
      String lib = m.group(1);
      if (lib.startsWith(expectedLib)) {
        return prefix + ": " + lib + " not found";
      }
      if (fallback == null && !lib.contains("JCu")) {
        fallback = lib;
      }
    }
    if (fallback != null) {
      return "JCuda's native library could not load: " + fallback + " not found";
    }
    if (t instanceof NoClassDefFoundError && all.contains("Could not initialize class")) {
      return "JCuda failed to initialise earlier in this JVM: " + oneLine(t);
    }
    if (t instanceof LinkageError) {
      return "JCuda's native library could not load (it unpacks into java.io.tmpdir="
          + System.getProperty("java.io.tmpdir") + "): " + oneLine(t);
    }
    return prefix + ": " + oneLine(t);
  }

  /** The messages of {@code t} and its causes, suppressed ones included. */
  private static String fullText(Throwable t) {
    StringBuilder sb = new StringBuilder();
    int depth = 0;
    for (Throwable c = t; c != null && depth < 16; c = c.getCause(), depth++) {
      sb.append(c).append('\n');
      for (Throwable s : c.getSuppressed()) {
        sb.append(s).append('\n');
      }
    }
    return sb.toString();
  }

  /** The throwable's class and the first line of its message. */
  static String oneLine(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isEmpty()) {
      return t.getClass().getName();
    }
    int nl = m.indexOf('\n');
    return t.getClass().getSimpleName() + ": " + (nl >= 0 ? m.substring(0, nl).trim() : m);
  }

  private static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.US_ASCII).trim();
  }
}
