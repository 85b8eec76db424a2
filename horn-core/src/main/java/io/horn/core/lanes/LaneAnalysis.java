package io.horn.core.lanes;

import io.horn.core.lanes.LaneProgram.Segment;
import io.horn.core.lanes.LaneProgram.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the code generators need to know about a lane program's segments and expressions: which
 * nodes are computed once before a loop, which slots a value reads, which slots are read outside
 * a segment, and whether a loop runs several synapses per lane loop.
 *
 * <p>Stateless; thread-safe.
 */
final class LaneAnalysis {
  private LaneAnalysis() {}

  /**
   * The slots read outside {@code seg}: by the other segments, by any split-off push, and the
   * registers the runner reads (output, error, the engine's output).
   */
  static Set<Integer> readElsewhere(List<Segment> segments, Segment seg) {
    Set<Integer> elsewhere = new LinkedHashSet<>(
        List.of(LaneFrame.OUTPUT, LaneFrame.DELTA, LaneFrame.SELF));
    for (Segment other : segments) {
      if (other != seg) {
        for (Statement st : other.statements()) {
          slotsRead(st.value(), elsewhere);
        }
      }
      if (other.push() != null) {
        slotsRead(other.push(), elsewhere);
      }
    }
    return elsewhere;
  }

  /** Whether {@code e} is an operation (its value can be computed once and kept in its slot). */
  static boolean computes(LaneExpr e) {
    return e.kind == LaneExpr.Kind.BINARY || e.kind == LaneExpr.Kind.CALL;
  }

  static void collectHoisted(LaneExpr e, List<LaneExpr> out) {
    if (e.invariant && computes(e)) {
      out.add(e);
      return;
    }
    for (LaneExpr c : e.children) {
      collectHoisted(c, out);
    }
  }

  /** Every slot of {@code e}'s nodes. */
  static void touch(LaneExpr e, Set<Integer> out) {
    out.add(e.slot);
    for (LaneExpr c : e.children) {
      touch(c, out);
    }
  }

  /** The slots whose lane values {@code e} reads (registers, hoisted nodes). */
  static void slotsRead(LaneExpr e, Set<Integer> out) {
    if (e.kind == LaneExpr.Kind.REG || e.invariant && computes(e)) {
      out.add(e.slot);
      return;
    }
    for (LaneExpr c : e.children) {
      slotsRead(c, out);
    }
  }

  /**
   * Whether the segment's synapses run {@link LaneCodegen#UNROLL} per lane loop: not with a push
   * in the loop (one array of pushes per synapse).
   */
  static boolean unrolls(Segment seg) {
    return !seg.pushes();
  }

  /** The output, error and engine-output registers and every slot the segment's code names. */
  static Set<Integer> touched(Segment seg) {
    Set<Integer> touched = new LinkedHashSet<>(
        List.of(LaneFrame.OUTPUT, LaneFrame.DELTA, LaneFrame.SELF));
    for (Statement st : seg.statements()) {
      touch(st.value(), touched);
      if (st.effect() == LaneProgram.Effect.STORE) {
        touched.add(st.target());
      }
    }
    return touched;
  }

  /**
   * Which slots one pass of {@code statements} (per lane) must load into registers ({@code
   * loaded}: read before written) and store back ({@code stored}: written and then read in a later
   * pass or in {@code readElsewhere}); a slot written before it is read and read nowhere else is
   * a temporary of the pass and lives in its register only.
   */
  static void registers(List<Statement> statements, Set<Integer> readElsewhere,
      Set<Integer> loaded, Set<Integer> stored) {
    for (Statement st : statements) {
      Set<Integer> reads = new LinkedHashSet<>();
      slotsRead(st.value(), reads);
      if (st.effect() == LaneProgram.Effect.BACKPROPAGATE) {
        reads.add(LaneFrame.DELTA);
      }
      for (int r : reads) {
        if (!stored.contains(r)) {
          loaded.add(r);
        }
      }
      if (st.effect() != LaneProgram.Effect.PUSH) {
        stored.add(st.effect() == LaneProgram.Effect.FEED ? LaneFrame.OUTPUT
            : st.effect() == LaneProgram.Effect.BACKPROPAGATE ? LaneFrame.DELTA : st.target());
      }
    }
    stored.removeIf(t -> !loaded.contains(t) && !readElsewhere.contains(t));
  }
}
