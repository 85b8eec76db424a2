package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task group's collectives over direct TCP connections: each member sends to its right
 * neighbour ({@code rank+1}) and receives from its left one ({@code rank-1}), so no member
 * relays for the others and every link carries the same load.
 *
 * <ul>
 *   <li>All-reduce, {@code P = 2}: a direct exchange; each member sends its whole range and adds
 *       the other's as it arrives, piece by piece.
 *   <li>All-reduce, {@code P > 2}: a ring reduce-scatter then all-gather; each member sends and
 *       receives {@code 2(P-1)/P} of the range, the bandwidth optimum, whatever P is. A received
 *       piece is added and forwarded at once, so the ring is a pipeline, not P-1 rounds.
 *   <li>Broadcast: pieces flow from the root round the ring, each member forwarding a piece as
 *       soon as it has it.
 * </ul>
 * The summation order is {@link ReductionOrder}'s. Made by {@link RingEndpoint#join}.
 *
 * <p>Failures: any error (a neighbour's EOF, a stall past the deadline, an out-of-step frame)
 * fails the member, which tells its right neighbour why before closing, so the cause travels
 * round the ring and every member fails within about one deadline, naming the member at fault.
 *
 * <p>Thread-safety: as {@link GroupCollective}.
 */
public final class GroupRing implements GroupCollective {
  private static final Logger LOG = LoggerFactory.getLogger(GroupRing.class);

  private final int group;
  private final int rank;
  private final int size;
  private final CollectiveOptions options;
  private final Watchdog watchdog;
  private final OutLink out;
  private final InLink in;
  private final double[][] rows;
  private volatile String failure;
  private final Activity activity = new Activity();
  private boolean closed;

  /** A group of one: every operation is the identity. */
  GroupRing(int group, CollectiveOptions options) {
    this(group, 0, 1, options, null, null, null, null, null);
  }

  /**
   * Takes over two authenticated connections: to the right neighbour ({@code toRight}) and from
   * the left one ({@code fromLeft}); for two members both lead to the same task.
   */
  GroupRing(int group, int rank, int size, CollectiveOptions options, Watchdog watchdog,
      SocketChannel toRight, String right, SocketChannel fromLeft, String left) {
    this.group = group;
    this.rank = rank;
    this.size = size;
    this.options = options;
    this.watchdog = watchdog;
    this.rows = new double[size][];
    if (size == 1) {
      this.out = null;
      this.in = null;
      return;
    }
    this.out = new OutLink(toRight, watchdog.guard(toRight), right, options.pieceValues(),
        "horn-collective-g" + group + "m" + rank + "-send", this::abort);
    // While this member waits for its left neighbour, it tells its right one it is alive.
    // Silence on the way in, not even a heartbeat, means the left neighbour is dead or frozen.
    this.in = new InLink(fromLeft, watchdog.guard(fromLeft, out::waiting,
        options.heartbeatMillis()), left, options.pieceValues(), options.timeoutMillis(),
        options.heartbeatMillis());
    // And while it computes too: a heartbeat whenever the link is idle, from the watchdog's
    // thread, so that the right neighbour's deadline catches a dead or frozen process, never a
    // long step.
    watchdog.every(Math.max(1, options.heartbeatMillis() / 4), out::alive);
  }

  /** Moves the links whose ends share this host onto shared memory (null: stays on TCP). */
  void useSharedMemory(ShmRing toRight, ShmRing fromLeft) throws IOException {
    if (toRight != null) {
      out.useSharedMemory(toRight);
    }
    if (fromLeft != null) {
      in.useSharedMemory(fromLeft);
    }
  }

  /** How each link travels, for logs and benchmarks: e.g. "out shm, in tcp". */
  public String transport() {
    return size == 1 ? "none" : "out " + out.transport() + ", in " + in.transport();
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
    Object during = begin("all-reduce", -1);
    if (size == 1 || len == 0) {
      return;
    }
    try {
      if (size == 2) {
        exchange(buf, off, len, during);
      } else {
        ring(buf, off, len, during);
      }
      out.flush();
    } catch (CollectiveException e) {
      throw failed(e);
    }
  }

  private void exchange(float[] buf, int off, int len, Object during)
      throws CollectiveException {
    WireFormat f = options.format();
    int piece = options.pieceValues();
    long first = -1;
    for (int p = off; p < off + len; p += piece) {
      long s = out.submit(buf, p, Math.min(piece, off + len - p), f);
      first = first < 0 ? s : first;
    }
    long seq = first;
    for (int p = off; p < off + len; p += piece, seq++) {
      int n = Math.min(piece, off + len - p);
      // The piece must have left before it is overwritten by the sum.
      out.awaitSent(seq);
      f.round(buf, p, n);
      in.read(buf, p, n, f, true, during);
    }
  }

  private void ring(float[] buf, int off, int len, Object during) throws CollectiveException {
    WireFormat f = options.format();
    int p = size;
    // Reduce-scatter, step 0: this member's own values of chunk rank-1 start their trip.
    long lastOfStep0 = send(buf, off, len, mod(rank - 1), f);
    for (int k = 0; k <= p - 2; k++) {
      int c = mod(rank - 2 - k);
      int from = ReductionOrder.chunkStart(off, len, p, c);
      int to = ReductionOrder.chunkStart(off, len, p, c + 1);
      for (int q = from; q < to; q += options.pieceValues()) {
        int n = Math.min(options.pieceValues(), to - q);
        in.read(buf, q, n, f, true, during);
        if (k == p - 2) {
          f.round(buf, q, n); // chunk rank is complete: keep what the others will receive
        }
        out.submit(buf, q, n, f);
      }
    }
    // All-gather: completed chunks travel on; chunk rank-1-k arrives at step k.
    if (lastOfStep0 >= 0) {
      out.awaitSent(lastOfStep0);
    }
    for (int k = 0; k <= p - 2; k++) {
      int c = mod(rank - 1 - k);
      int from = ReductionOrder.chunkStart(off, len, p, c);
      int to = ReductionOrder.chunkStart(off, len, p, c + 1);
      for (int q = from; q < to; q += options.pieceValues()) {
        int n = Math.min(options.pieceValues(), to - q);
        in.read(buf, q, n, f, false, during);
        if (k < p - 2) {
          out.submit(buf, q, n, f);
        }
      }
    }
  }

  /** Queues chunk {@code c}; returns the sequence number of its last piece, or -1 if empty. */
  private long send(float[] buf, int off, int len, int c, WireFormat f)
      throws CollectiveException {
    int from = ReductionOrder.chunkStart(off, len, size, c);
    int to = ReductionOrder.chunkStart(off, len, size, c + 1);
    long last = -1;
    for (int q = from; q < to; q += options.pieceValues()) {
      last = out.submit(buf, q, Math.min(options.pieceValues(), to - q), f);
    }
    return last;
  }

  @Override
  public void broadcast(float[] buf, int off, int len, int root) throws CollectiveException {
    checkPositionIndexes(off, off + len, buf.length);
    checkArgument(root >= 0 && root < size, "no member %s in a group of %s", root, size);
    Object during = begin("broadcast", root);
    if (size == 1 || len == 0) {
      return;
    }
    try {
      int pos = mod(rank - root);
      int piece = options.pieceValues();
      for (int q = off; q < off + len; q += piece) {
        int n = Math.min(piece, off + len - q);
        if (pos != 0) {
          in.read(buf, q, n, WireFormat.FP32, false, during);
        }
        if (pos != size - 1) {
          out.submit(buf, q, n, WireFormat.FP32);
        }
      }
      out.flush();
    } catch (CollectiveException e) {
      throw failed(e);
    }
  }

  @Override
  public void allReduce(double[] values) throws CollectiveException {
    Object during = begin("header all-reduce", -1);
    if (size == 1) {
      return;
    }
    try {
      int n = values.length;
      for (int m = 0; m < size; m++) {
        if (rows[m] == null || rows[m].length != n) {
          rows[m] = new double[n];
        }
      }
      System.arraycopy(values, 0, rows[rank], 0, n);
      // An all-gather of every member's row, then the same rank-order sum everywhere.
      for (int k = 0; k <= size - 2; k++) {
        out.submit(rows[mod(rank - k)], 0, n);
        in.read(rows[mod(rank - 1 - k)], 0, n, during);
      }
      out.flush();
      for (int i = 0; i < n; i++) {
        double s = rows[0][i];
        for (int m = 1; m < size; m++) {
          s += rows[m][i];
        }
        values[i] = s;
      }
    } catch (CollectiveException e) {
      throw failed(e);
    }
  }

  /**
   * Checks the group is usable and names the operation that starts, for error messages: one
   * mutable description, turned into text only when a message needs it, so a step allocates
   * nothing for it.
   */
  private Object begin(String what, int root) throws CollectiveException {
    String f = failure;
    if (f != null) {
      throw new CollectiveException(f);
    }
    if (closed) {
      throw new CollectiveException("group " + group + "'s collectives are closed");
    }
    activity.what = what;
    activity.root = root;
    activity.op++;
    return activity;
  }

  /** The operation in progress, as error messages name it. */
  private final class Activity {
    String what = "";
    int root = -1;
    long op;

    @Override
    public String toString() {
      return what + (root >= 0 ? " from member " + root : "") + " #" + op + " of group " + group
          + " (member " + rank + ")";
    }
  }

  private int mod(int i) {
    return ((i % size) + size) % size;
  }

  /** The first failure wins: a later error that it caused (a closed channel) reports it. */
  private CollectiveException failed(CollectiveException e) {
    String first = failure;
    if (first != null && !first.equals(e.getMessage())) {
      return new CollectiveException(first, e);
    }
    fail(e.getMessage());
    return e;
  }

  private void fail(String reason) {
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = reason;
    }
    LOG.error("group {} member {}: {}", group, rank, reason);
    if (out != null) {
      out.abort("member " + rank + " failed: " + reason);
    }
  }

  @Override
  public void abort(String reason) {
    fail(reason);
    if (in != null) {
      in.close(); // wakes a read blocked on the left neighbour
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (out != null) {
      out.close();
    }
    if (in != null) {
      in.close();
    }
    if (watchdog != null) {
      watchdog.close();
    }
  }
}
