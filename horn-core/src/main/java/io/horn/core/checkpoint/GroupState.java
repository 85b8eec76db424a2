package io.horn.core.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.optimizer.OptimizerState;

/**
 * Where one task group stood at a checkpoint: the steps it had run, the place of its leader in
 * its data ({@code epoch} passes begun, {@code cursor} samples into the current one), and its
 * optimizer state. Every member of a group applies the same updates, so one optimizer state
 * serves them all; each member finds its own place in its data again by replaying {@code steps}
 * (the order of a pass depends only on the seed, the pass and the worker).
 *
 * <p>A group that had finished when the checkpoint was cut has no optimizer state: it will not
 * train again.
 *
 * <p>Immutable.
 */
public final class GroupState {
  private final int group;
  private final long steps;
  private final int epoch;
  private final int cursor;
  private final OptimizerState optimizer;

  /**
   * @param optimizer the group's optimizer state; null for a group that had finished
   */
  public GroupState(int group, long steps, int epoch, int cursor, OptimizerState optimizer) {
    checkArgument(group >= 0, "group must be >= 0, got %s", group);
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkArgument(epoch >= 0 && cursor >= 0, "epoch %s and cursor %s must be >= 0", epoch,
        cursor);
    this.group = group;
    this.steps = steps;
    this.epoch = epoch;
    this.cursor = cursor;
    this.optimizer = optimizer;
  }

  /** A group that had finished after {@code steps} steps. */
  public static GroupState finished(int group, long steps) {
    return new GroupState(group, steps, 0, 0, null);
  }

  public int group() {
    return group;
  }

  public long steps() {
    return steps;
  }

  public int epoch() {
    return epoch;
  }

  public int cursor() {
    return cursor;
  }

  public boolean finished() {
    return optimizer == null;
  }

  /** The optimizer state; throws for a finished group. */
  public OptimizerState optimizer() {
    checkNotNull(optimizer, "group %s had finished: it has no optimizer state", group);
    return optimizer;
  }

  @Override
  public String toString() {
    return "group " + group + ": " + steps + " steps" + (finished() ? ", finished"
        : ", pass " + epoch + " at " + cursor);
  }
}
