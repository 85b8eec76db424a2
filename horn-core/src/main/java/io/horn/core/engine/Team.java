package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads one CPU engine splits a step over: the calling thread is part 0, helpers are parts
 * 1 to {@code size - 1}. {@link #run} hands the same work to every part and returns when all are
 * done; inside the work, {@link #sync()} is a barrier over the parts of the run.
 *
 * <p>Why not an executor: a step has a handful of barriers a few hundred microseconds apart, and
 * waking a parked thread costs tens of microseconds. Helpers spin for a short while after each run
 * and at each barrier (parts reach a barrier within microseconds of each other: their shares are
 * equal), then yield and nap, so a team on an oversubscribed machine (several engines in one
 * JVM) lets the others run; helpers idle between runs park after {@value #IDLE_SPIN_NANOS} ns.
 *
 * <p>Lifecycle and thread-safety: one caller at a time runs work (the engine's contract); {@link
 * #sync()} and {@link #await} only from inside that work. A part that throws aborts the others at
 * their next wait, and {@link #run} rethrows the first failure. {@link #close()} lets the helpers
 * end; the engine also closes its team when it becomes unreachable.
 */
final class Team implements AutoCloseable {
  /** Work done by each part of a run. */
  interface Work {
    /** Runs part {@code part} of {@code parts}. */
    void run(int part, int parts);
  }

  /** Spins at a barrier before yielding. */
  private static final long SPIN_NANOS = 100_000;
  /** Yields at a barrier before napping. */
  private static final long YIELD_NANOS = 1_000_000;
  /** One nap of a long wait. */
  private static final long NAP_NANOS = 50_000;
  /** Spins of an idle helper before parking. */
  private static final long IDLE_SPIN_NANOS = 200_000;

  private final int size;
  private final Thread[] helpers;
  private final AtomicIntegerArray parked;
  /** The current run, published in one volatile write so a helper never mixes two runs. */
  private volatile Job job;
  private volatile int parts = 1;
  private long round;
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger arrived = new AtomicInteger();
  private volatile int generation;
  private volatile Throwable failure;
  private volatile boolean closed;

  private record Job(Work work, int parts, long round) {}

  /** Thrown in a part that waits while another part has failed: unwinds it. */
  private static final class Aborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Aborted() {
      super("another part of the step failed", null, false, false);
    }
  }

  Team(int size, String name) {
    checkArgument(size >= 1, "a team needs at least one thread, got %s", size);
    this.size = size;
    helpers = new Thread[size - 1];
    parked = new AtomicIntegerArray(size);
    for (int i = 1; i < size; i++) {
      int part = i;
      Thread t = new Thread(() -> helperLoop(part), name + "-" + i);
      t.setDaemon(true);
      helpers[i - 1] = t;
      t.start();
    }
  }

  int size() {
    return size;
  }

  /** Runs {@code w} on parts {@code 0..parts-1}, part 0 on the calling thread. */
  void run(Work w, int parts) {
    checkArgument(parts >= 1 && parts <= size, "parts must be in 1..%s, got %s", size, parts);
    checkState(!closed, "the engine's threads are closed");
    if (parts == 1) {
      this.parts = 1;
      w.run(0, 1);
      return;
    }
    failure = null;
    done.set(0);
    arrived.set(0);
    this.parts = parts;
    job = new Job(w, parts, ++round); // publishes the fields above to the helpers
    for (int i = 1; i < parts; i++) {
      if (parked.get(i) != 0) {
        LockSupport.unpark(helpers[i - 1]);
      }
    }
    try {
      w.run(0, parts);
    } catch (Throwable t) {
      fail(t);
    }
    long start = System.nanoTime();
    while (done.get() < parts - 1) {
      pause(start);
    }
    job = null; // the work's buffers are not kept alive by idle helpers
    Throwable f = failure;
    if (f != null) {
      failure = null;
      if (f instanceof RuntimeException) {
        throw (RuntimeException) f;
      }
      if (f instanceof Error) {
        throw (Error) f;
      }
      throw new IllegalStateException("a part of the step failed", f);
    }
  }

  /** A barrier over the parts of the current run. */
  void sync() {
    int p = parts;
    if (p == 1) {
      return;
    }
    int g = generation;
    if (arrived.incrementAndGet() == p) {
      arrived.set(0);
      generation = g + 1;
      return;
    }
    long start = System.nanoTime();
    while (generation == g) {
      checkAlive();
      pause(start);
    }
  }

  /** Waits until {@code counters[i] >= value} (set by other parts of the run). */
  void await(AtomicIntegerArray counters, int i, int value) {
    long start = System.nanoTime();
    while (counters.get(i) < value) {
      checkAlive();
      pause(start);
    }
  }

  private void checkAlive() {
    if (failure != null) {
      throw new Aborted();
    }
  }

  /**
   * One wait step: spin while the wait is short (parts doing equal shares meet within
   * microseconds), yield for a while, then nap, so a part waiting out a long single-threaded
   * section (a layer of user neurons, which has threads of its own) leaves the cores to it.
   */
  private static void pause(long start) {
    long waited = System.nanoTime() - start;
    if (waited < SPIN_NANOS) {
      Thread.onSpinWait();
    } else if (waited < YIELD_NANOS) {
      Thread.yield();
    } else {
      LockSupport.parkNanos(NAP_NANOS);
    }
  }

  private synchronized void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
  }

  private void helperLoop(int part) {
    long seen = 0;
    while (true) {
      Job j = job;
      long start = System.nanoTime();
      while ((j == null || j.round == seen) && !closed) {
        if (System.nanoTime() - start < IDLE_SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          parked.set(part, 1);
          if (job == j && !closed) {
            LockSupport.park(this);
          }
          parked.set(part, 0);
        }
        j = job;
      }
      if (closed) {
        return;
      }
      seen = j.round;
      if (part >= j.parts) {
        continue;
      }
      try {
        j.work.run(part, j.parts);
      } catch (Throwable t) {
        fail(t);
      }
      done.incrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : helpers) {
      LockSupport.unpark(t);
    }
  }
}
