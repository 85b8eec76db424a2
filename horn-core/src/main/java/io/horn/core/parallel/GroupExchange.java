package io.horn.core.parallel;

/**
 * The two collectives a model-parallel group needs, over the members' contiguous chunks.
 * Member {@code i}'s chunk has {@code counts[i]} floats; {@code counts} must be the same on
 * every member, and every member must make the same calls in the same order.
 *
 * <p>Results are exact and repeatable: a reduce-scatter adds the members' values in member
 * order, so every run and every member computes the same bits.
 *
 * <p>Thread-safety: one thread per member; a call returns when the member's result is ready.
 * Failures (a member that died or a deadline) surface as {@link IllegalStateException}s naming
 * the member waited for.
 */
public interface GroupExchange {
  /** The number of members. */
  int members();

  /** This member's number, {@code 0 .. members()-1}. */
  int member();

  /**
   * Every member's chunk, in member order, into {@code all} (from index 0): this member's is
   * {@code mine[0, counts[member()])}.
   */
  void allGather(float[] mine, int[] counts, float[] all);

  /**
   * {@code all} holds every member's chunk in member order (as {@link #allGather} lays them
   * out); writes into {@code mine[0, counts[member()])} the sum over all members of their
   * values for this member's chunk. May overwrite {@code all}; {@code mine} must not share
   * memory with it.
   */
  void reduceScatter(float[] all, int[] counts, float[] mine);
}
