package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointStore;
import io.horn.bsp.checkpoint.CheckpointWriter;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.paramserver.ServerCut;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * How a Hama job's tasks take part in checkpoints: which one cuts them (the parameter server,
 * or the single group's leader when there is none), where they go, and what a resumed job
 * starts from ({@link #RESUME_FROM}, set by the submitter).
 */
final class Checkpoints {
  /** The checkpoint file a resumed job's tasks start from; set by the submitter. */
  static final String RESUME_FROM = "horn.resume.from";

  private Checkpoints() {}

  /** Whether the job cuts checkpoints at all (a directory and an interval). */
  static boolean enabled(HornConfiguration conf) {
    // A sharded parameter server cuts none (JobLayout refuses them when asked for explicitly),
    // nor do model-parallel groups with a server (one shard per member).
    return CheckpointStore.directoryOf(conf) != null
        && new JobLayout(conf).cutsCheckpoints()
        && (conf.get(HornOptions.CHECKPOINT_STEPS) > 0
            || conf.get(HornOptions.CHECKPOINT_SECONDS) > 0);
  }

  /** A writer into the job's checkpoint directory, for the task that cuts them. */
  static CheckpointWriter writer(HornConfiguration conf, Configuration hadoop)
      throws IOException {
    CheckpointStore store = new CheckpointStore(new Path(CheckpointStore.directoryOf(conf)),
        hadoop, conf.get(HornOptions.CHECKPOINT_KEEP));
    return CheckpointWriter.start(store, "horn-checkpoint-writer");
  }

  /**
   * The checkpoint this run resumes from, or null for a fresh start. It must be of the same
   * network and number of groups.
   */
  static Checkpoint resumeFrom(HornConfiguration conf, Configuration hadoop, NetworkSpec spec,
      JobLayout layout, ClassLoader loader) throws IOException {
    String path = hadoop.get(RESUME_FROM, "");
    if (path.isEmpty()) {
      return null;
    }
    Path p = new Path(path);
    CheckpointStore store = new CheckpointStore(p.getParent(), hadoop, 1);
    Checkpoint c = store.read(p, loader);
    check(c, spec, layout, path);
    return c;
  }

  /** Throws when {@code c} cannot continue this job, saying why. */
  static void check(Checkpoint c, NetworkSpec spec, JobLayout layout, String where)
      throws IOException {
    if (!c.model().spec().toConfString().equals(spec.toConfString())) {
      throw new IOException("cannot resume from " + where + ": it holds the network "
          + c.model().spec() + ", this job trains " + spec);
    }
    int groups = layout.paramServer ? layout.groups : 1;
    if (c.groups().size() != groups) {
      throw new IOException("cannot resume from " + where + ": it was cut from a job of "
          + c.groups().size() + " group(s), this job has " + groups + " (" + layout
          + "); resume with the same number of groups");
    }
  }

  /** What every checkpoint of the job says about itself, besides its state. */
  static Map<String, String> metadata(HornConfiguration conf, JobLayout layout) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MetadataKeys.RUNNER, "bsp");
    m.put(MetadataKeys.LAYOUT, layout.toString());
    m.put(MetadataKeys.DATA_TRAINING, conf.get(HornOptions.TRAINING_PATH));
    m.putAll(JobOutput.configuration(conf));
    return m;
  }

  /** {@code meta} with the time of the checkpoint. */
  static Map<String, String> stamp(Map<String, String> meta) {
    Map<String, String> m = new LinkedHashMap<>(meta);
    m.put(MetadataKeys.CHECKPOINT_TIME, Instant.now().toString());
    return m;
  }

  /** A parameter server's cut as a checkpoint of {@code spec}. */
  static Checkpoint fromCut(ServerCut cut, NetworkSpec spec, Map<String, String> meta) {
    return new Checkpoint(cut.sequence(), cut.totalSteps(),
        new Model(spec, cut.weights(), stamp(meta)), cut.groups());
  }
}
