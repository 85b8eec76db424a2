package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.math.Gradients;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import io.horn.core.data.Shuffle;
import java.util.SplittableRandom;

/**
 * The in-process trainer: mini-batch training of a network on an in-memory dataset, on one
 * machine. Unit tests, benchmarks and the BSP peers of horn-bsp share it.
 *
 * <p>Reproducible: initialisation, shuffling and dropout derive from {@code horn.seed}, so two
 * runs with the same settings, data and backend give the same bits. Not thread-safe: one
 * {@link #fit} at a time.
 */
public final class Trainer {
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final MathBackend backend;

  public Trainer(NetworkSpec spec, TrainingSettings settings, MathBackend backend) {
    this.spec = checkNotNull(spec, "spec");
    this.settings = checkNotNull(settings, "settings");
    this.backend = checkNotNull(backend, "backend");
  }

  /** Initial parameters from the seed. */
  public float[] initialParameters() {
    return Initializer.initialize(spec, settings.initialization, settings.seed);
  }

  /** Trains from freshly initialised weights. */
  public Model fit(Dataset train, Dataset test, TrainingListener listener) {
    return fit(train, test, listener, initialParameters());
  }

  /**
   * Trains from {@code start}.
   *
   * @param test evaluated after each epoch, or null
   * @param listener progress, or null
   */
  public Model fit(Dataset train, Dataset test, TrainingListener listener, float[] start) {
    checkNotNull(train, "train");
    checkShape(train, "training");
    if (test != null) {
      checkShape(test, "test");
    }
    checkArgument(train.size() > 0, "the training data is empty");
    TrainingListener l = listener != null ? listener : new TrainingListener() {};
    int batch = settings.batchSize;
    int in = spec.inputSize();
    int out = spec.outputSize();
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[in * batch];
    float[] t = new float[out * batch];
    Gradients g = new Gradients(spec.parameterCount());
    long step = 0;
    double intervalCost = 0;
    long intervalSamples = 0;
    long intervalStart = System.nanoTime();
    Evaluation last = null;
    int epoch = 0;
    boolean done = false;
    try (NetworkEngine engine = backend.createEngine(spec, settings, batch)) {
      engine.setParameters(start);
      while (!done && (settings.epochs == 0 || epoch < settings.epochs)) {
        if (settings.shuffle) {
          Shuffle.shuffle(order, new SplittableRandom(settings.seed + 31L * epoch));
        }
        for (int from = 0; from < order.length && !done; from += batch) {
          int b = Math.min(batch, order.length - from);
          train.fill(order, from, b, x, in, t);
          double cost = engine.trainStep(x, t, b, step, g);
          if (!Double.isFinite(cost)) {
            throw new TrainingDivergedException("training diverged at step " + step + " (epoch "
                + (epoch + 1) + "): the cost became " + cost + "; lower horn.learning.rate"
                + " (now " + settings.learningRate + ") or check the data for extreme values");
          }
          step++;
          l.afterStep(step, engine);
          intervalCost += cost;
          intervalSamples += b;
          if (step % settings.convergenceCheckInterval == 0) {
            double mean = intervalCost / intervalSamples;
            double secs = (System.nanoTime() - intervalStart) / 1e9;
            l.onProgress(epoch + 1, step, mean, intervalSamples / secs);
            done = mean < settings.convergenceThreshold;
            intervalCost = 0;
            intervalSamples = 0;
            intervalStart = System.nanoTime();
          }
          done |= settings.maxIterations > 0 && step >= settings.maxIterations;
        }
        epoch++;
        last = test != null ? Evaluation.of(engine, test) : null;
        l.onEpoch(epoch, step, last);
      }
      float[] params = new float[spec.parameterCount()];
      engine.getParameters(params);
      for (int i = 0; i < params.length; i++) {
        if (!Float.isFinite(params[i])) {
          throw new TrainingDivergedException("training diverged: parameter " + i + " is "
              + params[i] + " after step " + step + "; lower horn.learning.rate (now "
              + settings.learningRate + ")");
        }
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put(MetadataKeys.TRAINED_AT, Instant.now().toString());
      meta.put(MetadataKeys.TRAINED_STEPS, Long.toString(step));
      meta.put(MetadataKeys.TRAINED_EPOCHS, Integer.toString(epoch));
      meta.put(MetadataKeys.TRAINED_SAMPLES, Integer.toString(train.size()));
      if (backend instanceof CpuBackend) {
        meta.putAll(LayerPaths.metadata(spec, settings));
      }
      if (last != null) {
        meta.put(MetadataKeys.TEST_ACCURACY, Double.toString(last.accuracy()));
        meta.put(MetadataKeys.TEST_SAMPLES, Integer.toString(last.samples()));
      }
      return new Model(spec, params, meta);
    }
  }

  private void checkShape(Dataset d, String what) {
    if (d.featureCount() != spec.inputSize()) {
      throw new IllegalArgumentException(what + " data has " + d.featureCount()
          + " features per sample but the input layer has " + spec.inputSize() + " neurons");
    }
    if (d.targetCount() != spec.outputSize()) {
      throw new IllegalArgumentException(what + " data has " + d.targetCount()
          + " targets per sample but the output layer has " + spec.outputSize() + " neurons");
    }
  }
}
