package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue of the keys of a model's metadata ({@link Model#metadata()}): every key a runner
 * writes and a tool reads is named here once, constants for fixed keys and functions for those
 * that name a group, worker or shard. The keys are part of the model file format: renaming one
 * leaves existing files unread, so keys are only ever added. Values are text; what each holds
 * is said at its key.
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataKeys {
  // What was trained, on what, and how it did.
  /** When training ended, ISO-8601 instant. */
  public static final String TRAINED_AT = "trained.at";
  /** Steps taken over all groups. */
  public static final String TRAINED_STEPS = "trained.steps";
  /** Passes over the data; {@code -} when a step budget bounded the job instead. */
  public static final String TRAINED_EPOCHS = "trained.epochs";
  /** Training samples. */
  public static final String TRAINED_SAMPLES = "trained.samples";
  /** The training data's path. */
  public static final String DATA_TRAINING = "data.training";
  /** The test data's path. */
  public static final String DATA_TEST = "data.test";
  /** Accuracy on the test data in [0, 1]. */
  public static final String TEST_ACCURACY = "test.accuracy";
  /** Test samples evaluated. */
  public static final String TEST_SAMPLES = "test.samples";
  /** Why the test data could not be evaluated, when it could not. */
  public static final String TEST_ERROR = "test.error";

  // Where and how it ran.
  /** The job runner's name ({@code local}, {@code bsp} ...). */
  public static final String RUNNER = "runner";
  /** The BSP job's task layout, in words. */
  public static final String LAYOUT = "layout";
  /** The math backend of a local job. */
  public static final String BACKEND = "backend";
  /** Before a configuration key: the job's value of it. */
  public static final String CONF_PREFIX = "conf.";
  /** The checkpoint a job resumed from. */
  public static final String RESUMED_FROM = "resumed.from";
  /** The steps that checkpoint had taken. */
  public static final String RESUMED_AT_STEPS = "resumed.at.steps";

  // The parameter server's figures, and the groups' and workers'.
  /** Before every key the parameter server writes. */
  public static final String PS_PREFIX = "ps.";
  /** Where the parameter server (shard 0) ran. */
  public static final String PS_HOST = "ps.host";
  /** Steps the parameter server applied over all groups. */
  public static final String PS_STEPS = "ps.steps";
  /** The most steps one group ran ahead of the slowest. */
  public static final String PS_MAX_LEAD = "ps.max.lead";
  /** Pushes refused (stale or from an ended group). */
  public static final String PS_REJECTED = "ps.rejected";
  /** The parameter server's shards. */
  public static final String PS_SHARDS = "ps.shards";
  /** Each shard's range of the parameter vector, in words. */
  public static final String PS_SHARD_RANGES = "ps.shard.ranges";
  /** Before every per-group key but the parameter server's and the history. */
  public static final String GROUP_PREFIX = "group.";
  /** Before every history key. */
  public static final String HISTORY_PREFIX = "history.";

  // A checkpoint's place (see io.horn.core.checkpoint.CheckpointFile).
  /** Marks a model file as a checkpoint; its sequence number. */
  public static final String CHECKPOINT_SEQUENCE = "checkpoint.sequence";
  /** Steps over all groups at the checkpoint. */
  public static final String CHECKPOINT_STEPS = "checkpoint.steps";
  /** Groups whose places the checkpoint holds. */
  public static final String CHECKPOINT_GROUPS = "checkpoint.groups";
  /** When the checkpoint was cut, ISO-8601 instant. */
  public static final String CHECKPOINT_TIME = "checkpoint.time";

  /** Keys that name a group: {@code history.group.<g>}, {@code [ps.]group.<g>.<what>}. */
  private static final Pattern GROUP_KEY =
      Pattern.compile("^(?:history\\.group\\.(\\d{1,6})|(?:ps\\.)?group\\.(\\d{1,6})\\..+)$");

  private MetadataKeys() {}

  /** Which path weight layer {@code l}'s neurons run (BLAS, compiled, scalar) and why. */
  public static String layerPath(int l) {
    return "path.layer." + index(l);
  }

  /** Group {@code g}'s training history, {@link HistoryRecord}s in their text form. */
  public static String history(int g) {
    return HISTORY_PREFIX + "group." + index(g);
  }

  /** Steps group {@code g} took (single-group and synchronous jobs). */
  public static String groupSteps(int g) {
    return GROUP_PREFIX + index(g) + ".steps";
  }

  /** Pushes group {@code g} made, as models from before the parameter server counted them. */
  public static String groupPushes(int g) {
    return GROUP_PREFIX + index(g) + ".pushes";
  }

  /** Group {@code g}'s leader's time per step, by phase, in words. */
  public static String leaderTiming(int g) {
    return GROUP_PREFIX + index(g) + ".leader.timing";
  }

  /** Steps the parameter server applied from group {@code g}. */
  public static String psGroupSteps(int g) {
    return PS_PREFIX + groupSteps(g);
  }

  /** Pushes the parameter server received from group {@code g}. */
  public static String psGroupPushes(int g) {
    return PS_PREFIX + groupPushes(g);
  }

  /** Where worker {@code w} ran. */
  public static String workerHost(int w) {
    return "worker." + index(w) + ".host";
  }

  /** Bytes of input worker {@code w} read. */
  public static String workerReadBytes(int w) {
    return "worker." + index(w) + ".read.bytes";
  }

  /** Of those, bytes read from its own host. */
  public static String workerReadLocalBytes(int w) {
    return "worker." + index(w) + ".read.local.bytes";
  }

  /** Before the keys of group {@code g}'s place in a checkpoint. */
  public static String checkpointGroupPrefix(int g) {
    return "checkpoint.group." + index(g) + ".";
  }

  /** The job's value of configuration key {@code key}. */
  public static String conf(String key) {
    checkArgument(!checkNotNull(key, "key").isEmpty(), "configuration key is empty");
    return CONF_PREFIX + key;
  }

  /** The group a key names ({@link #history}, the per-group keys), or empty when none. */
  public static OptionalInt groupOf(String key) {
    Matcher m = GROUP_KEY.matcher(checkNotNull(key, "key"));
    if (!m.matches()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)));
  }

  private static int index(int i) {
    checkArgument(i >= 0, "index must not be negative, not %s", i);
    return i;
  }
}
