package io.horn.core.engine;

/**
 * Receives a trainer's progress. Called on the training thread, between steps; keep it quick.
 * All methods default to doing nothing.
 */
public interface TrainingListener {

  /** Every convergence-check interval: the mean cost over the interval and the throughput. */
  default void onProgress(int epoch, long step, double meanCost, double samplesPerSecond) {}

  /** After each epoch; {@code test} is null when no test set was given. */
  default void onEpoch(int epoch, long step, Evaluation test) {}
}
