package io.horn.core.lanes;

import java.lang.invoke.MethodHandles;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Defines generated {@link LaneCode} classes, one per loop nest of a lane program. Small classes
 * keep each loop in a method of its own: the JIT then optimises every loop on its own profile and
 * budget (in one large method, some inner loops were left unrolled and scalar), and the call
 * through {@link LaneCode#run}, which sees many classes, is not inlined back.
 *
 * <p>Stateless; thread-safe. Classes are defined in this package's runtime package.
 */
final class LaneClasses implements Opcodes {
  static final String FRAME = "io/horn/core/lanes/LaneFrame";
  static final String FRAME_DESC = "L" + FRAME + ";";
  private static final String BASE = "io/horn/core/lanes/LaneCode";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private LaneClasses() {}

  /**
   * A new instance of a class whose {@code run(LaneFrame f)} (local 1 is {@code f}) has the code
   * {@code body} writes, which ends with a return.
   */
  static LaneCode define(String kind, Consumer<MethodVisitor> body) {
    String name = BASE + "$" + kind + COUNTER.incrementAndGet();
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
    body.accept(mv);
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
      mv.visitMethodInsn(INVOKEVIRTUAL, "io/horn/core/activation/ActivationFunction", f == MathOp.APPLY ? "apply"
          : "applyDerivative", "(D)D", false);
    } else {
      mv.visitMethodInsn(INVOKESTATIC, f.owner(), f.method(), f.descriptor(), false);
    }
  }
}
