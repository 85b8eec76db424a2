package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;

/**
 * A task group whose members are threads of one JVM (Hama's local mode): the collectives work on
 * the members' arrays directly, with no copy through a socket. Each operation is a rendezvous;
 * member {@code r} then computes chunk {@code r} of the sum (so the work is spread over the
 * members' threads) and writes it into every member's array, and a second rendezvous ends the
 * operation. The bits are {@link ReductionOrder}'s, the same as {@link GroupRing}'s.
 *
 * <p>Thread-safe: one thread per member. A member that does not arrive within the timeout fails
 * the others with its rank named.
 */
public final class LocalGroup {
  private final int group;
  private final int size;
  private final CollectiveOptions options;
  private final Object[] arrays;
  private final int[] offsets;
  private final int[] lengths;
  private final int[] arrivals;
  private long generation;
  private int arrived;
  private String failure;

  public LocalGroup(int group, int size, CollectiveOptions options) {
    checkArgument(size > 0, "group size must be positive");
    this.group = group;
    this.size = size;
    this.options = options;
    this.arrays = new Object[size];
    this.offsets = new int[size];
    this.lengths = new int[size];
    this.arrivals = new int[size];
  }

  /** Member {@code rank}'s handle; one per member thread. */
  public GroupCollective member(int rank) {
    checkArgument(rank >= 0 && rank < size, "no member %s in a group of %s", rank, size);
    return new Member(rank);
  }

  /**
   * Waits until every member has deposited its range for this operation; checks the ranges
   * agree.
   */
  private synchronized void meet(int rank, Object array, int off, int len, String what)
      throws CollectiveException {
    arrays[rank] = array;
    offsets[rank] = off;
    lengths[rank] = len;
    await(rank, what);
    for (int m = 0; m < size; m++) {
      if (lengths[m] != len || offsets[m] != off) {
        throw fail("group " + group + ": member " + m + " called " + what + " on values ["
            + offsets[m] + ", +" + lengths[m] + "), member " + rank + " on [" + off + ", +" + len
            + ") (model shapes differ?)");
      }
    }
  }

  private void await(int rank, String what) throws CollectiveException {
    check();
    long gen = generation;
    arrivals[rank]++;
    if (++arrived == size) {
      arrived = 0;
      generation++;
      notifyAll();
      return;
    }
    long end = System.currentTimeMillis() + options.timeoutMillis();
    while (generation == gen && failure == null) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        throw fail("group " + group + ": member " + rank + " waited " + options.timeoutMillis()
            + " ms in " + what + " for members " + missing(rank));
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail("group " + group + ": member " + rank + " was interrupted in " + what);
      }
    }
    check();
  }

  private String missing(int rank) {
    StringBuilder sb = new StringBuilder();
    for (int m = 0; m < size; m++) {
      if (arrivals[m] < arrivals[rank]) {
        sb.append(sb.length() == 0 ? "" : ", ").append(m);
      }
    }
    return sb.toString();
  }

  private void check() throws CollectiveException {
    if (failure != null) {
      throw new CollectiveException(failure);
    }
  }

  private synchronized CollectiveException fail(String reason) {
    if (failure == null) {
      failure = reason;
    }
    notifyAll();
    return new CollectiveException(failure);
  }

  private final class Member implements GroupCollective {
    private final int rank;
    private final float[][] parts = new float[size][];
    private double[] scratch = new double[0];

    Member(int rank) {
      this.rank = rank;
    }

    @Override
    public int rank() {
      return rank;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void allReduce(float[] buf, int off, int len) throws CollectiveException {
      checkPositionIndexes(off, off + len, buf.length);
      if (size == 1) {
        return;
      }
      synchronized (LocalGroup.this) {
        meet(rank, buf, off, len, "all-reduce");
        for (int m = 0; m < size; m++) {
          parts[m] = (float[]) arrays[m];
        }
      }
      ReductionOrder.sumChunk(parts, off, len, rank, options.format(), parts);
      synchronized (LocalGroup.this) {
        await(rank, "all-reduce");
      }
    }

    @Override
    public void broadcast(float[] buf, int off, int len, int root) throws CollectiveException {
      checkPositionIndexes(off, off + len, buf.length);
      checkArgument(root >= 0 && root < size, "no member %s in a group of %s", root, size);
      if (size == 1) {
        return;
      }
      float[] src;
      synchronized (LocalGroup.this) {
        meet(rank, buf, off, len, "broadcast");
        src = (float[]) arrays[root];
      }
      if (rank != root) {
        System.arraycopy(src, off, buf, off, len);
      }
      synchronized (LocalGroup.this) {
        await(rank, "broadcast");
      }
    }

    @Override
    public void allReduce(double[] values) throws CollectiveException {
      if (size == 1) {
        return;
      }
      if (scratch.length != values.length) {
        scratch = new double[values.length];
      }
      synchronized (LocalGroup.this) {
        meet(rank, values, 0, values.length, "header all-reduce");
        for (int i = 0; i < values.length; i++) {
          double s = ((double[]) arrays[0])[i];
          for (int m = 1; m < size; m++) {
            s += ((double[]) arrays[m])[i];
          }
          scratch[i] = s;
        }
        await(rank, "header all-reduce");
      }
      System.arraycopy(scratch, 0, values, 0, values.length);
    }

    @Override
    public void abort(String reason) {
      fail(reason);
    }

    @Override
    public void close() {}
  }
}
