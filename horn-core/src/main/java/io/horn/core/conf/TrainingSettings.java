package io.horn.core.conf;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.TrainingMethod;

/**
 * The training hyper-parameters of a job, read once from a {@link HornConfiguration} through the
 * typed options (so a bad value fails here, naming its key).
 *
 * <p>Immutable and thread-safe.
 */
public final class TrainingSettings {
  public final float learningRate;
  public final float momentumWeight;
  public final float regularizationWeight;
  public final TrainingMethod method;
  public final float adamBeta1;
  public final float adamBeta2;
  public final float adamEpsilon;
  public final int batchSize;
  public final int epochs;
  public final long maxIterations;
  public final int convergenceCheckInterval;
  public final float convergenceThreshold;
  public final long seed;
  public final String initialization;
  public final boolean shuffle;
  public final int threads;
  public final boolean fastPath;
  public final boolean widen;

  private TrainingSettings(HornConfiguration c) {
    learningRate = c.get(HornOptions.LEARNING_RATE);
    momentumWeight = c.get(HornOptions.MOMENTUM_WEIGHT);
    regularizationWeight = c.get(HornOptions.REGULARIZATION_WEIGHT);
    method = c.get(HornOptions.TRAINING_METHOD);
    adamBeta1 = c.get(HornOptions.ADAM_BETA1);
    adamBeta2 = c.get(HornOptions.ADAM_BETA2);
    adamEpsilon = c.get(HornOptions.ADAM_EPSILON);
    batchSize = c.get(HornOptions.BATCH_SIZE);
    epochs = c.get(HornOptions.EPOCHS);
    maxIterations = c.get(HornOptions.MAX_ITERATIONS);
    convergenceCheckInterval = c.get(HornOptions.CONVERGENCE_CHECK_INTERVAL);
    convergenceThreshold = c.get(HornOptions.CONVERGENCE_THRESHOLD);
    seed = c.get(HornOptions.SEED);
    initialization = c.get(HornOptions.INITIALIZATION);
    shuffle = c.get(HornOptions.SHUFFLE);
    threads = c.get(HornOptions.THREADS);
    fastPath = c.get(HornOptions.FAST_PATH);
    widen = c.get(HornOptions.WIDEN);
    if (epochs == 0 && maxIterations == 0) {
      throw new IllegalArgumentException("the run has no end: set " + HornOptions.EPOCHS.key()
          + " or " + HornOptions.MAX_ITERATIONS.key() + " above 0");
    }
  }

  public static TrainingSettings from(HornConfiguration conf) {
    return new TrainingSettings(checkNotNull(conf, "conf"));
  }

  /**
   * The run's length in mini-batch steps over {@code samples} training samples:
   * {@code horn.max.iterations} when set, else {@code horn.epochs} passes of
   * {@code ceil(samples / batch)} steps. Distributed jobs share it between their groups.
   */
  public long stepBudget(long samples) {
    return maxIterations > 0 ? maxIterations
        : (long) epochs * ((samples + batchSize - 1) / batchSize);
  }

  /** The defaults, with every option unset. */
  public static TrainingSettings defaults() {
    return new TrainingSettings(new HornConfiguration());
  }
}
