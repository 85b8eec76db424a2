package io.horn.core.lanes;

import io.horn.core.lanes.LaneProgram.Segment;
import io.horn.core.lanes.LaneProgram.Statement;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generates the bytecode of a {@link LaneCode} for a lane program: the statements of each segment
 * of the user's method (per synapse, in a loop) become one loop over the lanes that runs them
 * all per lane, so the JIT sees plain counted loops over arrays; loop-invariant parts of a
 * synapse loop are computed once before it. Per lane the double operations are the neuron's, in
 * its order.
 *
 * <p>Stateless; thread-safe. Classes are defined in this package's runtime package.
 */
final class LaneCodegen implements Opcodes {
  private static final String FRAME = "io/horn/core/lanes/LaneFrame";
  private static final String FRAME_DESC = "L" + FRAME + ";";
  private static final String FUNCTION = "io/horn/core/activation/ActivationFunction";
  private static final String BASE = "io/horn/core/lanes/LaneCode";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  // Locals of the generated run(LaneFrame f).
  private static final int F = 1;
  private static final int LANES = 2;
  private static final int K = 3;
  private static final int LANE = 4;
  private static final int COUNT = 5;
  private static final int KBASE = 6;
  private static final int VALUES = 7;
  private static final int WEIGHTS = 8;
  private static final int PREVS = 9;
  private static final int BASE_INDEX = 10;
  private static final int PUSHES = 11;
  private static final int FN = 12;
  private static final int WEIGHT = 13;
  private static final int PREV = 15;
  private static final int CURRENT = 17;
  private static final int PUSHED = 18;
  private static final int SLOT0 = 19;

  private final MethodVisitor mv;
  private final boolean forward;

  private LaneCodegen(MethodVisitor mv, boolean forward) {
    this.mv = mv;
    this.forward = forward;
  }

  /** The code of {@code segments} (a {@code forward} method when {@code forward}). */
  static LaneCode generate(List<Segment> segments, int slots, boolean forward) {
    String name = "io/horn/core/lanes/LaneCode$" + (forward ? "Forward" : "Backward")
        + COUNTER.incrementAndGet();
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
      @Override
      protected String getCommonSuperClass(String a, String b) {
        // The code merges no two different reference types; Object is safe for verification.
        return "java/lang/Object";
      }
    };
    cw.visit(V11, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, BASE, null);
    MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
    init.visitCode();
    init.visitVarInsn(ALOAD, 0);
    init.visitMethodInsn(INVOKESPECIAL, BASE, "<init>", "()V", false);
    init.visitInsn(RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    MethodVisitor mv = cw.visitMethod(0, "run", "(" + FRAME_DESC + ")V", null, null);
    mv.visitCode();
    new LaneCodegen(mv, forward).body(segments, slots);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    cw.visitEnd();
    try {
      Class<?> c = MethodHandles.lookup().defineClass(cw.toByteArray());
      return (LaneCode) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("generated lane code does not load: " + e, e);
    }
  }

