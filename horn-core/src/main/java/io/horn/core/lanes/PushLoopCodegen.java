package io.horn.core.lanes;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generates the loop of a push split off its synapse loop ({@link PushSplit}):
 *
 * <pre>
 * for (lane = 0; lane &lt; lanes; lane++)          // samples, in order
 *   for (k = 0; k &lt; count; k++)                 // synapses, side by side
 *     pushesT[rowBase + k] += value(lane, k);
 * </pre>
 *
 * <p>Each synapse's sum takes the pushes in sample order, as on the per-neuron path, and the
 * value is the push's expression, with the same operations. The synapse's getters read arrays
 * indexed by {@code k} alone (the errors of the lane's sample, the unit's weights and previous
 * changes, widened to double once per unit) and the lane's own values sit in locals, so the inner
 * loop is a plain loop over double arrays that the JIT vectorises. The unit's sums are copied
 * to a row of their own and back, and two lanes share a pass (each sum is loaded and stored once
 * for both, and takes the first lane's push first).
 *
 * <p>Single use: an instance writes one method, on one thread.
 */
final class PushLoopCodegen implements Opcodes {
  private static final String FRAME = LaneClasses.FRAME;

  // Locals of the generated run(LaneFrame F).
  private static final int F = 1;
  private static final int LANES = 2;
  private static final int COUNT = 3;
  private static final int ROW_BASE = 4;
  private static final int K = 5;
  private static final int LANE = 6;
  private static final int DELTA_ROW = 7;
  private static final int WEIGHT_ROW = 8;
  private static final int PREV_ROW = 9;
  private static final int PUSHES = 10;
  private static final int SOURCE = 11;
  private static final int BUF = 12;
  private static final int DELTA_ROW_2 = 13;
  /** The lanes' values, then the settings, two locals each. */
  private static final int VALUES = 14;
  /**
   * Lanes per pass of the inner loop: each sum is loaded and stored once for both, and still
   * takes the first lane's push before the second's.
   */
  private static final int GROUP = 2;

  private final MethodVisitor mv;
  /** Per slot read per lane (a hoisted node, a register): its local. */
  private final Map<Integer, Integer> laneLocals = new LinkedHashMap<>();
  /** The invariant nodes among them, by slot. */
  private final Map<Integer, LaneExpr> invariants = new HashMap<>();
  private final Map<LaneExpr.Setting, Integer> settings = new EnumMap<>(LaneExpr.Setting.class);
  /** The lane of the group being generated: {@code lane + member}. */
  private int member;

  PushLoopCodegen(MethodVisitor mv) {
    this.mv = mv;
  }

  void emit(LaneExpr push) {
    boolean[] reads = new boolean[LaneExpr.Read.values().length];
    collect(push, reads);
    intField("lanes", LANES);
    intField("count", COUNT);
    intField("rowBase", ROW_BASE);
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, "buf", "[[D");
    mv.visitVarInsn(ASTORE, BUF);
    int next = VALUES + 2 * GROUP * laneLocals.size();
    for (LaneExpr.Setting st : LaneExpr.Setting.values()) {
      if (settings.containsKey(st)) {
        settings.put(st, next);
        LaneClasses.setting(mv, F, st);
        mv.visitVarInsn(DSTORE, next);
        next += 2;
      }
    }
    // The unit's sums in a row of their own, indexed by k like every array of the inner loop:
    // with an offset, the JIT cannot rule out that the sums overlap what the loop reads and
    // leaves the loop scalar.
    field("pushRow", PUSHES);
    copyRow(true);
    if (reads[LaneExpr.Read.BACKWARD_WEIGHT.ordinal()]) {
      widenRow("weightsT", "weightRow", WEIGHT_ROW);
    }
    if (reads[LaneExpr.Read.BACKWARD_PREV.ordinal()]) {
      widenRow("prevUpdatesT", "prevRow", PREV_ROW);
    }
    mv.visitInsn(ICONST_0);
    mv.visitVarInsn(ISTORE, LANE);
    lanes(GROUP, push, reads);
    lanes(1, push, reads);
    copyRow(false);
    mv.visitInsn(RETURN);
  }

  /**
   * {@code for (; lane + group <= lanes; lane += group)}: the group's values, then for every
   * synapse its sum plus each lane's push, in lane order.
   */
  private void lanes(int group, LaneExpr push, boolean[] reads) {
    Label head = new Label();
    Label end = new Label();
    mv.visitLabel(head);
    mv.visitVarInsn(ILOAD, LANE);
    mv.visitLdcInsn(group);
    mv.visitInsn(IADD);
    mv.visitVarInsn(ILOAD, LANES);
    mv.visitJumpInsn(IF_ICMPGT, end);
    for (member = 0; member < group; member++) {
      for (Map.Entry<Integer, Integer> e : laneLocals.entrySet()) {
        laneValue(invariants.get(e.getKey()), e.getKey());
        mv.visitVarInsn(DSTORE, local(e.getKey()));
      }
      if (reads[LaneExpr.Read.BACKWARD_DELTA.ordinal()]) {
        mv.visitVarInsn(ALOAD, F);
        mv.visitFieldInsn(GETFIELD, FRAME, "deltaRows", "[[D");
        lane();
        mv.visitInsn(AALOAD);
        mv.visitVarInsn(ASTORE, member == 0 ? DELTA_ROW : DELTA_ROW_2);
      }
    }
    loop(K, COUNT, () -> {
      mv.visitVarInsn(ALOAD, PUSHES);
      mv.visitVarInsn(ILOAD, K);
      mv.visitInsn(DUP2);
      mv.visitInsn(DALOAD);
      for (member = 0; member < group; member++) {
        expr(push);
        mv.visitInsn(DADD);
      }
      mv.visitInsn(DASTORE);
    });
    mv.visitIincInsn(LANE, group);
    mv.visitJumpInsn(GOTO, head);
    mv.visitLabel(end);
    member = 0;
  }

  /** Pushes the index of the current lane of the group. */
  private void lane() {
    mv.visitVarInsn(ILOAD, LANE);
    if (member > 0) {
      mv.visitLdcInsn(member);
      mv.visitInsn(IADD);
    }
  }

  /** The local of the current lane's value of slot {@code s}. */
  private int local(int s) {
    return VALUES + 2 * (member * laneLocals.size() + laneLocals.get(s));
  }

  private void intField(String name, int local) {
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, name, "I");
    mv.visitVarInsn(ISTORE, local);
  }

  /** Copies the unit's row of sums from the frame's {@code pushesT} ({@code in}) or back. */
  private void copyRow(boolean in) {
    if (in) {
      mv.visitVarInsn(ALOAD, F);
      mv.visitFieldInsn(GETFIELD, FRAME, "pushesT", "[D");
      mv.visitVarInsn(ILOAD, ROW_BASE);
      mv.visitVarInsn(ALOAD, PUSHES);
      mv.visitInsn(ICONST_0);
    } else {
      mv.visitVarInsn(ALOAD, PUSHES);
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ALOAD, F);
      mv.visitFieldInsn(GETFIELD, FRAME, "pushesT", "[D");
      mv.visitVarInsn(ILOAD, ROW_BASE);
    }
    mv.visitVarInsn(ILOAD, COUNT);
    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy",
        "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
  }

  /** Gives each per-lane value (a hoisted node, a register) a local; notes the getters read. */
  /**
   * Pushes the lane's value of an invariant node (computed here, once per lane: its inputs are
   * registers, constants and settings) or, when {@code e} is null, of register {@code slot}.
   */
  private void laneValue(LaneExpr e, int slot) {
    if (e == null || e.kind == LaneExpr.Kind.REG) {
      mv.visitVarInsn(ALOAD, BUF);
      mv.visitLdcInsn(e == null ? slot : e.slot);
      mv.visitInsn(AALOAD);
      lane();
      mv.visitInsn(DALOAD);
      return;
    }
    switch (e.kind) {
      case CONST:
        mv.visitLdcInsn(e.value);
        return;
      case SETTING:
        LaneClasses.setting(mv, F, e.setting);
        return;
      case BINARY:
        laneValue(e.children[0], 0);
        laneValue(e.children[1], 0);
        mv.visitInsn(LaneClasses.opcode(e.op));
        return;
      case CALL:
        if (e.function == MathOp.APPLY || e.function == MathOp.APPLY_DERIVATIVE) {
          mv.visitVarInsn(ALOAD, F);
          mv.visitFieldInsn(GETFIELD, FRAME, "function",
              "Lio/horn/core/activation/ActivationFunction;");
        }
        for (LaneExpr c : e.children) {
          laneValue(c, 0);
        }
        LaneClasses.callInsn(mv, e.function);
        return;
      default:
        throw new IllegalStateException("a synapse getter in a value the loop does not change");
    }
  }

  private void collect(LaneExpr e, boolean[] reads) {
    if (e.kind == LaneExpr.Kind.REG || e.invariant && LaneAnalysis.computes(e)) {
      laneLocals.computeIfAbsent(e.slot, s -> laneLocals.size());
      if (e.kind != LaneExpr.Kind.REG) {
        invariants.put(e.slot, e);
      }
      return;
    }
    if (e.kind == LaneExpr.Kind.SETTING) {
      settings.put(e.setting, -1);
    }
    if (e.kind == LaneExpr.Kind.SYNAPSE) {
      reads[e.read.ordinal()] = true;
    }
    for (LaneExpr c : e.children) {
      collect(c, reads);
    }
  }

  private void field(String name, int local) {
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, name, "[D");
    mv.visitVarInsn(ASTORE, local);
  }

  /** {@code row[k] = (double) source[rowBase + k]} for the unit's synapses. */
  private void widenRow(String source, String row, int local) {
    field(row, local);
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, source, "[F");
    mv.visitVarInsn(ASTORE, SOURCE);
    loop(K, COUNT, () -> {
      mv.visitVarInsn(ALOAD, local);
      mv.visitVarInsn(ILOAD, K);
      mv.visitVarInsn(ALOAD, SOURCE);
      mv.visitVarInsn(ILOAD, ROW_BASE);
      mv.visitVarInsn(ILOAD, K);
      mv.visitInsn(IADD);
      mv.visitInsn(FALOAD);
      mv.visitInsn(F2D);
      mv.visitInsn(DASTORE);
    });
  }

  private void loop(int var, int limit, Runnable body) {
    mv.visitInsn(ICONST_0);
    mv.visitVarInsn(ISTORE, var);
    Label head = new Label();
    Label end = new Label();
    mv.visitLabel(head);
    mv.visitVarInsn(ILOAD, var);
    mv.visitVarInsn(ILOAD, limit);
    mv.visitJumpInsn(IF_ICMPGE, end);
    body.run();
    mv.visitIincInsn(var, 1);
    mv.visitJumpInsn(GOTO, head);
    mv.visitLabel(end);
  }

  private void expr(LaneExpr e) {
    if (laneLocals.containsKey(e.slot)
        && (e.kind == LaneExpr.Kind.REG || e.invariant && LaneAnalysis.computes(e))) {
      mv.visitVarInsn(DLOAD, local(e.slot));
      return;
    }
    switch (e.kind) {
      case CONST:
        mv.visitLdcInsn(e.value);
        return;
      case SETTING:
        mv.visitVarInsn(DLOAD, settings.get(e.setting));
        return;
      case SYNAPSE:
        mv.visitVarInsn(ALOAD, e.read == LaneExpr.Read.BACKWARD_DELTA
            ? (member == 0 ? DELTA_ROW : DELTA_ROW_2)
            : e.read == LaneExpr.Read.BACKWARD_WEIGHT ? WEIGHT_ROW : PREV_ROW);
        mv.visitVarInsn(ILOAD, K);
        mv.visitInsn(DALOAD);
        return;
      case BINARY:
        expr(e.children[0]);
        expr(e.children[1]);
        mv.visitInsn(LaneClasses.opcode(e.op));
        return;
      default:
        call(e);
    }
  }

  private void call(LaneExpr e) {
    MathOp op = e.function;
    if (op == MathOp.APPLY || op == MathOp.APPLY_DERIVATIVE) {
      mv.visitVarInsn(ALOAD, F);
      mv.visitFieldInsn(GETFIELD, FRAME, "function",
          "Lio/horn/core/activation/ActivationFunction;");
    }
    for (LaneExpr c : e.children) {
      expr(c);
    }
    LaneClasses.callInsn(mv, op);
  }
}
