package io.horn.core.lanes;

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
 * loop is a plain loop over double arrays that the JIT vectorises.
 *
 * <p>Stateless; writes into one method visitor.
 */
final class PushLoopCodegen implements Opcodes {
  private static final String FRAME = "io/horn/core/lanes/LaneFrame";

  private final MethodVisitor mv;
  private final int f;
  private final int lanes;
  private final int k;
  private final int lane;
  private final int count;
  private final int rowBase;
  private final int slot0;
  /** Locals from here on: rows and the lane's values. */
  private final int free;
  private final Map<Integer, Integer> laneLocals = new LinkedHashMap<>();
  private final int deltaRow;
  private final int weightRow;
  private final int prevRow;
  private final int pushes;

  /**
   * @param locals of the enclosing method: frame, lanes, k, lane, count, rowBase, the first slot
   *     array, and the first local free for this loop
   */
  PushLoopCodegen(MethodVisitor mv, int f, int lanes, int k, int lane, int count, int rowBase,
      int slot0, int free) {
    this.mv = mv;
    this.f = f;
    this.lanes = lanes;
    this.k = k;
    this.lane = lane;
    this.count = count;
    this.rowBase = rowBase;
    this.slot0 = slot0;
    this.free = free;
    this.deltaRow = free;
    this.weightRow = free + 1;
    this.prevRow = free + 2;
    this.pushes = free + 3;
  }

  void emit(LaneExpr push) {
    boolean[] reads = new boolean[LaneExpr.Read.values().length];
    collect(push, reads);
    // The unit's sums in a row of their own, indexed by k like every array of the inner loop:
    // with an offset, the JIT cannot rule out that the sums overlap what the loop reads and
    // leaves the loop scalar.
    field("pushRow", pushes);
    copyRow(true);
    if (reads[LaneExpr.Read.BACKWARD_WEIGHT.ordinal()]) {
      widenRow("weightsT", "weightRow", weightRow);
    }
    if (reads[LaneExpr.Read.BACKWARD_PREV.ordinal()]) {
      widenRow("prevUpdatesT", "prevRow", prevRow);
    }
    loop(lane, lanes, () -> {
      for (Map.Entry<Integer, Integer> e : laneLocals.entrySet()) {
        mv.visitVarInsn(ALOAD, slot0 + e.getKey());
        mv.visitVarInsn(ILOAD, lane);
        mv.visitInsn(DALOAD);
        mv.visitVarInsn(DSTORE, e.getValue());
      }
      if (reads[LaneExpr.Read.BACKWARD_DELTA.ordinal()]) {
        mv.visitVarInsn(ALOAD, f);
        mv.visitFieldInsn(GETFIELD, FRAME, "deltaRows", "[[D");
        mv.visitVarInsn(ILOAD, lane);
        mv.visitInsn(AALOAD);
        mv.visitVarInsn(ASTORE, deltaRow);
      }
      loop(k, count, () -> {
        mv.visitVarInsn(ALOAD, pushes);
        mv.visitVarInsn(ILOAD, k);
        mv.visitInsn(DUP2);
        mv.visitInsn(DALOAD);
        expr(push);
        mv.visitInsn(DADD);
        mv.visitInsn(DASTORE);
      });
    });
    copyRow(false);
  }

  /** Copies the unit's row of sums from the frame's {@code pushesT} ({@code in}) or back. */
  private void copyRow(boolean in) {
    if (in) {
      mv.visitVarInsn(ALOAD, f);
      mv.visitFieldInsn(GETFIELD, FRAME, "pushesT", "[D");
      mv.visitVarInsn(ILOAD, rowBase);
      mv.visitVarInsn(ALOAD, pushes);
      mv.visitInsn(ICONST_0);
    } else {
      mv.visitVarInsn(ALOAD, pushes);
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ALOAD, f);
      mv.visitFieldInsn(GETFIELD, FRAME, "pushesT", "[D");
      mv.visitVarInsn(ILOAD, rowBase);
    }
    mv.visitVarInsn(ILOAD, count);
    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy",
        "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
  }

  /** Gives each per-lane value (a hoisted node, a register) a local; notes the getters read. */
  private void collect(LaneExpr e, boolean[] reads) {
    if (e.kind == LaneExpr.Kind.REG || e.invariant && LaneCodegen.computes(e)) {
      laneLocals.computeIfAbsent(e.slot, s -> free + 4 + 2 * laneLocals.size());
      return;
    }
    if (e.kind == LaneExpr.Kind.SYNAPSE) {
      reads[e.read.ordinal()] = true;
    }
    for (LaneExpr c : e.children) {
      collect(c, reads);
    }
  }

  private void field(String name, int local) {
    mv.visitVarInsn(ALOAD, f);
    mv.visitFieldInsn(GETFIELD, FRAME, name, "[D");
    mv.visitVarInsn(ASTORE, local);
  }

  /** {@code row[k] = (double) source[rowBase + k]} for the unit's synapses. */
  private void widenRow(String source, String row, int local) {
    field(row, local);
    mv.visitVarInsn(ALOAD, f);
    mv.visitFieldInsn(GETFIELD, FRAME, source, "[F");
    int src = pushes + 1;
    mv.visitVarInsn(ASTORE, src);
    loop(k, count, () -> {
      mv.visitVarInsn(ALOAD, local);
      mv.visitVarInsn(ILOAD, k);
      mv.visitVarInsn(ALOAD, src);
      mv.visitVarInsn(ILOAD, rowBase);
      mv.visitVarInsn(ILOAD, k);
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
    Integer local = laneLocals.get(e.slot);
    if (local != null && (e.kind == LaneExpr.Kind.REG || e.invariant && LaneCodegen.computes(e))) {
      mv.visitVarInsn(DLOAD, local);
      return;
    }
    switch (e.kind) {
      case CONST:
        mv.visitLdcInsn(e.value);
        return;
      case SETTING:
        LaneCodegen.setting(mv, f, e.setting);
        return;
      case SYNAPSE:
        mv.visitVarInsn(ALOAD, e.read == LaneExpr.Read.BACKWARD_DELTA ? deltaRow
            : e.read == LaneExpr.Read.BACKWARD_WEIGHT ? weightRow : prevRow);
        mv.visitVarInsn(ILOAD, k);
        mv.visitInsn(DALOAD);
        return;
      case BINARY:
        expr(e.children[0]);
        expr(e.children[1]);
        mv.visitInsn(LaneCodegen.opcode(e.op));
        return;
      default:
        call(e);
    }
  }

  private void call(LaneExpr e) {
    MathOp op = e.function;
    if (op == MathOp.APPLY || op == MathOp.APPLY_DERIVATIVE) {
      mv.visitVarInsn(ALOAD, f);
      mv.visitFieldInsn(GETFIELD, FRAME, "function",
          "Lio/horn/core/activation/ActivationFunction;");
    }
    for (LaneExpr c : e.children) {
      expr(c);
    }
    LaneCodegen.callInsn(mv, op);
  }
}
