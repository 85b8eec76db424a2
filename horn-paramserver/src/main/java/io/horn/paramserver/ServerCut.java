package io.horn.paramserver;

import com.google.common.collect.ImmutableList;
import io.horn.core.checkpoint.GroupState;
import java.util.List;

/**
 * A consistent cut of a parameter server's job, ready to be written as a checkpoint: weights
 * that hold exactly each group's pushes up to the push after which its state was taken, the
 * steps those pushes carried in total, and every group's state.
 *
 * @param sequence the cut's number in the job, from 1
 * @param weights the weights of the cut (owned by the record; not copied)
 * @param totalSteps the steps all groups had pushed, up to their states
 * @param groups one state per group, in group order
 */
public record ServerCut(long sequence, float[] weights, long totalSteps,
    ImmutableList<GroupState> groups) {

  static ServerCut of(long sequence, float[] weights, long totalSteps, List<GroupState> groups) {
    return new ServerCut(sequence, weights, totalSteps, ImmutableList.copyOf(groups));
  }
}
