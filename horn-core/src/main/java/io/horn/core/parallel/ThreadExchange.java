package io.horn.core.parallel;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link GroupExchange} for members that are threads of one process: each call posts the
 * member's array, meets the others at a barrier, reads theirs, and meets them again before any
 * array can be reused. A member that does not arrive within the deadline breaks the barrier for
 * everyone.
 *
 * <p>Create one with {@link #group}, then give member {@code m}'s handle to thread {@code m}.
 */
public final class ThreadExchange implements GroupExchange {
  private final Shared shared;
  private final int member;

  private static final class Shared {
    final float[][] posted;
    final CyclicBarrier barrier;
    final long timeoutMillis;

    Shared(int members, long timeoutMillis) {
      posted = new float[members][];
      barrier = new CyclicBarrier(members);
      this.timeoutMillis = timeoutMillis;
    }
  }

  private ThreadExchange(Shared shared, int member) {
    this.shared = shared;
    this.member = member;
  }

  /** Handles for {@code members} threads; a wait longer than {@code timeoutMillis} fails. */
  public static ThreadExchange[] group(int members, long timeoutMillis) {
    checkArgument(members >= 1, "members must be >= 1");
    checkArgument(timeoutMillis > 0, "timeoutMillis must be > 0");
    Shared s = new Shared(members, timeoutMillis);
    ThreadExchange[] handles = new ThreadExchange[members];
    for (int m = 0; m < members; m++) {
      handles[m] = new ThreadExchange(s, m);
    }
    return handles;
  }

  @Override
  public int members() {
    return shared.posted.length;
  }

  @Override
  public int member() {
    return member;
  }

  @Override
  public void allGather(float[] mine, int[] counts, float[] all) {
    checkArgument(counts.length == members(), "%s counts for %s members", counts.length,
        members());
    shared.posted[member] = mine;
    meet();
    int off = 0;
    for (int m = 0; m < counts.length; m++) {
      System.arraycopy(shared.posted[m], 0, all, off, counts[m]);
      off += counts[m];
    }
    meet();
  }

  @Override
  public void reduceScatter(float[] all, int[] counts, float[] mine) {
    checkArgument(counts.length == members(), "%s counts for %s members", counts.length,
        members());
    shared.posted[member] = all;
    meet();
    int off = 0;
    for (int m = 0; m < member; m++) {
      off += counts[m];
    }
    int len = counts[member];
    System.arraycopy(shared.posted[0], off, mine, 0, len);
    for (int m = 1; m < counts.length; m++) {
      float[] p = shared.posted[m];
      for (int i = 0; i < len; i++) {
        mine[i] += p[off + i];
      }
    }
    meet();
  }

  private void meet() {
    try {
      shared.barrier.await(shared.timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("member " + member + " was interrupted in a collective", e);
    } catch (BrokenBarrierException | TimeoutException e) {
      shared.barrier.reset();
      throw new IllegalStateException("member " + member + ": another member of the "
          + "model-parallel group failed or did not arrive within " + shared.timeoutMillis
          + " ms", e);
    }
  }
}
