package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Benchmark hook: snapshots of group 0's weights during a job whose tasks run in this JVM, taken
 * at most every {@code intervalMillis} by the group's leader, so that accuracy over time can be
 * measured after the run without evaluating while it trains. Enabled per job seed.
 */
public final class ProgressTrace {
  private static final Map<Long, ProgressTrace> ACTIVE = new ConcurrentHashMap<>();

  /** One snapshot: nanoseconds since the leader's first step, its step count, the weights. */
  public static final class Snapshot {
    public final long nanos;
    public final long step;
    public final float[] weights;

    Snapshot(long nanos, long step, float[] weights) {
      this.nanos = nanos;
      this.step = step;
      this.weights = weights;
    }
  }

  private final long intervalNanos;
  private final List<Snapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
  private long start = -1;
  private long last;

  private ProgressTrace(long intervalMillis) {
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  public static ProgressTrace enable(long seed, long intervalMillis) {
    ProgressTrace t = new ProgressTrace(intervalMillis);
    ACTIVE.put(seed, t);
    return t;
  }

  public static void disable(long seed) {
    ACTIVE.remove(seed);
  }

  static ProgressTrace forJob(TrainingSettings s) {
    return ACTIVE.get(s.seed);
  }

  synchronized void begin() {
    if (start < 0) {
      start = System.nanoTime();
      last = start - intervalNanos;
    }
  }

  /** Whether a snapshot is due; the caller then copies the weights and calls {@link #add}. */
  synchronized boolean due() {
    return System.nanoTime() - last >= intervalNanos;
  }

  synchronized void add(long step, float[] weights) {
    last = System.nanoTime();
    snapshots.add(new Snapshot(last - start, step, weights.clone()));
  }

  public List<Snapshot> snapshots() {
    return new ArrayList<>(snapshots);
  }
}
