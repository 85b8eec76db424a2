package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.checkpoint.GroupState;
import io.horn.core.model.MetadataKeys;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master copy of the weights, updated by asynchronous pushes of task groups (Downpour SGD:
 * Dean et al., "Large scale distributed deep networks", NIPS 2012). Each push adds the group's
 * weight delta and hands back the current weights; groups never wait for each other.
 *
 * <p>Holds the job's step budget: once the groups together ran {@code budget} steps, every push
 * result says stop, so fast groups do more of the work and a slow group cannot hold the job back.
 *
 * <p>Vectors travel as {@link FloatBuffer}s so that a network endpoint can hand in views of its
 * socket buffers and nothing model-sized is allocated per call. Only absolute indices are used:
 * positions are ignored and left alone, and a vector's length is its {@code limit()}.
 *
 * <p>Lifecycle: created by the parameter-server task with the initial weights, served by a
 * {@link ServerEndpoint} (or called in process through {@link LocalServerClient}) until every
 * group called {@link #done}, then read out with {@link #weights()} and {@link #stats()}.
 *
 * <p>Thread-safe: one handler thread per group calls it concurrently; calls are serialised on
 * the object's monitor.
 */
public final class ParameterServer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterServer.class);

  /**
   * The outcome of {@link #pushAndPull}.
   *
   * @param accepted whether the push went through: false when the delta was invalid (not
   *     applied) or when the staleness wait gave up (applied, but the group must fail)
   * @param error why not; empty when accepted
   * @param stop whether the job's step budget is spent: the group should finish
   * @param checkpoint whether a checkpoint is being cut and waits for the group's state as it
   *     stands now ({@link #state})
   */
  public record PushResult(boolean accepted, String error, boolean stop, boolean checkpoint) {}

  // Accepted pushes are the common case: no allocation for them.
  private static final PushResult GO_ON = new PushResult(true, "", false, false);
  private static final PushResult STOP = new PushResult(true, "", true, false);

  private final float[] master;
  private final long budget;
  private final long[] pushes;
  private final long[] steps;
  private final boolean[] done;
  /** Whether a group's push in progress opened or joined a checkpoint cut. */
  private final boolean[] checkpointAsked;
  private final String[] timings;
  private final String[] histories;
  private long totalSteps;
  /** When a group was last heard from (ms); groups that keep talking are not waited out. */
  private long lastHeard = System.currentTimeMillis();
  private String lost;
  private long rejected;
  private CheckpointCuts cuts;
  /** What each delta is multiplied by: 1 (sum) or 1/G (average). */
  private float scale = 1f;
  /** The staleness bound and its clocks (unbounded until {@link #configure}). */
  private GroupClocks clocks;

  /**
   * @param initial the starting weights (copied)
   * @param groups the number of task groups that will push
   * @param budget total group steps after which results say stop; 0 for no limit
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
    this.checkpointAsked = new boolean[groups];
    this.timings = new String[groups];
    this.histories = new String[groups];
    this.clocks = new GroupClocks(pushes, done, -1, 1, master);
  }

  /**
   * Continues a job from a checkpoint in which the groups had pushed {@code groupSteps} steps
   * each (the weights are the constructor's); call before serving.
   */
  public synchronized void resume(long[] groupSteps) {
    checkArgument(groupSteps.length == steps.length, "%s groups' steps for a job of %s groups",
        groupSteps.length, steps.length);
    totalSteps = 0;
    for (int g = 0; g < steps.length; g++) {
      checkArgument(groupSteps[g] >= 0, "group %s: negative steps %s", g, groupSteps[g]);
      steps[g] = groupSteps[g];
      totalSteps += groupSteps[g];
    }
  }

  /**
   * How pushes combine, and how far groups may drift apart (call before serving).
   *
   * <p>{@code average}: each group's delta is scaled by 1/G before it is added, so G groups
   * together move the weights as far as one group would (the effective learning rate is the
   * configured one); otherwise deltas are summed (Downpour SGD: G groups pushing in turn make an
   * effective rate of about G × lr).
   *
   * <p>{@code staleness} k (stale synchronous parallel, Ho et al., NIPS 2013): a group's push
   * clock (its number of pushes) may run at most k ahead of the slowest group that has not
   * finished; a push that would go further waits for the slow group before it gets the weights
   * back, so the weights it continues from hold every group's pushes up to k clocks ago. 0: the
   * groups advance in lock-step; -1: no bound (fully asynchronous). A wait longer than
   * {@code waitMillis} fails the push, naming the group waited for.
   */
  public synchronized void configure(boolean average, int staleness, long waitMillis) {
    this.scale = average ? 1f / pushes.length : 1f;
    this.clocks = new GroupClocks(pushes, done, staleness, waitMillis, master);
  }

  /**
   * Cuts a checkpoint every {@code everySteps} pushed steps or {@code everyMillis} (0 turns
   * either off) and hands each to {@code sink}, numbered from {@code firstSequence}. The sink is
   * called under the server's lock: it must hand the cut to another thread, not write it. Call
   * before serving.
   */
  public synchronized void checkpointEvery(long everySteps, long everyMillis, long firstSequence,
      Consumer<ServerCut> sink) {
    checkNotNull(sink, "sink");
    checkArgument(everySteps >= 0 && everyMillis >= 0, "negative interval");
    checkArgument(firstSequence > 0, "firstSequence must be > 0");
    cuts = everySteps == 0 && everyMillis == 0 ? null
        : new CheckpointCuts(pushes.length, everySteps, everyMillis, firstSequence, totalSteps,
            sink);
  }

  /**
   * The state {@code group} was asked for by a push result with {@code checkpoint} set. Returns
   * null when accepted, else why it was refused (the group should then fail: its state and the
   * server's records disagree).
   */
  public synchronized String state(int group, GroupState state) {
    checkGroup(group);
    checkNotNull(state, "state");
    lastHeard = System.currentTimeMillis();
    if (cuts == null) {
      return "this parameter server cuts no checkpoints";
    }
    return cuts.state(group, state);
  }

  /** The number of weights the server holds: the length every delta must have. */
  public int parameterCount() {
    return master.length; // final array: no lock needed
  }

  /** The number of groups the job has; valid group numbers are {@code 0..groups()-1}. */
  public int groups() {
    return pushes.length;
  }

  /**
   * Writes the current master weights into {@code weightsOut} (absolute, from index 0); in
   * lock-step, those of the group's round (at the start: the initial weights, even when another
   * group has already pushed).
   */
  public synchronized void pull(int group, FloatBuffer weightsOut) {
    checkGroup(group);
    lastHeard = System.currentTimeMillis();
    checkOut(weightsOut);
    weightsOut.put(0, clocks.weightsFor(group, master));
  }

  /**
   * Validates {@code delta} (the group's weights minus those it last pulled: exactly
   * {@link #parameterCount()} values, all finite), adds it to the master weights and records
   * that the group ran {@code groupSteps} more steps; then writes the master weights into
   * {@code weightsOut}. An invalid delta is rejected, counted, logged and not applied, and the
   * weights are written all the same.
   *
   * <p>{@code delta} and {@code weightsOut} may share memory (even be the same buffer): the
   * delta is read completely before anything is written.
   */
  public synchronized PushResult pushAndPull(int group, int groupSteps, FloatBuffer delta,
      FloatBuffer weightsOut) {
    PushResult rejected = push(group, groupSteps, delta, weightsOut);
    if (rejected != null) {
      return rejected;
    }
    return finishPush(group, awaitTurn(group, Long.MAX_VALUE), weightsOut);
  }

  /**
   * {@link #pushAndPull} in three calls, so that a network endpoint can tell its client that
   * it is alive while the push waits for a slow group: {@code push}, then {@link #awaitTurn}
   * until it returns something other than {@link #STILL_WAITING}, then {@link #finishPush}
   * with that. Returns null when the push was applied; else the rejection (not applied, the
   * weights written into {@code weightsOut}; no further call).
   */
  public synchronized PushResult push(int group, int groupSteps, FloatBuffer delta,
      FloatBuffer weightsOut) {
    checkGroup(group);
    lastHeard = System.currentTimeMillis();
    checkOut(weightsOut);
    String problem = validate(group, groupSteps, delta);
    if (problem != null) {
      rejected++;
      LOG.warn("rejected a push from group {}: {}", group, problem);
      weightsOut.put(0, master);
      return new PushResult(false, problem, isSpent(), false);
    }
    if (scale == 1f) {
      for (int i = 0; i < master.length; i++) {
        master[i] += delta.get(i);
      }
    } else {
      for (int i = 0; i < master.length; i++) {
        master[i] += scale * delta.get(i);
      }
    }
    pushes[group]++;
    steps[group] += groupSteps;
    totalSteps += groupSteps;
    checkpointAsked[group] = cuts != null
        && cuts.afterPush(group, delta, scale, master, steps[group], totalSteps, done, steps);
    clocks.afterPush(group, master);
    notifyAll(); // a group waiting for this one's clock may go on
    return null;
  }

  /** What {@link #awaitTurn} returns while the push must wait on. */
  public static final String STILL_WAITING = GroupClocks.STILL_WAITING;

  /**
   * Waits, at most {@code sliceMillis} in this call, until {@code group}'s push may return
   * within the staleness bound. Returns null when it may, {@link #STILL_WAITING} when the slice
   * ended first, else why it gave up (the server's wait deadline since the push passed, or a
   * group was lost).
   */
  public synchronized String awaitTurn(int group, long sliceMillis) {
    checkGroup(group);
    return clocks.await(this, group, () -> lost, sliceMillis);
  }

  /**
   * Ends {@code group}'s push: writes the weights it continues from into {@code weightsOut} and
   * says whether to stop or send its state; {@code late} is what {@link #awaitTurn} returned.
   */
  public synchronized PushResult finishPush(int group, String late, FloatBuffer weightsOut) {
    checkGroup(group);
    checkOut(weightsOut);
    lastHeard = System.currentTimeMillis();
    weightsOut.put(0, clocks.weightsFor(group, master));
    if (late != null) {
      return new PushResult(false, late, true, false);
    }
    if (checkpointAsked[group]) {
      checkpointAsked[group] = false;
      return new PushResult(true, "", isSpent(), true);
    }
    return isSpent() ? STOP : GO_ON;
  }

  /** The largest clock gap between unfinished groups now (0 with one or none left). */
  public synchronized long clockGap() {
    return clocks.gap();
  }

  private String validate(int group, int groupSteps, FloatBuffer delta) {
    if (delta == null) {
      return "no delta";
    }
    if (delta.limit() != master.length) {
      return "model shape mismatch: the delta has " + delta.limit()
          + " parameters, the server holds " + master.length;
    }
    if (groupSteps < 0) {
      return "negative step count " + groupSteps;
    }
    // A separate pass, so that a diverged group's delta is not half applied.
    for (int i = 0; i < master.length; i++) {
      float v = delta.get(i);
      if (!Float.isFinite(v)) {
        return "the delta holds a non-finite value (" + v + " at " + i + "): group " + group
            + " diverged";
      }
    }
    return null;
  }

  private boolean isSpent() {
    return budget > 0 && totalSteps >= budget;
  }

  /**
   * The group has finished after {@code groupTotalSteps} steps; {@code timing} says where its
   * leader's time went and {@code history} holds its progress records (the text form of
   * {@link io.horn.core.model.HistoryRecord}s). Returns true once every group has.
   */
  public synchronized boolean done(int group, long groupTotalSteps, String timing,
      String history) {
    checkGroup(group);
    lastHeard = System.currentTimeMillis();
    done[group] = true;
    if (cuts != null) {
      cuts.afterDone(group, steps[group]);
    }
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

  /**
   * Waits until every group has called {@link #done}. Returns false once no group that has not
   * finished was heard from (a pull, push or done) for {@code silenceMillis}: a long healthy job
   * keeps pushing and is never cut short, a silent one ends within that bound.
   *
   * @throws java.io.IOException at once when a group that had not finished was lost ({@link
   *     #groupLost}), naming it
   */
  public synchronized boolean awaitAllDone(long silenceMillis)
      throws InterruptedException, java.io.IOException {
    while (!allDone()) {
      if (lost != null) {
        throw new java.io.IOException(lost);
      }
      long left = lastHeard + silenceMillis - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /**
   * The connection of {@code group}'s leader went away ({@code why}); if the group had not
   * finished, the job cannot end well, and {@link #awaitAllDone} says so at once.
   */
  public synchronized void groupLost(int group, String why) {
    checkGroup(group);
    if (!done[group] && lost == null) {
      lost = "group " + group + "'s leader was lost before it finished (" + why
          + "); the group's other members name the cause";
      LOG.error("parameter server: {}", lost);
      notifyAll();
    }
  }

  /** A copy of the master weights. */
  public synchronized float[] weights() {
    return master.clone();
  }

  /** Per-group pushes and steps, total steps and rejected pushes, as model metadata. */
  public synchronized Map<String, String> stats() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int g = 0; g < pushes.length; g++) {
      m.put(MetadataKeys.psGroupPushes(g), Long.toString(pushes[g]));
      m.put(MetadataKeys.psGroupSteps(g), Long.toString(steps[g]));
      if (timings[g] != null) {
        m.put(MetadataKeys.leaderTiming(g), timings[g]);
      }
      if (histories[g] != null) {
        m.put(MetadataKeys.history(g), histories[g]);
      }
    }
    m.put(MetadataKeys.PS_STEPS, Long.toString(totalSteps));
    m.put(MetadataKeys.PS_MAX_LEAD, Long.toString(clocks.maxLead()));
    m.put(MetadataKeys.PS_REJECTED, Long.toString(rejected));
    return m;
  }

  private void checkGroup(int group) {
    checkArgument(group >= 0 && group < pushes.length, "unknown group %s (the job has %s)",
        group, pushes.length);
  }

  private void checkOut(FloatBuffer weightsOut) {
    checkNotNull(weightsOut, "weightsOut");
    checkArgument(weightsOut.limit() >= master.length,
        "weightsOut holds %s floats, the model has %s", weightsOut.limit(), master.length);
  }
}
