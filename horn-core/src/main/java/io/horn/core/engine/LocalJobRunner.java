package io.horn.core.engine;

import io.horn.core.HornJob;
import io.horn.core.JobRunner;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.math.MathBackend;
import io.horn.core.math.MathBackends;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HornJob} in this JVM with the in-process {@link Trainer}: loads the training (and
 * test) data through the registered dataset formats, trains, and writes the model atomically.
 */
public final class LocalJobRunner implements JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(LocalJobRunner.class);

  @Override
  public String name() {
    return "local";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public boolean run(HornJob job, boolean verbose) throws IOException {
    HornConfiguration conf = job.getConfiguration();
    NetworkSpec spec = job.getNetworkSpec();
    TrainingSettings settings = TrainingSettings.from(conf);
    String trainPath = conf.get(HornOptions.TRAINING_PATH);
    if (trainPath.isEmpty()) {
      throw new IllegalArgumentException("no training data: set " + HornOptions.TRAINING_PATH.key()
          + " (HornJob.setTrainingSetPath)");
    }
    DataShape shape = new DataShape(spec.inputSize(), spec.outputSize());
    Dataset train = Datasets.open(trainPath, shape);
    String testPath = conf.get(HornOptions.TEST_PATH);
    Dataset test = testPath.isEmpty() ? null : Datasets.open(testPath, shape);
    MathBackend backend = MathBackends.select(conf.get(HornOptions.MATH_BACKEND), spec, settings);
    if (verbose) {
      LOG.info("training {} on {} samples from {} ({} parameters, batch {})", spec,
          train.size(), trainPath, spec.parameterCount(), settings.batchSize);
    }
    if (backend instanceof CpuBackend) {
      // Which path each layer's neurons take, and why a user neuron runs one sample at a time.
      for (LayerPaths.Path p : LayerPaths.of(spec, settings)) {
        LOG.info("layer {}: {}", p.layer(), p.describe());
      }
    }
    long budget = settings.stepBudget(train.size());
    ProgressBoard board = verbose
        ? new ProgressBoard(System.out, ProgressBoard.isInteractive(), budget, 500, 10) : null;
    List<HistoryRecord> history = new ArrayList<>();
    long start = System.nanoTime();
    TrainingListener progress = new TrainingListener() {
      private double lastMean = Double.NaN;

      @Override
      public void onProgress(int epoch, long step, double meanCost, double samplesPerSecond) {
        lastMean = meanCost;
        record(step, meanCost, Double.NaN);
        if (board != null) {
          board.update(0, epoch, step, meanCost, samplesPerSecond);
        }
      }

      @Override
      public void onEpoch(int epoch, long step, Evaluation eval) {
        if (eval != null) {
          // History records carry the training cost; the epoch's test cost is not comparable.
          record(step, lastMean, eval.accuracy());
          if (board != null) {
            board.accuracy(0, eval.accuracy());
          }
        }
      }

      private void record(long step, double cost, double acc) {
        history.add(new HistoryRecord((System.nanoTime() - start) / 1e9, step, cost, acc));
      }
    };
    Model model;
    try {
      model = new Trainer(spec, settings, backend).fit(train, test, progress);
    } finally {
      if (board != null) {
        board.close();
      }
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(MetadataKeys.DATA_TRAINING, trainPath);
    meta.put(MetadataKeys.DATA_TEST, testPath);
    meta.put(MetadataKeys.RUNNER, name());
    meta.put(MetadataKeys.BACKEND, backend.name());
    meta.put(MetadataKeys.history(0), HistoryRecord.encode(history));
    for (Map.Entry<String, String> e : conf.asMap().entrySet()) {
      if (e.getKey().startsWith("horn.")) {
        meta.put(MetadataKeys.conf(e.getKey()), e.getValue());
      }
    }
    model = model.withMetadata(meta);
    job.setModel(model);
    String modelPath = conf.get(HornOptions.MODEL_PATH);
    if (!modelPath.isEmpty()) {
      ModelFile.save(model, Paths.get(modelPath));
      if (verbose) {
        LOG.info("model written to {}", modelPath);
      }
    }
    if (board != null) {
      Map<String, String> totals = new LinkedHashMap<>();
      totals.put("steps", model.metadata().get(MetadataKeys.TRAINED_STEPS));
      totals.put("test accuracy", model.metadata().getOrDefault(MetadataKeys.TEST_ACCURACY, "-"));
      totals.put("model", modelPath.isEmpty() ? "(not written)" : modelPath);
      board.summary(totals);
    }
    return true;
  }
}
