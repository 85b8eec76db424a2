package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.function.Supplier;

/**
 * The parameter server's staleness bound (stale synchronous parallel, Ho et al., NIPS 2013): a
 * group's clock is its number of pushes, and a push may not return more than {@code staleness}
 * clocks ahead of the slowest group that has not finished. In lock-step (staleness 0) it also
 * keeps the weights of the last completed round, so that every group of a round continues from
 * the same weights even when a faster group has already pushed its next round.
 *
 * <p>Not thread-safe on its own: every method is called under the {@link ParameterServer}'s
 * monitor, which {@link #await} waits on; the server owns the clock and done arrays it reads.
 */
final class GroupClocks {
  private final long[] pushes;
  private final boolean[] done;
  private final int staleness;
  private final long waitMillis;
  /** When each group's latest push arrived: its staleness wait's deadline counts from it. */
  private final long[] waitSince;
  private float[] roundWeights;
  private long roundClock;
  /** The largest lead over the slowest unfinished group that a push returned with. */
  private long maxLead;

  /**
   * @param pushes the server's push counts per group (read, never written)
   * @param done the server's finished flags per group (read, never written)
   * @param staleness -1 for no bound
   * @param start the weights the groups start from (read now, for lock-step's round 0)
   */
  GroupClocks(long[] pushes, boolean[] done, int staleness, long waitMillis, float[] start) {
    checkArgument(staleness >= -1, "staleness must be >= -1, got %s", staleness);
    checkArgument(waitMillis > 0, "waitMillis must be positive, got %s", waitMillis);
    this.pushes = pushes;
    this.done = done;
    this.staleness = staleness;
    this.waitMillis = waitMillis;
    this.waitSince = new long[pushes.length];
    if (staleness == 0) {
      // Round 0 is the start: a group that pulls after another one's first push starts there.
      roundWeights = start.clone();
    }
  }

  /** After {@code group}'s push went into {@code master}: closes its round if it was the last. */
  void afterPush(int group, float[] master) {
    waitSince[group] = System.currentTimeMillis();
    if (staleness == 0 && pushes[group] > roundClock && roundComplete(pushes[group])) {
      System.arraycopy(master, 0, roundWeights, 0, master.length);
      roundClock = pushes[group];
    }
  }

  /** What {@link #await} returns when its slice ended before the group may go on. */
  static final String STILL_WAITING = "still waiting";

  /**
   * Waits on {@code monitor} (the server, whose lock the caller holds) until {@code group}'s
   * clock is at most {@code staleness} ahead of every unfinished group's, for at most
   * {@code sliceMillis} in this call, and records its lead. Returns null when the group may go
   * on; {@link #STILL_WAITING} when the slice ended first (the caller tells its client it is
   * alive and calls again); else why it gave up: the wait since the group's push passed the
   * server's deadline, or {@code lost} says that the job already cannot end well.
   */
  String await(Object monitor, int group, Supplier<String> lost, long sliceMillis) {
    String why = null;
    if (staleness >= 0) {
      why = waitForSlowest(monitor, group, lost, sliceMillis);
      if (why == STILL_WAITING) {
        return why;
      }
    }
    int slowest = slowestUnfinished(group);
    if (slowest >= 0) {
      maxLead = Math.max(maxLead, pushes[group] - pushes[slowest]);
    }
    return why;
  }

  private String waitForSlowest(Object monitor, int group, Supplier<String> lost,
      long sliceMillis) {
    long now = System.currentTimeMillis();
    long deadline = waitSince[group] + waitMillis;
    long sliceEnd = sliceMillis >= waitMillis ? deadline : now + sliceMillis;
    while (true) {
      int slowest = slowestUnfinished(group);
      if (slowest < 0 || pushes[group] - pushes[slowest] <= staleness) {
        return null;
      }
      if (lost.get() != null) {
        return lost.get();
      }
      now = System.currentTimeMillis();
      if (deadline - now <= 0) {
        return "group " + group + " waited " + waitMillis + " ms for group " + slowest
            + " (" + pushes[slowest] + " pushes against its " + pushes[group]
            + ", horn.staleness=" + staleness + ")";
      }
      if (sliceEnd - now <= 0) {
        return STILL_WAITING;
      }
      try {
        monitor.wait(Math.min(deadline, sliceEnd) - now);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while waiting for group " + slowest;
      }
    }
  }

  /** The weights {@code group} continues from: its round's in lock-step, else {@code master}. */
  float[] weightsFor(int group, float[] master) {
    return staleness == 0 && roundClock == pushes[group] ? roundWeights : master;
  }

  /** The largest lead any push returned with. */
  long maxLead() {
    return maxLead;
  }

  /** The largest clock gap between unfinished groups now (0 with one or none left). */
  long gap() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int g = 0; g < pushes.length; g++) {
      if (!done[g]) {
        min = Math.min(min, pushes[g]);
        max = Math.max(max, pushes[g]);
      }
    }
    return max < min ? 0 : max - min;
  }

  /** Whether every unfinished group has pushed at least {@code clock} times. */
  private boolean roundComplete(long clock) {
    for (int g = 0; g < pushes.length; g++) {
      if (!done[g] && pushes[g] < clock) {
        return false;
      }
    }
    return true;
  }

  /** The unfinished group (other than {@code group}) with the fewest pushes, or -1. */
  private int slowestUnfinished(int group) {
    int slowest = -1;
    for (int g = 0; g < pushes.length; g++) {
      if (g != group && !done[g] && (slowest < 0 || pushes[g] < pushes[slowest])) {
        slowest = g;
      }
    }
    return slowest;
  }
}
