package io.horn.paramserver.collective;

/**
 * The collectives of one member of a task group: every member calls the same operations in the
 * same order with ranges of the same length, and each call returns once this member's part is
 * done. Implementations: {@link GroupRing} (direct TCP between tasks, any host) and {@link
 * LocalGroup} (members are threads of one JVM).
 *
 * <p>Results are exact and repeatable: after {@link #allReduce(float[], int, int)} every member
 * holds the same bits, summed in the order {@link ReductionOrder} defines, whichever
 * implementation ran.
 *
 * <p>Lifecycle: made joined; any number of operations; {@link #close()}. After a failure every
 * later operation throws. Thread-safety: one thread calls the operations; {@link #abort} and
 * {@link #close} may come from any thread.
 */
public interface GroupCollective extends AutoCloseable {

  /** This member's rank, 0 .. {@link #size()}-1. */
  int rank();

  int size();

  /**
   * Replaces {@code buf[off, off+len)} with the sum of every member's values in that range, in
   * the collective's wire format (sums accumulate in fp32).
   */
  void allReduce(float[] buf, int off, int len) throws CollectiveException;

  /** Replaces {@code buf[off, off+len)} with member {@code root}'s values, bit for bit (fp32). */
  void broadcast(float[] buf, int off, int len, int root) throws CollectiveException;

  /**
   * Replaces {@code values} with the element-wise sum over members, added in rank order in double
   * precision: for the small per-step header (samples, cost, flags).
   */
  void allReduce(double[] values) throws CollectiveException;

  /** Fails the group: this member's pending and later calls, and (promptly) the other members'. */
  void abort(String reason);

  /** Releases threads and sockets; idempotent. */
  @Override
  void close();
}
