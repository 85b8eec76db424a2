package io.horn.cuda;

import io.horn.core.DropoutNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.Availability;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;

/**
 * The GPU backend: whole-layer kernels and sgemm on an NVIDIA device through JCuda. Selected with
 * {@code horn.math.backend=cuda}, or by {@code auto} (priority 100, above the CPU's 0) when {@link
 * CudaProbe} finds a usable device and the network uses only what the kernels implement.
 *
 * <p>{@link #availability()} never throws: without a driver, a device or the kernels it reports
 * the probe's reason. Stateless and thread-safe.
 */
public final class CudaBackend implements MathBackend {
  /** Its {@code horn.math.backend} name. */
  public static final String NAME = "cuda";
  /** Above the CPU backend's 0. */
  public static final int PRIORITY = 100;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  /**
   * Usable: {@code NVIDIA <name>, compute x.y, N GiB, cuBLAS} (or {@code own sgemm kernel} when
   * cuBLAS 12 is missing); unusable: the probe's reason.
   */
  @Override
  public Availability availability() {
    CudaProbe.Result r = CudaProbe.result();
    return r.usable ? Availability.usable(r.reason) : Availability.unusable(r.reason);
  }

  /**
   * True only for networks of built-in neurons ({@link StandardNeuron}, {@link DropoutNeuron},
   * exactly) on the fast path, whose functions and cost the kernels implement; user-written
   * neurons run on the CPU's per-neuron path.
   */
  @Override
  public boolean supports(NetworkSpec spec, TrainingSettings settings) {
    return unsupported(spec, settings) == null;
  }

  @Override
  public String whyUnsupported(NetworkSpec spec, TrainingSettings settings) {
    String why = unsupported(spec, settings);
    return why != null ? why : "it can run this network";
  }

  /** Why this backend cannot run {@code spec}, or null when it can. */
  public static String unsupported(NetworkSpec spec, TrainingSettings settings) {
    if (!settings.fastPath) {
      return "horn.neuron.fastpath=false sends built-in neurons to the CPU's per-neuron path";
    }
    for (int l = 0; l < spec.depth(); l++) {
      LayerSpec layer = spec.layer(l);
      Class<?> neuron = layer.neuron();
      if (neuron != StandardNeuron.class && neuron != DropoutNeuron.class) {
        return "layer " + l + " has the user-written neuron " + neuron.getName()
            + ", which runs on the CPU's per-neuron path";
      }
    }
    try {
      return LayerMath.unsupported(spec, settings);
    } catch (Throwable t) { // a kernel table that cannot load means no kernels, not a crash
      return "the GPU kernels' tables could not load: " + CudaProbe.oneLine(t);
    }
  }

  /** An engine that multiplies with cuBLAS when it loads here, else with its own kernel. */
  @Override
  public NetworkEngine createEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch) {
    CudaProbe.Result probe = CudaProbe.result();
    return new CudaNetworkEngine(spec, settings, maxBatch, probe, probe.cublas);
  }

  /**
   * An engine with a chosen matrix-product path: {@code cublas} true requires cuBLAS (an
   * {@link IllegalArgumentException} names why it is unavailable), false uses Horn's own tiled
   * sgemm kernel even where cuBLAS loads (to check one path against the other).
   *
   * @throws IllegalStateException when CUDA is not usable here or the engine cannot start
   */
  public NetworkEngine createEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch,
      boolean cublas) {
    return new CudaNetworkEngine(spec, settings, maxBatch, CudaProbe.result(), cublas);
  }
}
