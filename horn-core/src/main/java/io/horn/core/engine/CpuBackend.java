package io.horn.core.engine;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.Availability;
import io.horn.core.math.Blas;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;

/**
 * The default backend: BLAS on the CPU for built-in layers, the per-neuron path for user-written
 * ones. Always usable; it reports whether native BLAS was found.
 */
public final class CpuBackend implements MathBackend {
  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Availability availability() {
    return Availability.usable(Blas.describe(Blas.get()));
  }

  @Override
  public NetworkEngine createEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch) {
    return new CpuNetworkEngine(spec, settings, maxBatch);
  }

  /** BLAS time of an engine made here, or -1 for another engine (benchmarks). */
  public static long blasNanos(NetworkEngine e) {
    return e instanceof CpuNetworkEngine ? ((CpuNetworkEngine) e).blasNanos() : -1;
  }

  /** Threads an engine made here splits its steps over, or 1 for another engine (benchmarks). */
  public static int stepThreads(NetworkEngine e) {
    return e instanceof CpuNetworkEngine ? ((CpuNetworkEngine) e).stepThreads() : 1;
  }

  /**
   * Nanoseconds an engine made here spent in each piece of its steps, by piece name (BLAS, INPUT,
   * ACTIVATE, COST, DERIVATIVE, NEURONS, UPDATE, SYNC), or an empty map for another engine
   * (benchmarks).
   */
  public static java.util.Map<String, Long> phaseNanos(NetworkEngine e) {
    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
    if (e instanceof CpuNetworkEngine) {
      long[] v = ((CpuNetworkEngine) e).phaseNanos();
      for (StepPhases.Phase p : StepPhases.Phase.values()) {
        m.put(p.name(), v[p.ordinal()]);
      }
    }
    return m;
  }
}
