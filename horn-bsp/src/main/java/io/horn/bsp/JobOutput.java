package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Evaluation;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.ModelFile;
import io.horn.core.model.ParameterStream;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a job: evaluate the final weights on the held-out set, when one is given, and write
 * the model atomically to the model path (local file system or HDFS). A failed evaluation (the
 * test data gone or unreadable by now) does not cost the model: it is written first, without a
 * test accuracy, and the failure is reported after.
 */
final class JobOutput {
  private static final Logger LOG = LoggerFactory.getLogger(JobOutput.class);

  private JobOutput() {}

  static void finish(HornConfiguration conf, NetworkSpec spec, TrainingSettings settings,
      float[] weights, Map<String, String> meta, Configuration hadoop) throws IOException {
    finish(conf, spec, settings, weights, ParameterStream.of(weights), meta, hadoop);
  }

  /**
   * The end of a job whose trainer does not hold the whole vector (a model-parallel leader):
   * its parameters come piece by piece as the model is written, and {@code meta} already holds
   * the test score when there is a test set (the trainer scored the model itself).
   */
  static void finish(HornConfiguration conf, NetworkSpec spec, TrainingSettings settings,
      ParameterStream parameters, Map<String, String> meta, Configuration hadoop)
      throws IOException {
    finish(conf, spec, settings, null, parameters, meta, hadoop);
  }

  private static void finish(HornConfiguration conf, NetworkSpec spec, TrainingSettings settings,
      float[] weights, ParameterStream parameters, Map<String, String> meta,
      Configuration hadoop) throws IOException {
    meta.put(MetadataKeys.TRAINED_AT, Instant.now().toString());
    meta.put(MetadataKeys.DATA_TRAINING, conf.get(HornOptions.TRAINING_PATH));
    String testPath = conf.get(HornOptions.TEST_PATH);
    String modelPath = conf.get(HornOptions.MODEL_PATH);
    IOException evaluation = null;
    boolean scored = meta.containsKey(MetadataKeys.TEST_ACCURACY)
        || meta.containsKey(MetadataKeys.TEST_ERROR);
    if (!testPath.isEmpty() && !scored && weights != null) {
      meta.put(MetadataKeys.DATA_TEST, testPath);
      try (NetworkEngine e = new CpuBackend().createEngine(spec, settings, 1000)) {
        Dataset test = Datasets.open(testPath, InputCheck.shape(spec));
        e.setParameters(weights);
        Evaluation ev = Evaluation.of(e, test);
        meta.put(MetadataKeys.TEST_ACCURACY, Double.toString(ev.accuracy()));
        meta.put(MetadataKeys.TEST_SAMPLES, Integer.toString(ev.samples()));
        LOG.info("test {}", ev);
      } catch (IOException | RuntimeException e) {
        // The trained weights matter more than their score: save them, then report.
        meta.put(MetadataKeys.TEST_ERROR, String.valueOf(e.getMessage()));
        evaluation = new IOException("evaluating the trained model on " + testPath + " failed: "
            + e.getMessage() + (modelPath.isEmpty() ? ""
                : "; the model was saved to " + modelPath + " without a test accuracy"), e);
        LOG.error(evaluation.getMessage());
      }
    }
    meta.putAll(configuration(conf));
    if (!modelPath.isEmpty()) {
      // Streamed, never copied: the model may be larger than what the task can hold twice.
      write(spec, meta, parameters, new Path(modelPath), hadoop);
      LOG.info("model written to {}", modelPath);
    }
    if (evaluation != null) {
      throw evaluation;
    }
  }

  /**
   * The job's configuration as model metadata ({@code conf.<key>}), without the runner's own
   * plumbing: the job's secret, its input mode, the checkpoint it resumed from.
   */
  static Map<String, String> configuration(HornConfiguration conf) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : conf.asMap().entrySet()) {
      if (!e.getKey().equals(TaskFailures.TOKEN) && !e.getKey().startsWith("horn.bsp.")
          && !e.getKey().equals(Checkpoints.RESUME_FROM)) {
        m.put(MetadataKeys.conf(e.getKey()), e.getValue());
      }
    }
    return m;
  }

  /** Local paths: ModelFile's own temp-and-rename. Others: upload a temp file, then rename. */
  static void write(NetworkSpec spec, Map<String, String> meta, ParameterStream parameters,
      Path path, Configuration hadoop) throws IOException {
    FileSystem fs = path.getFileSystem(hadoop);
    if (fs instanceof LocalFileSystem) {
      ModelFile.save(spec, meta, parameters, Paths.get(path.toUri().getPath()));
      return;
    }
    java.nio.file.Path local = Files.createTempFile("horn-model", ".bin");
    Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp-" + System.nanoTime());
    try {
      ModelFile.save(spec, meta, parameters, local);
      fs.mkdirs(path.getParent());
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
      FileContext.getFileContext(path.toUri(), hadoop).rename(tmp, path,
          Options.Rename.OVERWRITE);
    } finally {
      Files.deleteIfExists(local);
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }
}
