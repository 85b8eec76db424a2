package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;

import io.horn.core.checkpoint.GroupState;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts consistent checkpoints out of asynchronous pushes, for {@link ParameterServer} (which
 * calls every method under its own monitor).
 *
 * <p>When a cut is due (every {@code everySteps} pushed steps or {@code everyMillis}, whichever
 * comes first), the push that finds it due opens it: the cut's weights start as the master
 * weights after that push. Every other group's next push is added to the cut's weights as well,
 * and each group, told so in its push's reply, sends its state as it stands right after that
 * push (a group's optimizer state does not change between sending a push and getting its
 * reply). So the cut holds each group's pushes up to exactly the one its state follows: resuming
 * from it neither repeats a step the weights hold nor skips one. A group that finished before it
 * pushed again counts as finished. Once every group is in, the cut goes to the sink and the next
 * one can open.
 *
 * <p>Costs: one copy of the weights while a cut is open, one addition of each group's next
 * delta; the groups keep training meanwhile.
 */
final class CheckpointCuts {
  private final int groups;
  private final long everySteps;
  private final long everyMillis;
  private final Consumer<ServerCut> sink;
  private long sequence;
  private long lastSteps;
  private long lastMillis = System.currentTimeMillis();
  // The open cut; cut == null when none is open.
  private float[] cut;
  private final boolean[] in;
  private final long[] cutSteps;
  private final GroupState[] states;

  CheckpointCuts(int groups, long everySteps, long everyMillis, long firstSequence,
      long stepsSoFar, Consumer<ServerCut> sink) {
    checkArgument(everySteps > 0 || everyMillis > 0, "no checkpoint interval");
    this.groups = groups;
    this.everySteps = everySteps;
    this.everyMillis = everyMillis;
    this.sink = sink;
    this.sequence = firstSequence - 1;
    this.lastSteps = stepsSoFar;
    this.in = new boolean[groups];
    this.cutSteps = new long[groups];
    this.states = new GroupState[groups];
  }

  /**
   * After {@code group}'s push (already in {@code master}; {@code delta} is what it added) with
   * the group's pushed steps now {@code groupSteps}: returns whether the group must send its
   * state. {@code done} and {@code steps} are the server's per-group records.
   */
  boolean afterPush(int group, java.nio.FloatBuffer delta, float scale, float[] master,
      long groupSteps,
      long totalSteps, boolean[] done, long[] steps) {
    if (cut == null) {
      if (!due(totalSteps)) {
        return false;
      }
      cut = master.clone();
      Arrays.fill(states, null);
      for (int g = 0; g < groups; g++) {
        in[g] = done[g];
        cutSteps[g] = steps[g];
        if (done[g]) {
          states[g] = GroupState.finished(g, steps[g]);
        }
      }
      in[group] = true;
      cutSteps[group] = groupSteps;
      return true;
    }
    if (in[group]) {
      return false;
    }
    for (int i = 0; i < cut.length; i++) {
      cut[i] += scale * delta.get(i);
    }
    in[group] = true;
    cutSteps[group] = groupSteps;
    return true;
  }

  /** {@code group} finished; if a cut is open and waits for it, it joins as finished. */
  void afterDone(int group, long groupSteps) {
    if (cut != null && !in[group]) {
      in[group] = true;
      cutSteps[group] = groupSteps;
      states[group] = GroupState.finished(group, groupSteps);
      complete();
    }
  }

  /**
   * The state {@code group} was asked for. Returns null when accepted, else why not (no cut
   * waits for it, or its steps are not those of the push that put it in the cut).
   */
  String state(int group, GroupState s) {
    if (cut == null || !in[group] || states[group] != null) {
      return "no checkpoint is waiting for group " + group + "'s state";
    }
    if (s.group() != group || s.steps() != cutSteps[group]) {
      return "group " + group + " sent the state of " + s + ", the checkpoint holds its pushes "
          + "up to step " + cutSteps[group];
    }
    states[group] = s;
    complete();
    return null;
  }

  private void complete() {
    for (int g = 0; g < groups; g++) {
      if (states[g] == null) {
        return;
      }
    }
    long total = 0;
    for (long s : cutSteps) {
      total += s;
    }
    ServerCut c = ServerCut.of(++sequence, cut, total, Arrays.asList(states.clone()));
    cut = null;
    lastSteps = total;
    lastMillis = System.currentTimeMillis();
    sink.accept(c);
  }

  private boolean due(long totalSteps) {
    return (everySteps > 0 && totalSteps - lastSteps >= everySteps)
        || (everyMillis > 0 && System.currentTimeMillis() - lastMillis >= everyMillis);
  }
}
