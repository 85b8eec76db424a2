package io.horn.core.lanes;

import com.google.common.collect.ImmutableList;
import io.horn.core.lanes.LaneProgram.Effect;
import io.horn.core.lanes.LaneProgram.Segment;
import io.horn.core.lanes.LaneProgram.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes {@code push} out of a synapse loop when its value can be computed on its own, so that it
 * runs as a loop of its own ({@link PushLoopCodegen}) in the order that suits the pushes.
 *
 * <p>Why: the pushes of one synapse are added in sample order (the per-neuron path's order), a
 * chain of dependent additions per synapse. Inside the synapse loop, where the lanes (samples)
 * are the inner loop, that chain runs across the lanes and stays scalar. Run with the samples
 * outside and the synapses inside, each synapse's sum takes its samples' pushes in the same
 * order while neighbouring synapses are added side by side, the shape the JIT vectorises.
 *
 * <p>The push's value can be split off when it depends only on the synapse's getters, constants,
 * settings and values the loop does not change: a local assigned earlier in the same pass of the
 * loop is replaced by the expression assigned to it (the same operations on the same values, so
 * the same bits). A push that reads something carried from the previous synapse (a running sum,
 * the neuron's accumulated error) stays in the loop. Stores that only fed the push are dropped.
 *
 * <p>Stateless; thread-safe.
 */
final class PushSplit {
  private PushSplit() {}

  /** The segments with every loop's push split off where possible. */
  static List<Segment> split(List<Segment> segments, int slots) {
    List<Segment> out = new ArrayList<>(segments.size());
    for (Segment seg : segments) {
      out.add(seg.loop() && seg.pushes() ? split(seg, slots) : seg);
    }
    return dropDeadStores(out, slots);
  }

  private static Segment split(Segment seg, int slots) {
    List<Statement> sts = seg.statements();
    boolean[] changed = new boolean[slots];
    for (Statement st : sts) {
      if (st.effect() != Effect.PUSH) {
        changed[written(st)] = true;
      }
    }
    for (int i = 0; i < sts.size(); i++) {
      Statement st = sts.get(i);
      if (st.effect() != Effect.PUSH) {
        continue;
      }
      LaneExpr v = resolve(st.value(), sts, i, changed);
      if (v == null) {
        return seg;
      }
      List<Statement> rest = new ArrayList<>(sts);
      rest.remove(i);
      return new Segment(true, ImmutableList.copyOf(rest), false, v);
    }
    return seg;
  }

  /** The slot a statement other than a push writes. */
  private static int written(Statement st) {
    switch (st.effect()) {
      case FEED: return LaneFrame.OUTPUT;
      case BACKPROPAGATE: return LaneFrame.DELTA;
      case STORE: return st.target();
      default: throw new IllegalArgumentException("a push writes no slot");
    }
  }

  /**
   * {@code e}'s value just before statement {@code at} of a pass of the loop, in terms of values
   * the loop does not change; null when it reads a value carried from the previous pass.
   */
  private static LaneExpr resolve(LaneExpr e, List<Statement> sts, int at, boolean[] changed) {
    if (e.kind == LaneExpr.Kind.REG && changed[e.slot]) {
      for (int j = at - 1; j >= 0; j--) {
        Statement st = sts.get(j);
        if (st.effect() != Effect.PUSH && written(st) == e.slot) {
          return st.effect() == Effect.BACKPROPAGATE ? null
              : resolve(st.value(), sts, j, changed);
        }
      }
      return null;
    }
    if (e.children.length == 0) {
      return e;
    }
    LaneExpr[] kids = new LaneExpr[e.children.length];
    boolean same = true;
    for (int c = 0; c < kids.length; c++) {
      kids[c] = resolve(e.children[c], sts, at, changed);
      if (kids[c] == null) {
        return null;
      }
      same &= kids[c] == e.children[c];
    }
    return same ? e : e.withChildren(kids);
  }

  /** Drops stores to locals that nothing reads any more (they fed only a split-off push). */
  private static List<Segment> dropDeadStores(List<Segment> segments, int slots) {
    List<Segment> cur = segments;
    while (true) {
      boolean[] read = new boolean[slots];
      for (Segment seg : cur) {
        for (Statement st : seg.statements()) {
          reads(st.value(), read);
        }
        if (seg.push() != null) {
          reads(seg.push(), read);
        }
      }
      boolean dropped = false;
      List<Segment> next = new ArrayList<>(cur.size());
      for (Segment seg : cur) {
        List<Statement> kept = new ArrayList<>();
        for (Statement st : seg.statements()) {
          if (st.effect() == Effect.STORE && !read[st.target()]) {
            dropped = true;
          } else {
            kept.add(st);
          }
        }
        next.add(new Segment(seg.loop(), ImmutableList.copyOf(kept), seg.pushes(), seg.push()));
      }
      if (!dropped) {
        return cur;
      }
      cur = next;
    }
  }

  private static void reads(LaneExpr e, boolean[] read) {
    if (e.kind == LaneExpr.Kind.REG) {
      read[e.slot] = true;
    }
    for (LaneExpr c : e.children) {
      reads(c, read);
    }
  }
}
