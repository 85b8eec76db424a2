package io.horn.bsp;

import io.horn.core.parallel.GroupExchange;
import io.horn.paramserver.collective.CollectiveException;
import io.horn.paramserver.collective.GroupCollective;
import java.util.Arrays;

/**
 * A model-parallel group's {@link GroupExchange} over its members' {@link GroupCollective} (the
 * TCP or shared-memory ring on a cluster, the in-process group in local mode). Both calls are
 * one all-reduce of the whole layer: an all-gather sums the members' chunks placed in a zeroed
 * buffer (adding zeros is exact), a reduce-scatter sums everything and keeps the member's chunk.
 * That moves about twice the bytes a dedicated all-gather or reduce-scatter would, in exchange
 * for reusing the ring's pipelining, overlap and failure handling unchanged.
 *
 * <p>Time spent in the collective is counted ({@link #nanos}). Not thread-safe: one per member.
 */
final class CollectiveExchange implements GroupExchange {
  private final GroupCollective collective;
  private final int member;
  private long nanos;

  CollectiveExchange(GroupCollective collective, int member) {
    this.collective = collective;
    this.member = member;
  }

  @Override
  public int members() {
    return collective.size();
  }

  @Override
  public int member() {
    return member;
  }

  @Override
  public void allGather(float[] mine, int[] counts, float[] all) {
    int total = 0;
    int off = 0;
    for (int m = 0; m < counts.length; m++) {
      if (m == member) {
        off = total;
      }
      total += counts[m];
    }
    Arrays.fill(all, 0, total, 0f);
    System.arraycopy(mine, 0, all, off, counts[member]);
    reduce(all, total, "all-gather");
  }

  @Override
  public void reduceScatter(float[] all, int[] counts, float[] mine) {
    int total = 0;
    int off = 0;
    for (int m = 0; m < counts.length; m++) {
      if (m == member) {
        off = total;
      }
      total += counts[m];
    }
    reduce(all, total, "reduce-scatter");
    System.arraycopy(all, off, mine, 0, counts[member]);
  }

  private void reduce(float[] buf, int len, String what) {
    long t0 = System.nanoTime();
    try {
      collective.allReduce(buf, 0, len);
    } catch (CollectiveException e) {
      throw new IllegalStateException("member " + member + "'s " + what + " failed: "
          + e.getMessage(), e);
    } finally {
      nanos += System.nanoTime() - t0;
    }
  }

  /** Nanoseconds spent in the group's collective so far. */
  long nanos() {
    return nanos;
  }
}
