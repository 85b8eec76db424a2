package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The probe on whatever machine runs the tests: without a GPU (the usual case) it must report why,
 * never throw; with one it must find the device. Each test prints what the probe found.
 *
 * <p>{@code -Dhorn.require.gpu=true} (or {@code HORN_REQUIRE_GPU=1}), as set by {@code
 * horn-cuda/run-gpu-checks.sh}, turns the {@code gpu}-tagged checks from skips into failures when
 * CUDA is not usable.
 */
class CudaProbeTest {

  /** Whether this run must find a usable GPU (run-gpu-checks.sh sets it). */
  static boolean gpuRequired() {
    String p = System.getProperty("horn.require.gpu", "");
    String e = System.getenv("HORN_REQUIRE_GPU");
    return p.equalsIgnoreCase("true") || "1".equals(e) || "true".equalsIgnoreCase(e);
  }

  @Test
  void probingNeverThrowsAndIsCached() throws Exception {
    CudaProbe.Result first = CudaProbe.result();
    System.out.println("[CudaProbeTest] " + first.describe());
    assertSame(first, CudaProbe.result(), "the probe must run once and cache its result");

    // Concurrent first callers all see the one result.
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<CudaProbe.Result>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        calls.add(CudaProbe::result);
      }
      for (Future<CudaProbe.Result> f : pool.invokeAll(calls)) {
        assertSame(first, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reportsWhatItFound() {
    CudaProbe.Result r = CudaProbe.result();
    assertFalse(r.reason.isEmpty(), "the probe gives no reason: " + r.describe());
    assertFalse(r.describe().contains("\n"), "describe() is one line: " + r.describe());
    if (r.usable) {
      System.out.println("[CudaProbeTest] GPU found: " + r.describe());
      assertFalse(r.device.isEmpty(), "usable without a device name");
      assertTrue(r.deviceCount > 0);
      assertTrue(r.computeMajor > 0, "compute capability " + r.computeMajor);
      assertTrue(r.totalMemory > 0, "device memory " + r.totalMemory);
      assertTrue(r.ptx, "usable without the kernels' PTX");
      assertEquals(r.describeDevice(), r.reason);
      assertTrue(r.cublas || !r.cublasReason.isEmpty(),
          "without cuBLAS the probe must say why");
    } else {
      System.out.println("[CudaProbeTest] no usable GPU here, so the GPU-side assertions are"
          + " skipped; reason: " + r.reason);
      String why = r.reason.toLowerCase(Locale.ROOT);
      assertTrue(why.contains("driver") || why.contains("device") || why.contains("jcuda")
          || why.contains("ptx"), "the reason should name what is missing: " + r.reason);
      if (r.deviceCount == 0) {
        assertTrue(r.device.isEmpty());
        assertFalse(r.cublas, "cuBLAS is only probed once a device was found");
      }
    }
  }

  @Test
  void noDriverReasonHere() {
    CudaProbe.Result r = CudaProbe.result();
    assumeTrue(!r.usable && r.reason.contains("libcuda"),
        "skipped: this machine has a CUDA driver; the probe says: " + r.describe());
    assertEquals("no CUDA driver: libcuda.so.1 not found", r.reason);
    assertEquals(0, r.deviceCount);
  }

  /** The JVM's texts for a missing libcuda / libcublas, as JCuda 12.0.0 throws them. */
  @Test
  void reasonsFromNativeLoadFailures() {
    UnsatisfiedLinkError noDriver = new UnsatisfiedLinkError(
        "Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
        + "Stack trace from the attempt to load the library as a file:\n"
        + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.0.0-linux-x86_64 in"
        + " java.library.path: /usr/lib\n"
        + "Stack trace from the attempt to load the library as a resource:\n"
        + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so:"
        + " libcuda.so.1: cannot open shared object file: No such file or directory\n");
    assertEquals("no CUDA driver: libcuda.so.1 not found",
        CudaProbe.nativeLoadFailure(noDriver, "libcuda.so", "no CUDA driver"));

    // A later call: the class failed to initialise; the cause carries the first error's text.
    NoClassDefFoundError later =
        new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
    later.initCause(new ExceptionInInitializerError("Exception " + noDriver.getMessage()));
    assertEquals("no CUDA driver: libcuda.so.1 not found",
        CudaProbe.nativeLoadFailure(later, "libcuda.so", "no CUDA driver"));

    UnsatisfiedLinkError noCublas = new UnsatisfiedLinkError(
        "Error while loading native library \"JCublas2-12.0.0-linux-x86_64\"\n"
        + "java.lang.UnsatisfiedLinkError: /tmp/libJCublas2-12.0.0-linux-x86_64.so:"
        + " libcublas.so.12: cannot open shared object file: No such file or directory\n");
    assertEquals("cuBLAS 12 not installed: libcublas.so.12 not found",
        CudaProbe.nativeLoadFailure(noCublas, "libcublas.so", "cuBLAS 12 not installed"));

    // Another missing library is named as such; an unknown failure keeps its first line.
    UnsatisfiedLinkError other = new UnsatisfiedLinkError(
        "/tmp/libJCublas2.so: libcublasLt.so.12: cannot open shared object file");
    assertEquals("JCuda's native library could not load: libcublasLt.so.12 not found",
        CudaProbe.nativeLoadFailure(other, "libcublas.so", "cuBLAS 12 not installed"));
    String tmp = CudaProbe.nativeLoadFailure(
        new UnsatisfiedLinkError("Could not create temp file\nmore"), "libcuda.so", "x");
    assertTrue(tmp.contains("java.io.tmpdir") && tmp.contains("Could not create temp file")
        && !tmp.contains("more"), tmp);
  }

  /** On a GPU machine (run-gpu-checks.sh): the probe must find it. */
  @Tag("gpu")
  @Test
  void gpuIsFoundWhereRequired() {
    CudaProbe.Result r = CudaProbe.result();
    if (!r.usable && !gpuRequired()) {
      System.out.println("[CudaProbeTest] gpu check skipped (no usable GPU and"
          + " horn.require.gpu is not set): " + r.reason);
    }
    assumeTrue(r.usable || gpuRequired(), "skipped: no usable GPU: " + r.reason);
    assertTrue(r.usable, "CUDA must be usable on this machine, but: " + r.describe());
    System.out.println("[CudaProbeTest] " + r.describe() + "; devices: " + r.deviceCount
        + (r.cublas ? "" : "; cuBLAS: " + r.cublasReason));
  }
}