  private void field(String name, String desc, int local, int store) {
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, name, desc);
    mv.visitVarInsn(store, local);
  }

  private void body(List<Segment> segments, int slots) {
    field("lanes", "I", LANES, ISTORE);
    field("count", "I", COUNT, ISTORE);
    field(forward ? "inputsT" : "deltasT", "[[D", VALUES, ASTORE);
    field(forward ? "weights" : "weightsT", "[F", WEIGHTS, ASTORE);
    field(forward ? "prevUpdates" : "prevUpdatesT", "[F", PREVS, ASTORE);
    field(forward ? "weightBase" : "rowBase", "I", BASE_INDEX, ISTORE);
    field("pushBuf", "[D", PUSHES, ASTORE);
    field("function", "L" + FUNCTION + ";", FN, ASTORE);
    mv.visitInsn(ACONST_NULL);
    mv.visitVarInsn(ASTORE, CURRENT);
    field("pushed", "[D", PUSHED, ASTORE);
    for (int s = 0; s < slots; s++) {
      mv.visitVarInsn(ALOAD, F);
      mv.visitFieldInsn(GETFIELD, FRAME, "buf", "[[D");
      mv.visitLdcInsn(s);
      mv.visitInsn(AALOAD);
      mv.visitVarInsn(ASTORE, SLOT0 + s);
    }
    mv.visitInsn(DCONST_0);
    mv.visitVarInsn(DSTORE, WEIGHT);
    mv.visitInsn(DCONST_0);
    mv.visitVarInsn(DSTORE, PREV);
    for (Segment seg : segments) {
      setInt(K, 0);
      setInt(KBASE, 0);
      if (!seg.loop()) {
        statements(seg.statements());
        continue;
      }
      List<LaneExpr> hoisted = new ArrayList<>();
      for (Statement st : seg.statements()) {
        collectHoisted(st.value(), hoisted);
      }
      if (seg.push() != null) {
        collectHoisted(seg.push(), hoisted);
      }
      for (LaneExpr e : hoisted) {
        laneLoop(() -> {
          mv.visitVarInsn(ALOAD, SLOT0 + e.slot);
          mv.visitVarInsn(ILOAD, LANE);
          expr(e, false);
          mv.visitInsn(DASTORE);
        });
      }
      if (!seg.statements().isEmpty()) {
        synapseLoop(seg);
      }
      if (seg.push() != null) {
        new PushLoopCodegen(mv, F, LANES, K, LANE, COUNT, BASE_INDEX, SLOT0, SLOT0 + slots)
            .emit(seg.push());
      }
    }
    mv.visitInsn(RETURN);
  }

  /** The synapse loop of a segment: its statements for every synapse, all lanes per synapse. */
  private void synapseLoop(Segment seg) {
    Label head = new Label();
    Label end = new Label();
    mv.visitLabel(head);
    mv.visitVarInsn(ILOAD, K);
    mv.visitVarInsn(ILOAD, COUNT);
    mv.visitJumpInsn(IF_ICMPGE, end);
    mv.visitVarInsn(ILOAD, K);
    mv.visitLdcInsn(LaneFrame.LANES);
    mv.visitInsn(IMUL);
    mv.visitVarInsn(ISTORE, KBASE);
    // The synapse's weight and previous change, the same for every lane: read once. Its
    // per-lane values have an array of their own: loops that index every array by the lane
    // alone are the ones the JIT vectorises.
    uniform(WEIGHTS, WEIGHT);
    uniform(PREVS, PREV);
    mv.visitVarInsn(ALOAD, VALUES);
    mv.visitVarInsn(ILOAD, K);
    mv.visitInsn(AALOAD);
    mv.visitVarInsn(ASTORE, CURRENT);
    statements(seg.statements());
    if (seg.pushes()) {
      mv.visitVarInsn(ALOAD, PUSHED);
      mv.visitInsn(ICONST_0);
      mv.visitVarInsn(ALOAD, PUSHES);
      mv.visitVarInsn(ILOAD, KBASE);
      mv.visitVarInsn(ILOAD, LANES);
      mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy",
          "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
    }
    mv.visitIincInsn(K, 1);
    mv.visitJumpInsn(GOTO, head);
    mv.visitLabel(end);
    if (seg.pushes()) {
      mv.visitVarInsn(ALOAD, F);
      mv.visitMethodInsn(INVOKESTATIC, BASE, "reducePushes", "(" + FRAME_DESC + ")V", false);
    }
  }

  private void uniform(int array, int local) {
    mv.visitVarInsn(ALOAD, array);
    mv.visitVarInsn(ILOAD, BASE_INDEX);
    mv.visitVarInsn(ILOAD, K);
    mv.visitInsn(IADD);
    mv.visitInsn(FALOAD);
    mv.visitInsn(F2D);
    mv.visitVarInsn(DSTORE, local);
  }

  private void setInt(int local, int v) {
    mv.visitLdcInsn(v);
    mv.visitVarInsn(ISTORE, local);
  }

  static boolean computes(LaneExpr e) {
    return e.kind == LaneExpr.Kind.BINARY || e.kind == LaneExpr.Kind.CALL;
  }

  private static void collectHoisted(LaneExpr e, List<LaneExpr> out) {
    if (e.invariant && computes(e)) {
      out.add(e);
      return;
    }
    for (LaneExpr c : e.children) {
      collectHoisted(c, out);
    }
  }

  /** {@code for (lane = 0; lane < lanes; lane++) body}. */
  private void laneLoop(Runnable body) {
    setInt(LANE, 0);
    Label head = new Label();
    Label end = new Label();
    mv.visitLabel(head);
    mv.visitVarInsn(ILOAD, LANE);
    mv.visitVarInsn(ILOAD, LANES);
    mv.visitJumpInsn(IF_ICMPGE, end);
    body.run();
    mv.visitIincInsn(LANE, 1);
    mv.visitJumpInsn(GOTO, head);
    mv.visitLabel(end);
  }

  /**
   * One loop over the lanes running all of {@code statements} per lane, in order: lanes never
   * read each other's values, so each lane still sees the neuron's sequence of operations, and
   * the statements' temporaries stay in registers.
   */
  private void statements(List<Statement> statements) {
    laneLoop(() -> {
      for (Statement st : statements) {
        statement(st);
      }
    });
  }

  private void statement(Statement st) {
    LaneExpr v = st.value();
    switch (st.effect()) {
      case STORE:
      case FEED: {
        int t = st.effect() == LaneProgram.Effect.FEED ? LaneFrame.OUTPUT : st.target();
        mv.visitVarInsn(ALOAD, SLOT0 + t);
        mv.visitVarInsn(ILOAD, LANE);
        expr(v, true);
        mv.visitInsn(DASTORE);
        return;
      }
      case BACKPROPAGATE:
        mv.visitVarInsn(ALOAD, SLOT0 + LaneFrame.DELTA);
        mv.visitVarInsn(ILOAD, LANE);
        mv.visitInsn(DUP2);
        mv.visitInsn(DALOAD);
        expr(v, true);
        mv.visitInsn(DADD);
        mv.visitInsn(DASTORE);
        return;
      default:
        // Into an array indexed by the lane alone (vectorisable); copied to the loop's pushes
        // after the lane loop.
        mv.visitVarInsn(ALOAD, PUSHED);
        mv.visitVarInsn(ILOAD, LANE);
        expr(v, true);
        mv.visitInsn(DASTORE);
    }
  }

  /** Pushes the lane's value of {@code e}; hoisted invariant nodes are read from their slot. */
  private void expr(LaneExpr e, boolean useHoisted) {
    if (useHoisted && e.invariant && computes(e)) {
      mv.visitVarInsn(ALOAD, SLOT0 + e.slot);
      mv.visitVarInsn(ILOAD, LANE);
      mv.visitInsn(DALOAD);
      return;
    }
    switch (e.kind) {
      case CONST:
        mv.visitLdcInsn(e.value);
        return;
      case REG:
        mv.visitVarInsn(ALOAD, SLOT0 + e.slot);
        mv.visitVarInsn(ILOAD, LANE);
        mv.visitInsn(DALOAD);
        return;
      case SETTING:
        setting(mv, F, e.setting);
        return;
      case SYNAPSE:
        synapse(e.read);
        return;
      case BINARY:
        expr(e.children[0], useHoisted);
        expr(e.children[1], useHoisted);
        mv.visitInsn(opcode(e.op));
        return;
      default:
        call(e, useHoisted);
    }
  }

  private void synapse(LaneExpr.Read r) {
    if (r == LaneExpr.Read.FORWARD_INPUT || r == LaneExpr.Read.BACKWARD_DELTA) {
      // Widened from float when transposed: the same value the synapse getter returns.
      mv.visitVarInsn(ALOAD, CURRENT);
      mv.visitVarInsn(ILOAD, LANE);
      mv.visitInsn(DALOAD);
    } else {
      boolean weight = r == LaneExpr.Read.FORWARD_WEIGHT || r == LaneExpr.Read.BACKWARD_WEIGHT;
      mv.visitVarInsn(DLOAD, weight ? WEIGHT : PREV);
    }
  }

  private void call(LaneExpr e, boolean useHoisted) {
    if (e.function == MathOp.APPLY || e.function == MathOp.APPLY_DERIVATIVE) {
      mv.visitVarInsn(ALOAD, FN);
    }
    for (LaneExpr c : e.children) {
      expr(c, useHoisted);
    }
    callInsn(mv, e.function);
  }

  /** Reads a training setting from the frame in local {@code f}. */
  static void setting(MethodVisitor mv, int f, LaneExpr.Setting s) {
    mv.visitVarInsn(ALOAD, f);
    mv.visitFieldInsn(GETFIELD, FRAME, s == LaneExpr.Setting.LEARNING_RATE ? "learningRate"
        : s == LaneExpr.Setting.MOMENTUM_WEIGHT ? "momentumWeight" : "regularizationWeight", "D");
  }

  static int opcode(LaneExpr.Op op) {
    return op == LaneExpr.Op.ADD ? DADD : op == LaneExpr.Op.SUB ? DSUB
        : op == LaneExpr.Op.MUL ? DMUL : op == LaneExpr.Op.DIV ? DDIV : DREM;
  }

  /**
   * The instruction of a function whose operands are on the stack (after the squashing function
   * for {@code APPLY} and {@code APPLY_DERIVATIVE}).
   */
  static void callInsn(MethodVisitor mv, MathOp f) {
    if (f == MathOp.NEG) {
      mv.visitInsn(DNEG);
    } else if (f == MathOp.APPLY || f == MathOp.APPLY_DERIVATIVE) {
      mv.visitMethodInsn(INVOKEVIRTUAL, FUNCTION, f == MathOp.APPLY ? "apply"
          : "applyDerivative", "(D)D", false);
    } else {
      mv.visitMethodInsn(INVOKESTATIC, f.owner(), f.method(), f.descriptor(), false);
    }
  }
}
