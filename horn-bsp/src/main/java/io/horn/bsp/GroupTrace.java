package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test hook: records a hash of every worker's weights after every step, for jobs whose tasks
 * run in this JVM, so a test can check that the members of a group hold identical weights.
 * Enabled by {@link #enable(long)} for a job seed; costs a parameter copy per step when on.
 */
public final class GroupTrace {
  private static final Map<Long, GroupTrace> ACTIVE = new ConcurrentHashMap<>();
  private final Map<String, Integer> hashes = new ConcurrentHashMap<>();

  private GroupTrace() {}

  /** Starts tracing jobs with this seed; returns the trace. */
  public static GroupTrace enable(long seed) {
    GroupTrace t = new GroupTrace();
    ACTIVE.put(seed, t);
    return t;
  }

  public static void disable(long seed) {
    ACTIVE.remove(seed);
  }

  static GroupTrace forJob(TrainingSettings s) {
    return ACTIVE.get(s.seed);
  }

  void record(int group, int member, long step, float[] weights) {
    hashes.put(group + "/" + step + "/" + member, Arrays.hashCode(weights));
  }

  /** The weight hash of {@code member} of {@code group} after {@code step}, or null. */
  public Integer hash(int group, int member, long step) {
    return hashes.get(group + "/" + step + "/" + member);
  }

  /** How many (group, step, member) records there are. */
  public int size() {
    return hashes.size();
  }
}
