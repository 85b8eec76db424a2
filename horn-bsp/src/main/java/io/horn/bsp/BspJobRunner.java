package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointStore;
import io.horn.bsp.io.HornInputFormat;
import io.horn.bsp.io.SampleWritable;
import io.horn.bsp.io.SequenceFileDatasetFormat;
import io.horn.bsp.io.TextDatasetFormat;
import io.horn.bsp.io.TextSampleInputFormat;
import io.horn.core.HornJob;
import io.horn.core.JobRunner;
import io.horn.core.conf.ConfigOption;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.engine.ProgressBoard;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.NullOutputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HornJob} as a Hama BSP job: in local mode (peers as threads; the default) or on
 * the cluster that {@code bsp.master.address} names (from {@code hama-site.xml} on the class path
 * or the job's configuration). SequenceFile input is split over the workers by Hama; other
 * formats (MNIST idx files) are sliced by the workers themselves.
 */
public final class BspJobRunner implements JobRunner {
  /** How long a new attempt waits for the slots of the failed one's tasks. */
  private static final long SLOT_WAIT_MILLIS = 120_000;
  private static final Logger LOG = LoggerFactory.getLogger(BspJobRunner.class);

  @Override
  public String name() {
    return "bsp";
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public boolean run(HornJob job, boolean verbose) throws IOException, InterruptedException {
    HornConfiguration conf = job.getConfiguration().copy();
    NetworkSpec spec = job.getNetworkSpec();
    TrainingSettings.from(conf);
    JobLayout layout = new JobLayout(conf);
    if (layout.shards > 1 && CheckpointStore.directoryOf(conf) != null) {
      LOG.warn("no checkpoints: a parameter server of {} shards cuts none ({})", layout.shards,
          HornOptions.PARAMSERVER_SHARDS.key());
    }
    String trainPath = conf.get(HornOptions.TRAINING_PATH);
    if (trainPath.isEmpty()) {
      throw new IllegalArgumentException("no training data: set "
          + HornOptions.TRAINING_PATH.key() + " (HornJob.setTrainingSetPath)");
    }
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    if (!(previous instanceof URLClassLoader)) {
      // Hama casts the context loader to URLClassLoader (DistributedCacheUtil).
      Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0],
          previous != null ? previous : BspJobRunner.class.getClassLoader()));
    }
    try {
      HamaConfiguration probe = hamaConfiguration(conf);
      checkReachable(probe.get("bsp.master.address"));
      if (!"local".equals(probe.get("bsp.master.address"))) {
        // Task JVMs start in their own directories: a relative path would name nothing there.
        // Horn's dataset formats read a path without a scheme locally; the model and the
        // checkpoints are written through Hadoop, which would put them on fs.defaultFS.
        for (ConfigOption<String> p : List.of(HornOptions.TRAINING_PATH, HornOptions.TEST_PATH)) {
          conf.set(p, SubmitChecks.absolute(conf.get(p), p.key()));
        }
        for (ConfigOption<String> p : List.of(HornOptions.MODEL_PATH, HornOptions.CHECKPOINT_DIR)) {
          conf.set(p, SubmitChecks.localFile(conf.get(p), p.key()));
        }
        SubmitChecks.checkSlots(probe, layout.tasks(), layout.toString());
      }
      // Before a temporary model path is made up: checkpoints beside it would be lost anyway.
      CheckpointStore store = checkpointStore(conf, probe);
      java.nio.file.Path tempModel = null;
      if (conf.get(HornOptions.MODEL_PATH).isEmpty()) {
        tempModel = Files.createTempFile("horn-model", ".bin");
        conf.set(HornOptions.MODEL_PATH, tempModel.toString());
      }
      ProgressBoard board = verbose
          ? new ProgressBoard(System.out, ProgressBoard.isInteractive(), 0, 500, 10) : null;
      try {
        Model model = attempts(job, conf, spec, layout, store, board, verbose);
        job.setModel(model);
        if (board != null) {
          Map<String, String> totals = new LinkedHashMap<>();
          totals.put("layout", layout.toString());
          totals.put("steps", model.metadata().getOrDefault(MetadataKeys.TRAINED_STEPS, "?"));
          totals.put("test accuracy",
              model.metadata().getOrDefault(MetadataKeys.TEST_ACCURACY, "-"));
          totals.put("model", conf.get(HornOptions.MODEL_PATH));
          board.summary(totals);
        }
      } finally {
        if (board != null) {
          board.close();
        }
      }
      if (tempModel != null) {
        Files.deleteIfExists(tempModel);
      }
      return true;
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  /**
   * Runs the job until it succeeds, fails in a way that would repeat, or has failed {@code
   * horn.job.max.attempts} times; every attempt after the first resumes from the newest
   * checkpoint (or starts afresh when there is none).
   */
  private Model attempts(HornJob job, HornConfiguration conf, NetworkSpec spec, JobLayout layout,
      CheckpointStore store, ProgressBoard board, boolean verbose)
      throws IOException, InterruptedException {
    int max = conf.get(HornOptions.JOB_MAX_ATTEMPTS);
    boolean resume = conf.get(HornOptions.RESUME);
    for (int attempt = 1; ; attempt++) {
      String from = null;
      if (resume) {
        from = newestCheckpoint(store, spec, layout, attempt == 1);
      }
      try {
        return submit(job, conf, spec, layout, from, attempt > 1, board, verbose);
      } catch (JobFailedException e) {
        if (!e.retryable() || attempt >= max) {
          throw attempt == 1 ? e : new JobFailedException(e.getMessage() + " (attempt " + attempt
              + " of " + max + ")", e.getCause(), false);
        }
        String again = store == null ? "from the start (no checkpoints: set "
            + HornOptions.CHECKPOINT_DIR.key() + " or a model path)" : "from the newest checkpoint";
        LOG.warn("attempt {} of {} failed: {}; running the job again {}", attempt, max,
            e.getMessage(), again);
        if (board != null) {
          board.message("attempt " + attempt + " failed: " + e.getMessage() + "; resuming "
              + again);
        }
        resume = store != null;
      }
    }
  }

  /**
   * Before an attempt after a failure: the failed attempt's tasks may hold their slots for a
   * while (the cluster reaps them), so wait for enough free slots rather than fail.
   */
  private static void awaitSlots(HamaConfiguration hama, JobLayout layout)
      throws IOException, InterruptedException {
    try {
      SubmitChecks.awaitSlots(hama, layout.tasks(), layout.toString(), SLOT_WAIT_MILLIS);
    } catch (IllegalArgumentException e) {
      throw new JobFailedException(e.getMessage() + " (waited " + SLOT_WAIT_MILLIS / 1000
          + " s for the failed attempt's tasks to free their slots)", e, false);
    }
  }

  /** The newest usable checkpoint's path, or null (saying so on a first attempt). */
  private static String newestCheckpoint(CheckpointStore store, NetworkSpec spec,
      JobLayout layout, boolean first) throws IOException {
    if (store == null) {
      if (first) {
        LOG.warn("{} is set but the job has no checkpoint directory ({} or a model path): "
            + "starting afresh", HornOptions.RESUME.key(), HornOptions.CHECKPOINT_DIR.key());
      }
      return null;
    }
    CheckpointStore.Stored newest = store.newest(Thread.currentThread().getContextClassLoader());
    if (newest == null) {
      LOG.info("no checkpoint in {}: starting afresh", store.directory());
      return null;
    }
    Checkpoints.check(newest.checkpoint(), spec, layout, newest.path().toString());
    LOG.info("resuming from {} ({})", newest.path(), newest.checkpoint());
    return newest.path().toString();
  }

  /** The job's checkpoint directory, made absolute for tasks in other working directories. */
  private static CheckpointStore checkpointStore(HornConfiguration conf, HamaConfiguration hama)
      throws IOException {
    String dir = CheckpointStore.directoryOf(conf);
    if (dir == null) {
      return null;
    }
    CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(dir), hama,
        conf.get(HornOptions.CHECKPOINT_KEEP));
    conf.set(HornOptions.CHECKPOINT_DIR, store.directory().toString());
    return store;
  }

  private static HamaConfiguration hamaConfiguration(HornConfiguration conf) {
    HamaConfiguration hama = new HamaConfiguration();
    if (hama.get("bsp.master.address") == null) {
      hama.set("bsp.master.address", "local");
    }
    HamaConfs.copy(conf, hama);
    return hama;
  }

  /** One attempt: submits the job and waits for it; returns the model it wrote. */
  private Model submit(HornJob job, HornConfiguration jobConf, NetworkSpec spec,
      JobLayout layout, String resumeFrom, boolean retry, ProgressBoard board, boolean verbose)
      throws IOException, InterruptedException {
    HornConfiguration conf = jobConf.copy();
    String token = UUID.randomUUID().toString();
    conf.set(TaskFailures.TOKEN, token);
    if (resumeFrom != null) {
      conf.set(Checkpoints.RESUME_FROM, resumeFrom);
    }
    HamaConfiguration hama = hamaConfiguration(conf);
    if (retry) {
      awaitSlots(hama, layout);
    }
    String trainPath = conf.get(HornOptions.TRAINING_PATH);
    // Model-parallel members each read the whole set themselves, not one split each.
    boolean splits = InputCheck.check(trainPath, spec, hama) && !layout.modelParallel;
    String testPath = conf.get(HornOptions.TEST_PATH);
    if (!testPath.isEmpty()) {
      // Evaluated only at the end: a bad path must fail now, not after the training.
      InputCheck.check(testPath, spec, hama);
    }
    BSPJob bsp = new BSPJob(hama, job.getJobClass());
    bsp.setJobName("horn " + job.getJobClass().getSimpleName() + " (" + layout + ")");
    bsp.setBspClass(HornBsp.class);
    bsp.setJarByClass(job.getJobClass());
    bsp.setOutputFormat(NullOutputFormat.class);
    bsp.setOutputKeyClass(NullWritable.class);
    bsp.setOutputValueClass(NullWritable.class);
    bsp.setMessageClass(SetupMessage.class);
    if (splits) {
      bsp.set(WorkerData.INPUT_MODE, "splits");
      if (TextDatasetFormat.kindOf(trainPath) != null) {
        TextSampleInputFormat.configure(bsp, trainPath, InputCheck.shape(spec));
      } else {
        bsp.setInputPath(SequenceFileDatasetFormat.toHadoopPath(trainPath));
        bsp.setInputFormat(HornInputFormat.class);
        bsp.setInputKeyClass(LongWritable.class);
        bsp.setInputValueClass(SampleWritable.class);
      }
      // One split per worker; the parameter server is one more task, without a split. Hama
      // 0.7.1 keeps the task count above the split count only when forced to.
      bsp.getConfiguration().setInt(HornInputFormat.SPLITS_KEY, layout.workers);
      if (conf.get(HornOptions.DATA_GROUPS).equals("whole")) {
        bsp.getConfiguration().setInt(HornInputFormat.COPIES_KEY, layout.groups);
      }
      bsp.setNumBspTask(layout.tasks());
      bsp.getConfiguration().setBoolean("hama.force.set.bsp.tasks", true);
    } else {
      bsp.set(WorkerData.INPUT_MODE, "slice");
      bsp.setNumBspTask(layout.tasks());
    }
    if (verbose) {
      LOG.info("submitting {} to {} ({} tasks, input {})", spec, hama.get("bsp.master.address"),
          layout.tasks(), splits ? "split by Hama" : "sliced by the workers");
    }
    boolean local = "local".equals(hama.get("bsp.master.address"));
    if (board != null) {
      // In local mode the leaders update it directly, on a cluster through JobWatch.
      InProcessEndpoints.put(token, InProcessEndpoints.Key.BOARD, board);
    }
    boolean ok;
    try {
      // Local mode's runner ends with its threads; on a cluster a dead task's JVM would keep
      // Hama waiting, so the job is watched and ended at its first failed task.
      ok = local ? bsp.waitForCompletion(false) : JobWatch.run(bsp, hama, token, board,
          conf.get(HornOptions.GROUP_TIMEOUT));
    } catch (ClassNotFoundException e) {
      throw new JobFailedException("a class of the job could not be loaded: " + e.getMessage(),
          e, false);
    } catch (JobFailedException e) {
      TaskFailures.take(token);
      throw e;
    } finally {
      if (board != null) {
        InProcessEndpoints.remove(token, InProcessEndpoints.Key.BOARD);
      }
    }
    Throwable cause = TaskFailures.take(token);
    if (!ok || cause != null) {
      String why = cause != null ? cause.getMessage()
          : "see the task logs (bsp.master.address=" + hama.get("bsp.master.address") + ")";
      throw new JobFailedException("the Horn job failed: " + why, cause,
          cause == null || TaskFailures.retryable(cause));
    }
    return readModel(new Path(conf.get(HornOptions.MODEL_PATH)), hama);
  }

  /**
   * Hama's client retries an unreachable master for minutes; a refused or silent address should
   * fail at once, saying which key named it.
   */
  static void checkReachable(String master) throws IOException {
    if ("local".equals(master)) {
      return;
    }
    int colon = master.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("bsp.master.address must be 'local' or host:port, got '"
          + master + "'");
    }
    String host = master.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(master.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bsp.master.address has a bad port: '" + master + "'");
    }
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 5_000);
    } catch (IOException e) {
      throw new IOException("cannot reach the Hama cluster at " + master
          + " (bsp.master.address): " + e.getMessage() + "; start one with 'bin/horn cluster"
          + " start', or run in local mode with bsp.master.address=local", e);
    }
  }

  private static Model readModel(Path p, HamaConfiguration conf) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem) {
      return ModelFile.load(java.nio.file.Paths.get(p.toUri().getPath()), null);
    }
    java.nio.file.Path local = Files.createTempFile("horn-model", ".bin");
    try {
      fs.copyToLocalFile(false, p, new Path(local.toUri()), true);
      return ModelFile.load(local, null);
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /** Whether Hama should split the input (SequenceFiles) rather than the workers slice it. */
  static boolean isSequenceFileInput(String path) {
    return new SequenceFileDatasetFormat().accepts(path);
  }
}
