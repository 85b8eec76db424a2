package io.horn.core.lanes;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * One widened method ({@code forward} or {@code backward}): straight segments and synapse loops
 * of statements, in the method's order. Immutable; shared by the runners of every thread, each
 * with its own {@link LaneFrame}.
 */
final class LaneProgram {
  /** What a statement does with its value. */
  enum Effect {
    /** Assigns a double local (the target slot). */
    STORE,
    /** {@code feedforward(v)}: the output register. */
    FEED,
    /** {@code backpropagate(v)}: adds to the error register. */
    BACKPROPAGATE,
    /** {@code push(v)}: the current synapse's proposed change, per lane. */
    PUSH
  }

  /** One statement: evaluate {@code value}, then apply {@code effect}. */
  record Statement(Effect effect, int target, LaneExpr value) {}

  /**
   * Statements run once, or once per synapse when {@code loop}. {@code pushes}: a push is among
   * the statements; {@code push}: the value of a push split off the statements ({@link
   * PushSplit}), run as a loop of its own after them, or null.
   */
  record Segment(boolean loop, ImmutableList<Statement> statements, boolean pushes,
      LaneExpr push) {}

  private final int slots;
  private final int splitPushes;
  private final List<LaneCode> codes;

  LaneProgram(List<Segment> segments, int slots, boolean forward) {
    this.slots = slots;
    List<Segment> split = PushSplit.split(segments, slots);
    this.splitPushes = (int) split.stream().filter(seg -> seg.push() != null).count();
    this.codes = ImmutableList.copyOf(LaneCodegen.generate(split, forward));
  }

  /** How many pushes run as a loop of their own ({@link PushSplit}). */
  int splitPushes() {
    return splitPushes;
  }

  int slots() {
    return slots;
  }

  /** Runs the method for {@code f.lanes} samples over {@code f.count} synapses. */
  void run(LaneFrame f) {
    for (int i = 0; i < codes.size(); i++) {
      codes.get(i).run(f);
    }
  }
}
