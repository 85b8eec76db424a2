package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import org.junit.jupiter.api.Test;

/**
 * The engine's error paths that can be reached without a GPU, with JCuda's real classes and
 * native loading: a construction that fails inside JCuda becomes one clear {@link
 * IllegalStateException} (never a bare {@link LinkageError}); return codes become messages that
 * name the call; the release of what a failed constructor took; argument checks before copies.
 */
class CudaEngineErrorsTest {
  private static final TrainingSettings S = TrainingSettings.from(new HornConfiguration());
  private static final NetworkSpec NET = new NetworkSpec(List.of(
      new LayerSpec(6, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(5, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(3, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);

  /** A probe result that claims a GPU, to drive the engine into JCuda on this machine. */
  private static CudaProbe.Result claimedGpu(boolean cublas) {
    return new CudaProbe.Result(true, "claimed", "Claimed GPU", cublas,
        cublas ? "" : "cuBLAS 12 not installed: libcublas.so.12 not found", 1, 9, 0, 1L << 34,
        true);
  }

  @Test
  void startWithoutDriverFailsWithTheReasonNotALinkageError() {
    CudaProbe.Result real = CudaProbe.result();
    assumeTrue(!real.usable && real.reason.contains("libcuda"),
        "this machine has a CUDA driver (" + real.describe() + "); the GPU checks cover start-up");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new CudaNetworkEngine(NET, S, 4, claimedGpu(false), false));
    assertTrue(e.getMessage().startsWith("the cuda engine could not start on Claimed GPU: ")
        && e.getMessage().contains("no CUDA driver: libcuda.so.1 not found"), e.getMessage());
    assertTrue(e.getCause() instanceof LinkageError, "cause kept: " + e.getCause());
    // A second attempt meets JCuda's failed class initialisation: still a clear message.
    IllegalStateException again = assertThrows(IllegalStateException.class,
        () -> new CudaNetworkEngine(NET, S, 4, claimedGpu(false), false));
    assertTrue(again.getMessage().startsWith("the cuda engine could not start on Claimed GPU: ")
        && again.getMessage().contains("libcuda.so.1 not found"), again.getMessage());
  }

  @Test
  void cublasAskedForButMissingIsRefusedWithItsReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CudaNetworkEngine(NET, S, 4, claimedGpu(false), true));
    assertTrue(e.getMessage().contains("libcublas.so.12 not found"), e.getMessage());
  }

  @Test
  void returnCodesBecomeMessagesNamingTheCall() {
    Cuda.check(CUresult.CUDA_SUCCESS, "cuInit");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Cuda.check(CUresult.CUDA_ERROR_LAUNCH_FAILED, "launch of relu_forward (4 × 256)"));
    assertEquals("launch of relu_forward (4 × 256) failed: CUDA_ERROR_LAUNCH_FAILED (719)",
        e.getMessage());
    IllegalStateException b = assertThrows(IllegalStateException.class,
        () -> Cuda.checkBlas(cublasStatus.CUBLAS_STATUS_EXECUTION_FAILED, "cublasSgemm"));
    assertEquals("cublasSgemm failed: CUBLAS_STATUS_EXECUTION_FAILED (13)", b.getMessage());
    assertEquals("CUresult 99999", Cuda.resultName(99999));
    Cuda.checkBlas(cublasStatus.CUBLAS_STATUS_SUCCESS, "cublasCreate");
  }

  @Test
  void missingPtxIsNamed() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cuda.load(null));
    assertTrue(e.getMessage().contains("PTX") && e.getMessage().contains("nvcc"),
        e.getMessage());
  }

  @Test
  void kernelArgumentsOfAnUnknownTypeAreRefused() {
    Pointer p = DeviceKernels.pack("scale", new Object[] {3, 2f, new Pointer()});
    assertTrue(p != null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DeviceKernels.pack("scale", new Object[] {3, 2.0, new Pointer()}));
    assertEquals("kernel argument 1 of scale has unsupported type java.lang.Double",
        e.getMessage());
  }

  @Test
  void copiesOutsideEitherSideAreRefused() {
    DeviceBuffer.checkRange(0, 10, 10, 0, 10);
    DeviceBuffer.checkRange(5, 5, 10, 2, 7);
    assertEquals("copy of 6 floats at device offset 5 (buffer of 10) and host offset 0 (array of"
        + " 100)", assertThrows(IndexOutOfBoundsException.class,
            () -> DeviceBuffer.checkRange(5, 6, 10, 0, 100)).getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> DeviceBuffer.checkRange(0, 5, 10, 3, 7));
    assertThrows(IndexOutOfBoundsException.class, () -> DeviceBuffer.checkRange(-1, 1, 10, 0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> DeviceBuffer.checkRange(0, -1, 10, 0, 1));
  }

  @Test
  void resourcesAreReleasedNewestFirstEvenWhenAReleaseFails() {
    List<String> released = new ArrayList<>();
    Resources r = new Resources();
    r.add(() -> released.add("context"));
    r.add(() -> {
      released.add("stream");
      throw new IllegalStateException("cuStreamDestroy failed");
    });
    r.add(() -> released.add("buffer"));
    IllegalStateException cause = new IllegalStateException("cuMemAlloc of 4 bytes failed");
    assertTrue(r.closeAfter(cause) == cause);
    assertEquals(List.of("buffer", "stream", "context"), released);
    assertEquals(1, cause.getSuppressed().length);
    assertEquals("cuStreamDestroy failed", cause.getSuppressed()[0].getMessage());
    assertEquals(0, r.size());
    r.close(); // nothing left: no second release
    assertEquals(3, released.size());
  }

  @Test
  void closeReportsTheFirstFailureAndStillReleasesTheRest() {
    List<String> released = new ArrayList<>();
    Resources r = new Resources();
    r.add(() -> released.add("a"));
    r.add(() -> {
      throw new UnsatisfiedLinkError("libcuda.so.1");
    });
    r.add(() -> {
      throw new IllegalStateException("first");
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, r::close);
    assertEquals("first", e.getMessage());
    assertEquals(1, e.getSuppressed().length);
    assertEquals(List.of("a"), released);
  }

  @Test
  void argumentsAreCheckedBeforeAnyCopy() {
    EngineArgs a = new EngineArgs(6, 3, 53, 4);
    a.batch(new float[24], new float[12], 4);
    assertEquals("batch of 5 samples, engine takes 1..4", assertThrows(
        IllegalArgumentException.class, () -> a.batch(new float[30], new float[15], 5))
        .getMessage());
    assertEquals("features hold 23 floats, need 24 (6 × 4)", assertThrows(
        IllegalArgumentException.class, () -> a.batch(new float[23], new float[12], 4))
        .getMessage());
    assertEquals("targets hold 11 floats, need 12", assertThrows(
        IllegalArgumentException.class, () -> a.batch(new float[24], new float[11], 4))
        .getMessage());
    assertEquals("gradient sums has 52 entries, need 53", assertThrows(
        IllegalArgumentException.class, () -> a.parameters(new float[52], "gradient sums"))
        .getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.predict(new float[11], 2, new float[6]));
    assertThrows(IllegalArgumentException.class, () -> a.predict(new float[12], 2, new float[5]));
    assertThrows(IllegalArgumentException.class, () -> a.batch(new float[0], new float[0], 0));
    a.predict(new float[12], 2, new float[6]);
    assertFalse(NET.parameterCount() != 53, "the network above has 53 parameters");
  }
}
