package io.horn.core.lanes;

import io.horn.core.lanes.LaneProgram.Segment;
import io.horn.core.lanes.LaneProgram.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Generates the bytecode of a {@link LaneCode} for a lane program: the statements of each segment
 * of the user's method (per synapse, in a loop) become one loop over the lanes that runs them
 * all per lane, so the JIT sees plain counted loops over arrays; loop-invariant parts of a
 * synapse loop are computed once before it. Inside a lane loop the lane's values of the slots
 * the statements use live in locals (registers), and a loop without a push runs {@link #UNROLL}
 * synapses per pass. Per lane the double operations are the neuron's, in its order (a
 * commutative operation may take its two operands the other way round, see {@link #swaps}).
 *
 * <p>{@link #generate} is thread-safe; an instance writes one method, on one thread.
 */
final class LaneCodegen implements Opcodes {
  private static final String FRAME = LaneClasses.FRAME;
  private static final String FRAME_DESC = LaneClasses.FRAME_DESC;
  private static final String FUNCTION = "io/horn/core/activation/ActivationFunction";
  private static final String BASE = "io/horn/core/lanes/LaneCode";

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
  private static final int PUSHED = 13;
  /** The used slots' arrays, then each unrolled synapse's values, then the lane's slot values. */
  private static final int SLOT0 = 14;
  /**
   * Synapses per pass of a lane loop: the lane's values stay in registers across them, where
   * one synapse per pass would load and store them for every synapse.
   */
  static final int UNROLL = 4;

  private final MethodVisitor mv;
  private final boolean forward;
  /** Slots read outside the segment being generated: by other segments, pushes, the runner. */
  private final Set<Integer> readElsewhere;
  /** The unrolled synapse being generated. */
  private int u;
  // Locals are numbered densely: with locals numbered by slot, a neuron with many slots ran its
  // loops 2.5 to 3 times slower (JDK 17), the same code otherwise.
  private final Map<Integer, Integer> arrays = new HashMap<>();
  private final Map<Integer, Integer> regs = new HashMap<>();
  private int nextLocal;
  /** Whether slot values are in locals (inside a lane loop of statements). */
  private boolean promoted;

  private LaneCodegen(MethodVisitor mv, boolean forward, Set<Integer> readElsewhere) {
    this.mv = mv;
    this.forward = forward;
    this.readElsewhere = readElsewhere;
  }

  /** The local holding slot {@code s}'s array (the slots the segment uses, numbered densely). */
  private int array(int s) {
    return arrays.computeIfAbsent(s, x -> SLOT0 + arrays.size());
  }

  /** The local of slot {@code s}'s value in the current lane. */
  private int reg(int s) {
    return regs.computeIfAbsent(s, x -> {
      int l = nextLocal;
      nextLocal += 2;
      return l;
    });
  }

  private int weight(int unrolled) {
    return SLOT0 + arrays.size() + 5 * unrolled;
  }

  private int prev(int unrolled) {
    return weight(unrolled) + 2;
  }

  /** The unrolled synapse's per-lane values (inputs forward, errors backward). */
  private int current(int unrolled) {
    return weight(unrolled) + 4;
  }

  /**
   * The code of {@code segments} (of a {@code forward} method when {@code forward}), in order:
   * per segment its statements, and its split-off push ({@link PushLoopCodegen}) after them.
   */
  static List<LaneCode> generate(List<Segment> segments, boolean forward) {
    List<LaneCode> codes = new ArrayList<>();
    String kind = forward ? "Forward" : "Backward";
    for (Segment seg : segments) {
      Set<Integer> elsewhere = LaneAnalysis.readElsewhere(segments, seg);
      codes.add(LaneClasses.define(kind,
          mv -> new LaneCodegen(mv, forward, elsewhere).body(seg)));
      if (seg.push() != null) {
        codes.add(LaneClasses.define("Push",
            mv -> new PushLoopCodegen(mv).emit(seg.push())));
      }
    }
    return codes;
  }

  private void field(String name, String desc, int local, int store) {
    mv.visitVarInsn(ALOAD, F);
    mv.visitFieldInsn(GETFIELD, FRAME, name, desc);
    mv.visitVarInsn(store, local);
  }

  private void body(Segment seg) {
    field("lanes", "I", LANES, ISTORE);
    field("count", "I", COUNT, ISTORE);
    field(forward ? "inputsT" : "deltasT", "[[D", VALUES, ASTORE);
    field(forward ? "weights" : "weightsT", "[F", WEIGHTS, ASTORE);
    field(forward ? "prevUpdates" : "prevUpdatesT", "[F", PREVS, ASTORE);
    field(forward ? "weightBase" : "rowBase", "I", BASE_INDEX, ISTORE);
    field("pushBuf", "[D", PUSHES, ASTORE);
    field("function", "L" + FUNCTION + ";", FN, ASTORE);
    field("pushed", "[D", PUSHED, ASTORE);
    // Only the slots the segment uses: with every slot's array in a local, the JIT left the
    // loops of a neuron with many slots scalar.
    Set<Integer> touched = LaneAnalysis.touched(seg);
    for (int s : touched) {
      array(s);
    }
    nextLocal = weight(UNROLL);
    for (int s : touched) {
      mv.visitVarInsn(ALOAD, F);
      mv.visitFieldInsn(GETFIELD, FRAME, "buf", "[[D");
      mv.visitLdcInsn(s);
      mv.visitInsn(AALOAD);
      mv.visitVarInsn(ASTORE, array(s));
    }
    for (int i = 0; i < UNROLL; i++) {
      mv.visitInsn(DCONST_0);
      mv.visitVarInsn(DSTORE, weight(i));
      mv.visitInsn(DCONST_0);
      mv.visitVarInsn(DSTORE, prev(i));
      mv.visitInsn(ACONST_NULL);
      mv.visitVarInsn(ASTORE, current(i));
    }
    setInt(K, 0);
    setInt(KBASE, 0);
    if (!seg.loop()) {
      statements(seg.statements(), 1);
    } else {
      List<LaneExpr> hoisted = new ArrayList<>();
      for (Statement st : seg.statements()) {
        LaneAnalysis.collectHoisted(st.value(), hoisted);
      }
      for (LaneExpr e : hoisted) {
        laneLoop(() -> {
          mv.visitVarInsn(ALOAD, array(e.slot));
          mv.visitVarInsn(ILOAD, LANE);
          expr(e, false);
          mv.visitInsn(DASTORE);
        });
      }
      if (!seg.statements().isEmpty()) {
        synapseLoop(seg);
      }
    }
    mv.visitInsn(RETURN);
  }

  /**
   * The synapse loop of a segment: its statements for every synapse, all lanes per synapse;
   * {@link #UNROLL} synapses per lane loop where no push stays in the loop ({@link
   * LaneAnalysis#unrolls}), the rest one by one.
   */
  private void synapseLoop(Segment seg) {
    if (LaneAnalysis.unrolls(seg)) {
      Label head = new Label();
      Label end = new Label();
      mv.visitLabel(head);
      mv.visitVarInsn(ILOAD, K);
      mv.visitLdcInsn(UNROLL);
      mv.visitInsn(IADD);
      mv.visitVarInsn(ILOAD, COUNT);
      mv.visitJumpInsn(IF_ICMPGT, end);
      for (int i = 0; i < UNROLL; i++) {
        loadSynapse(i);
      }
      statements(seg.statements(), UNROLL);
      mv.visitIincInsn(K, UNROLL);
      mv.visitJumpInsn(GOTO, head);
      mv.visitLabel(end);
    }
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
    loadSynapse(0);
    statements(seg.statements(), 1);
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

  /**
   * Synapse {@code k + i}'s weight and previous change, the same for every lane: read once. Its
   * per-lane values have an array of their own: loops that index every array by the lane alone
   * are the ones the JIT vectorises.
   */
  private void loadSynapse(int i) {
    uniform(WEIGHTS, weight(i), i);
    uniform(PREVS, prev(i), i);
    mv.visitVarInsn(ALOAD, VALUES);
    mv.visitVarInsn(ILOAD, K);
    if (i > 0) {
      mv.visitLdcInsn(i);
      mv.visitInsn(IADD);
    }
    mv.visitInsn(AALOAD);
    mv.visitVarInsn(ASTORE, current(i));
  }

  private void uniform(int array, int local, int i) {
    mv.visitVarInsn(ALOAD, array);
    mv.visitVarInsn(ILOAD, BASE_INDEX);
    mv.visitVarInsn(ILOAD, K);
    mv.visitInsn(IADD);
    if (i > 0) {
      mv.visitLdcInsn(i);
      mv.visitInsn(IADD);
    }
    mv.visitInsn(FALOAD);
    mv.visitInsn(F2D);
    mv.visitVarInsn(DSTORE, local);
  }

  private void setInt(int local, int v) {
    mv.visitLdcInsn(v);
    mv.visitVarInsn(ISTORE, local);
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
   * One loop over the lanes running all of {@code statements} per lane, in order, for {@code
   * unroll} synapses: lanes never read each other's values, so each lane still sees the neuron's
   * sequence of operations. The lane's values of the slots the statements use are read into
   * locals first and those written are stored back last, so they stay in registers.
   */
  private void statements(List<Statement> statements, int unroll) {
    Set<Integer> used = new LinkedHashSet<>();
    Set<Integer> written = new LinkedHashSet<>();
    LaneAnalysis.registers(statements, readElsewhere, used, written);
    laneLoop(() -> {
      for (int s : used) {
        mv.visitVarInsn(ALOAD, array(s));
        mv.visitVarInsn(ILOAD, LANE);
        mv.visitInsn(DALOAD);
        mv.visitVarInsn(DSTORE, reg(s));
      }
      promoted = true;
      for (u = 0; u < unroll; u++) {
        for (Statement st : statements) {
          statement(st);
        }
      }
      u = 0;
      promoted = false;
      for (int s : written) {
        mv.visitVarInsn(ALOAD, array(s));
        mv.visitVarInsn(ILOAD, LANE);
        mv.visitVarInsn(DLOAD, reg(s));
        mv.visitInsn(DASTORE);
      }
    });
  }

  private void statement(Statement st) {
    LaneExpr v = st.value();
    switch (st.effect()) {
      case STORE:
      case FEED: {
        int t = st.effect() == LaneProgram.Effect.FEED ? LaneFrame.OUTPUT : st.target();
        expr(v, true);
        mv.visitVarInsn(DSTORE, reg(t));
        return;
      }
      case BACKPROPAGATE:
        mv.visitVarInsn(DLOAD, reg(LaneFrame.DELTA));
        expr(v, true);
        mv.visitInsn(DADD);
        mv.visitVarInsn(DSTORE, reg(LaneFrame.DELTA));
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
    if (useHoisted && e.invariant && LaneAnalysis.computes(e) || e.kind == LaneExpr.Kind.REG) {
      if (promoted) {
        mv.visitVarInsn(DLOAD, reg(e.slot));
      } else {
        mv.visitVarInsn(ALOAD, array(e.slot));
        mv.visitVarInsn(ILOAD, LANE);
        mv.visitInsn(DALOAD);
      }
      return;
    }
    switch (e.kind) {
      case CONST:
        mv.visitLdcInsn(e.value);
        return;
      case SETTING:
        LaneClasses.setting(mv, F, e.setting);
        return;
      case SYNAPSE:
        synapse(e.read);
        return;
      case BINARY:
        if (swaps(e, useHoisted)) {
          expr(e.children[1], useHoisted);
          expr(e.children[0], useHoisted);
        } else {
          expr(e.children[0], useHoisted);
          expr(e.children[1], useHoisted);
        }
        mv.visitInsn(LaneClasses.opcode(e.op));
        return;
      default:
        call(e, useHoisted);
    }
  }

  /**
   * Whether a commutative operation takes its operands the other way round: a lane value
   * computed before the loop times or plus a value computed in it becomes the latter times or
   * plus the former. IEEE addition and multiplication are commutative, so the result is the same (the JIT
   * orders such operands as it likes anyway). Why: with several synapses per pass, the JIT left
   * {@code d * (m.getDelta() * m.getWeight())}, the example neuron's error term, scalar (2.4
   * times slower) and vectorises {@code (m.getDelta() * m.getWeight()) * d}; a running sum
   * ({@code sum + x}) stays as written, which is faster than {@code x + sum}.
   */
  private static boolean swaps(LaneExpr e, boolean useHoisted) {
    LaneExpr a = e.children[0];
    LaneExpr b = e.children[1];
    boolean laneValue = useHoisted && a.invariant && LaneAnalysis.computes(a);
    boolean computed = LaneAnalysis.computes(b) && !(useHoisted && b.invariant);
    return (e.op == LaneExpr.Op.MUL || e.op == LaneExpr.Op.ADD) && laneValue && computed;
  }

  private void synapse(LaneExpr.Read r) {
    if (r == LaneExpr.Read.FORWARD_INPUT || r == LaneExpr.Read.BACKWARD_DELTA) {
      // Widened from float when transposed: the same value the synapse getter returns.
      mv.visitVarInsn(ALOAD, current(u));
      mv.visitVarInsn(ILOAD, LANE);
      mv.visitInsn(DALOAD);
    } else {
      boolean weight = r == LaneExpr.Read.FORWARD_WEIGHT || r == LaneExpr.Read.BACKWARD_WEIGHT;
      mv.visitVarInsn(DLOAD, weight ? weight(u) : prev(u));
    }
  }

  private void call(LaneExpr e, boolean useHoisted) {
    if (e.function == MathOp.APPLY || e.function == MathOp.APPLY_DERIVATIVE) {
      mv.visitVarInsn(ALOAD, FN);
    }
    for (LaneExpr c : e.children) {
      expr(c, useHoisted);
    }
    LaneClasses.callInsn(mv, e.function);
  }


}
