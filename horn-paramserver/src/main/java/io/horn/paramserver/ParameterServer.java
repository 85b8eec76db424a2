package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master copy of the weights, updated by asynchronous pushes of task groups (Downpour SGD:
 * Dean et al., "Large scale distributed deep networks", NIPS 2012). Each push adds the group's
 * weight delta and returns the current weights; groups never wait for each other.
 *
 * <p>Holds the job's step budget: once the groups together ran {@code budget} steps, every reply
 * says stop, so fast groups do more of the work and a slow group cannot hold the job back.
 *
 * <p>Thread-safe: IPC handler threads call it concurrently; calls are serialised on the object.
 */
public final class ParameterServer implements ParameterServerProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterServer.class);

  private final float[] master;
  private final long budget;
  private final long[] pushes;
  private final long[] steps;
  private final boolean[] done;
  private final String[] timings;
  private final String[] histories;
  private long totalSteps;
  private long rejected;

  /**
   * @param initial the starting weights (copied)
   * @param groups the number of task groups that will push
   * @param budget total group steps after which replies say stop; 0 for no limit
   */
  public ParameterServer(float[] initial, int groups, long budget) {
    checkNotNull(initial, "initial");
    checkArgument(groups > 0, "groups must be positive, got %s", groups);
    checkArgument(budget >= 0, "budget must be >= 0, got %s", budget);
    this.master = initial.clone();
    this.budget = budget;
    this.pushes = new long[groups];
    this.steps = new long[groups];
    this.done = new boolean[groups];
    this.timings = new String[groups];
    this.histories = new String[groups];
  }

  @Override
  public long getProtocolVersion(String protocol, long clientVersion) {
    return VERSION;
  }

  @Override
  public synchronized ParamsWritable pull(int group) {
    checkGroup(group);
    return new ParamsWritable(totalSteps, 0, 0, master.clone());
  }

  @Override
  public synchronized PullReply pushAndPull(int group, int groupSteps, ParamsWritable delta) {
    checkGroup(group);
    String problem = validate(group, groupSteps, delta);
    if (problem != null) {
      rejected++;
      LOG.warn("rejected a push from group {}: {}", group, problem);
      return new PullReply(false, problem, isSpent(), pull(group));
    }
    float[] d = delta.values();
    for (int i = 0; i < master.length; i++) {
      master[i] += d[i];
    }
    pushes[group]++;
    steps[group] += groupSteps;
    totalSteps += groupSteps;
    return new PullReply(true, "", isSpent(), pull(group));
  }

  private String validate(int group, int groupSteps, ParamsWritable delta) {
    if (delta == null) {
      return "no delta";
    }
    if (delta.values().length != master.length) {
      return "model shape mismatch: the delta has " + delta.values().length
          + " parameters, the server holds " + master.length;
    }
    if (groupSteps < 0) {
      return "negative step count " + groupSteps;
    }
    for (float v : delta.values()) {
      if (!Float.isFinite(v)) {
        return "the delta holds a non-finite value (" + v + "): group " + group + " diverged";
      }
    }
    return null;
  }

  private boolean isSpent() {
    return budget > 0 && totalSteps >= budget;
  }

  @Override
  public synchronized boolean done(int group, long groupTotalSteps, String timing,
      String history) {
    checkGroup(group);
    done[group] = true;
    timings[group] = timing == null ? "" : timing;
    histories[group] = history == null ? "" : history;
    notifyAll();
    return allDone();
  }

  private boolean allDone() {
    for (boolean d : done) {
      if (!d) {
        return false;
      }
    }
    return true;
  }

  /** Waits until every group has called {@link #done}; false on timeout. */
  public synchronized boolean awaitAllDone(long timeoutMillis) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    while (!allDone()) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** A copy of the master weights. */
  public synchronized float[] weights() {
    return master.clone();
  }

  /** Per-group pushes and steps, total steps and rejected pushes, as model metadata. */
  public synchronized Map<String, String> stats() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int g = 0; g < pushes.length; g++) {
      m.put("ps.group." + g + ".pushes", Long.toString(pushes[g]));
      m.put("ps.group." + g + ".steps", Long.toString(steps[g]));
      if (timings[g] != null) {
        m.put("group." + g + ".leader.timing", timings[g]);
      }
      if (histories[g] != null) {
        m.put("history.group." + g, histories[g]);
      }
    }
    m.put("ps.steps", Long.toString(totalSteps));
    m.put("ps.rejected", Long.toString(rejected));
    return m;
  }

  private void checkGroup(int group) {
    checkArgument(group >= 0 && group < pushes.length, "unknown group %s (the job has %s)",
        group, pushes.length);
  }
}
