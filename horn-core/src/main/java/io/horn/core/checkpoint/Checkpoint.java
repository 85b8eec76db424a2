package io.horn.core.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.horn.core.model.Model;
import java.util.List;

/**
 * A consistent cut of a training job: the weights every group will resume from (with the
 * job's metadata and configuration, in {@link #model()}), the steps the job had run in total, and
 * where each group stood ({@link GroupState}). With a parameter server the weights hold exactly
 * the pushes each group had made up to its state, no more and no fewer, so that resuming repeats
 * no step that the weights already hold and skips none.
 *
 * <p>Immutable.
 */
public final class Checkpoint {
  private final long sequence;
  private final long totalSteps;
  private final Model model;
  private final ImmutableList<GroupState> groups;

  /**
   * @param sequence the checkpoint's number in its job, counting from 1; the newest is the
   *     highest
   * @param totalSteps the steps all groups had run together
   * @param model the weights, with metadata
   * @param groups one state per group, in group order
   */
  public Checkpoint(long sequence, long totalSteps, Model model, List<GroupState> groups) {
    checkArgument(sequence > 0, "sequence must be > 0, got %s", sequence);
    checkArgument(totalSteps >= 0, "totalSteps must be >= 0, got %s", totalSteps);
    checkNotNull(model, "model");
    checkArgument(!groups.isEmpty(), "a checkpoint needs at least one group");
    for (int g = 0; g < groups.size(); g++) {
      GroupState s = checkNotNull(groups.get(g), "group %s", g);
      checkArgument(s.group() == g, "group states must be in group order: %s at %s", s, g);
      checkArgument(s.finished() || s.optimizer().size() == model.spec().parameterCount(),
          "group %s's optimizer state covers %s parameters, the model has %s", g,
          s.finished() ? 0 : s.optimizer().size(), model.spec().parameterCount());
    }
    this.sequence = sequence;
    this.totalSteps = totalSteps;
    this.model = model;
    this.groups = ImmutableList.copyOf(groups);
  }

  public long sequence() {
    return sequence;
  }

  public long totalSteps() {
    return totalSteps;
  }

  public Model model() {
    return model;
  }

  public ImmutableList<GroupState> groups() {
    return groups;
  }

  public GroupState group(int g) {
    checkArgument(g >= 0 && g < groups.size(), "group %s of a checkpoint of %s groups", g,
        groups.size());
    return groups.get(g);
  }

  @Override
  public String toString() {
    return "checkpoint " + sequence + " (" + totalSteps + " steps, " + groups.size()
        + " group(s))";
  }
}
