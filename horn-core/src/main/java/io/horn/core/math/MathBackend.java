package io.horn.core.math;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.NetworkSpec;

/**
 * A service provider that runs networks on some hardware, found with {@link
 * java.util.ServiceLoader} (register the class in {@code
 * META-INF/services/io.horn.core.math.MathBackend}): adding a backend's jar to the class path is
 * all a user does.
 *
 * <p>Contract: a public no-argument constructor; {@link #availability()} never throws, not even
 * when native libraries are missing (it reports the reason instead); thread-safe.
 */
public interface MathBackend {

  /** The name users select it by ({@code horn.math.backend}), e.g. "cpu" or "cuda". */
  String name();

  /** Higher wins under {@code auto}. The CPU backend is 0. */
  int priority();

  /** Whether the backend can run here; probes hardware and native libraries. */
  Availability availability();

  /**
   * Whether it can run this network: device backends may not run user-written neurons, which
   * execute on the CPU's per-neuron path.
   */
  default boolean supports(NetworkSpec spec, TrainingSettings settings) {
    return true;
  }

  /** Why {@link #supports} is false for this network, in words (for logs and errors). */
  default String whyUnsupported(NetworkSpec spec, TrainingSettings settings) {
    return "it cannot run this network";
  }

  /** A new engine for {@code spec} taking batches of up to {@code maxBatch} samples. */
  NetworkEngine createEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch);
}
