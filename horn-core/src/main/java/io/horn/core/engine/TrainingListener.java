package io.horn.core.engine;

/**
 * Receives a trainer's progress. Called on the training thread, between steps; keep it quick.
 * All methods default to doing nothing.
 */
public interface TrainingListener {

  /** Every convergence-check interval: the mean cost over the interval and the throughput. */
  default void onProgress(int epoch, long step, double meanCost, double samplesPerSecond) {}

  /**
   * After every step, with the engine (read its weights with {@code getParameters}; do not
   * change them). For benchmarks and checkpoints; keep it cheap.
   */
  default void afterStep(long step, io.horn.core.math.NetworkEngine engine) {}

  /** After each epoch; {@code test} is null when no test set was given. */
  default void onEpoch(int epoch, long step, Evaluation test) {}
}
