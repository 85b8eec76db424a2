package io.horn.paramserver;

import io.horn.core.checkpoint.GroupState;
import java.io.IOException;

/**
 * What a task group's leader asks of the parameter server: the current master weights, pushes
 * of its weight deltas (each answered with the master weights after it), and word that it has
 * finished. Implemented in process by {@link LocalServerClient} and over TCP by
 * {@link RemoteServerClient}.
 *
 * <p>Arrays are the model's flat parameter vectors: every {@code delta} and {@code weights}
 * array must hold exactly the model's parameter count, and step counts must not be negative,
 * else the call throws {@link IllegalArgumentException} before anything is sent.
 *
 * <p>Lifecycle: obtained once per group (connected and authenticated when remote), used for
 * the whole training run, {@link #done} once at the end, then {@link #close}d. After a call
 * failed with an {@link IOException} other than a rejected push, a remote client is broken
 * and every later call fails; a rejected push leaves the client usable.
 *
 * <p>Thread-safety: one thread per client. Calls must not overlap; only {@link #close} may come
 * from another thread, and it makes a call in progress fail.
 */
public interface ParameterServerClient extends AutoCloseable {

  /** Copies the current master weights into {@code weights}. */
  void pull(float[] weights) throws IOException;

  /**
   * Sends {@code delta} (the group's weights minus those it last pulled, after {@code steps}
   * more steps) to be added to the master weights, and receives the master weights after it
   * into {@code weights}, which may be the same array as {@code delta}.
   *
   * <p>A delta the server refuses (non-finite values: the group diverged) is not applied and
   * makes this throw an {@link IOException} carrying the server's reason; {@code weights} then
   * holds either what it held before or the master weights, so pull before going on. A call
   * that fails for another reason (the server died or stalled) may or may not have been applied.
   *
   * @return true when the job's step budget is spent: the group should stop
   */
  boolean pushAndPull(int steps, float[] delta, float[] weights) throws IOException;

  /**
   * {@link #pushAndPull} with the delta threshold-encoded ({@link ThresholdCodes}): the first
   * {@code count} entries of {@code codes} each stand for ±{@code threshold} at one index. The
   * server applies them as the dense delta they stand for, with the same checks, replies and
   * failures.
   */
  boolean pushEncodedAndPull(int steps, int[] codes, int count, float threshold, float[] weights)
      throws IOException;

  /**
   * Whether the reply to the last {@link #pushAndPull} asked for the group's state: a
   * checkpoint is being cut, and {@link #sendState} must follow before the next push.
   */
  boolean checkpointWanted();

  /**
   * Sends the group's state as it stands right after its last push, for the checkpoint being
   * cut.
   *
   * @throws IOException if the server refused it (its records disagree with the state) or the
   *     call failed
   */
  void sendState(GroupState state) throws IOException;

  /**
   * Tells the server that the group finished after {@code totalSteps} steps, with its leader's
   * {@code timing} summary and progress {@code history} (the text form of
   * {@link io.horn.core.model.HistoryRecord}s, kept as the model's metadata holds it); null
   * strings count as empty.
   */
  void done(long totalSteps, String timing, String history) throws IOException;

  /** Releases the connection (if any); idempotent, never throws. */
  @Override
  void close();
}
