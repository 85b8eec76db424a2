package io.horn.core.lanes;

import com.google.common.collect.ImmutableList;
import io.horn.core.Neuron;
import io.horn.core.lanes.LaneExpr.Read;
import io.horn.core.lanes.LaneProgram.Effect;
import io.horn.core.lanes.LaneProgram.Segment;
import io.horn.core.lanes.LaneProgram.Statement;
import io.horn.core.lanes.NeuronCompiler.Refusal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The symbolic execution of one neuron method ({@code forward} or {@code backward}) into a {@link
 * LaneProgram}: a stack of expression trees replaces the operand stack, each statement (a store
 * to a double local, {@code feedforward}, {@code backpropagate}, {@code push}) takes its tree, and
 * the {@code for (Synapse m : messages)} pattern javac emits opens and closes a loop segment.
 * Anything else is a {@link Refusal} naming the instruction and line (see {@link
 * NeuronCompiler}).
 *
 * <p>Single use, one thread.
 */
final class MethodCompiler {
  private static final String NEURON = "io/horn/core/Neuron";
  private static final String SYNAPSE = "io/horn/core/Synapse";
  private static final String FUNCTION = "io/horn/core/activation/ActivationFunction";

  /** Markers for the non-double values on the symbolic stack. */
  private enum Ref { THIS, MESSAGES, FUNCTION, ITERATOR, HAS_NEXT, NEXT, SYNAPSE }


  private final MethodNode m;
  private final boolean forward;
  private final Deque<Object> stack = new ArrayDeque<>();
  private final Map<Integer, Ref> refLocals = new HashMap<>();
  private final Map<Integer, Integer> doubleLocals = new HashMap<>();
  private final List<Segment> segments = new ArrayList<>();
  private List<Statement> current = new ArrayList<>();
  private boolean inLoop;
  private boolean loopPushes;
  private LabelNode loopEnd;
  private boolean expectEnd;
  private int pushes;
  private boolean fed;
  private int slots = LaneFrame.FIRST_FREE;
  private int line = -1;

  private final ClassLoader loader;

  MethodCompiler(MethodNode m, boolean forward, ClassLoader loader) {
    this.m = m;
    this.forward = forward;
    this.loader = loader;
  }

  private Refusal refuse(String what) {
    return new Refusal((forward ? "forward()" : "backward()") + (line > 0 ? " line " + line : "")
        + ": " + what);
  }

  LaneProgram compile() {
    if (m.tryCatchBlocks != null && !m.tryCatchBlocks.isEmpty()) {
      throw refuse("has a try/catch block");
    }
    boolean returned = false;
    for (AbstractInsnNode in : m.instructions) {
      if (in instanceof LineNumberNode) {
        line = ((LineNumberNode) in).line;
        continue;
      }
      if (in.getOpcode() < 0 && !(in instanceof LabelNode)) {
        continue;
      }
      if (returned) {
        if (in instanceof LabelNode) {
          continue;
        }
        throw refuse("code after a return");
      }
      if (in instanceof LabelNode) {
        if (expectEnd) {
          if (in != loopEnd) {
            throw refuse("a loop that is not 'for (Synapse m : messages)'");
          }
          closeSegment(true);
          expectEnd = false;
          inLoop = false;
        }
        continue;
      }
      if (expectEnd) {
        throw refuse("a loop that is not 'for (Synapse m : messages)'");
      }
      if (in.getOpcode() == Opcodes.RETURN) {
        if (inLoop) {
          throw refuse("return inside the synapse loop");
        }
        returned = true;
        continue;
      }
      step(in);
    }
    closeSegment(false);
    if (forward && !fed) {
      throw refuse("no feedforward() outside a branch");
    }
    markInvariants();
    return new LaneProgram(segments, slots, forward);
  }

  private void closeSegment(boolean loop) {
    if (!current.isEmpty() || loop) {
      segments.add(new Segment(loop, ImmutableList.copyOf(current), loop && loopPushes, null));
    }
    current = new ArrayList<>();
    loopPushes = false;
  }

  /** Marks the loop nodes that depend on nothing the loop changes. */
  private void markInvariants() {
    for (Segment seg : segments) {
      if (!seg.loop()) {
        continue;
      }
      boolean[] changed = new boolean[slots];
      for (Statement st : seg.statements()) {
        switch (st.effect()) {
          case STORE: changed[st.target()] = true; break;
          case FEED: changed[LaneFrame.OUTPUT] = true; break;
          case BACKPROPAGATE: changed[LaneFrame.DELTA] = true; break;
          default: break;
        }
      }
      for (Statement st : seg.statements()) {
        mark(st.value(), changed);
      }
    }
  }

  private static void mark(LaneExpr e, boolean[] changed) {
    e.invariant = !e.dependsOn(changed) && e.kind != LaneExpr.Kind.REG;
    for (LaneExpr c : e.children) {
      mark(c, changed);
    }
  }

  private LaneExpr pop() {
    if (stack.isEmpty() || !(stack.peek() instanceof LaneExpr)) {
      throw refuse("an operation on a value that is not a double of the neuron");
    }
    return (LaneExpr) stack.pop();
  }

  private Ref popRef(Ref expected) {
    Object o = stack.isEmpty() ? null : stack.pop();
    if (o != expected) {
      throw refuse("expected " + expected.name().toLowerCase() + " on the stack, found " + o);
    }
    return expected;
  }

  private int slot() {
    return slots++;
  }

  private void statement(Effect effect, int target, LaneExpr value) {
    if (!stack.isEmpty()) {
      throw refuse("a value kept on the stack across a statement");
    }
    current.add(new Statement(effect, target, value));
  }

  private void step(AbstractInsnNode in) {
    int op = in.getOpcode();
    switch (op) {
      case Opcodes.DCONST_0:
      case Opcodes.DCONST_1:
        stack.push(LaneExpr.constant(slot(), op - Opcodes.DCONST_0));
        return;
      case Opcodes.LDC: {
        Object c = ((LdcInsnNode) in).cst;
        if (!(c instanceof Double)) {
          throw refuse("a constant that is not a double: " + c);
        }
        stack.push(LaneExpr.constant(slot(), (Double) c));
        return;
      }
      case Opcodes.DADD: binary(LaneExpr.Op.ADD); return;
      case Opcodes.DSUB: binary(LaneExpr.Op.SUB); return;
      case Opcodes.DMUL: binary(LaneExpr.Op.MUL); return;
      case Opcodes.DDIV: binary(LaneExpr.Op.DIV); return;
      case Opcodes.DREM: binary(LaneExpr.Op.REM); return;
      case Opcodes.DNEG:
        stack.push(LaneExpr.call(slot(), MathOp.NEG, pop()));
        return;
      case Opcodes.DLOAD: {
        Integer s = doubleLocals.get(((VarInsnNode) in).var);
        if (s == null) {
          throw refuse("reads a double local before assigning it");
        }
        stack.push(LaneExpr.reg(s));
        return;
      }
      case Opcodes.DSTORE: {
        int var = ((VarInsnNode) in).var;
        LaneExpr v = pop();
        Integer s = doubleLocals.get(var);
        if (s == null) {
          s = slot();
          doubleLocals.put(var, s);
        }
        statement(Effect.STORE, s, v);
        return;
      }
      case Opcodes.ALOAD: {
        int var = ((VarInsnNode) in).var;
        Ref r = var == 0 ? Ref.THIS : var == 1 ? Ref.MESSAGES : refLocals.get(var);
        if (r == null) {
          throw refuse("uses an object local other than the synapse loop's");
        }
        stack.push(r);
        return;
      }
      case Opcodes.ASTORE: {
        int var = ((VarInsnNode) in).var;
        Object v = stack.isEmpty() ? null : stack.pop();
        if (v == Ref.ITERATOR && !inLoop) {
          refLocals.put(var, Ref.ITERATOR);
        } else if (v == Ref.NEXT && inLoop && current.isEmpty()) {
          refLocals.put(var, Ref.SYNAPSE);
        } else {
          throw refuse("stores an object in a local");
        }
        return;
      }
      case Opcodes.CHECKCAST: {
        if (!((TypeInsnNode) in).desc.equals(SYNAPSE) || stack.peek() != Ref.NEXT) {
          throw refuse("a cast other than to Synapse");
        }
        return;
      }
      case Opcodes.GETFIELD: {
        FieldInsnNode f = (FieldInsnNode) in;
        if (!f.name.equals("squashingFunction") || stack.peek() != Ref.THIS) {
          throw refuse("reads field " + f.name + " (fields are not widened)");
        }
        stack.pop();
        stack.push(Ref.FUNCTION);
        return;
      }
      case Opcodes.IFEQ: {
        if (stack.peek() != Ref.HAS_NEXT || inLoop) {
          throw refuse("a branch (if, ?:, a loop other than over the synapses)");
        }
        stack.pop();
        closeSegment(false);
        inLoop = true;
        loopEnd = ((JumpInsnNode) in).label;
        return;
      }
      case Opcodes.GOTO: {
        if (!inLoop || !stack.isEmpty()) {
          throw refuse("a branch (if, ?:, break, continue)");
        }
        expectEnd = true;
        return;
      }
      case Opcodes.INVOKEVIRTUAL:
      case Opcodes.INVOKEINTERFACE:
      case Opcodes.INVOKESTATIC:
        call((MethodInsnNode) in);
        return;
      default:
        throw refuse("instruction " + NeuronCompiler.opcodeName(op) + " is not widened");
    }
  }

  private void binary(LaneExpr.Op op) {
    LaneExpr b = pop();
    LaneExpr a = pop();
    stack.push(LaneExpr.binary(slot(), op, a, b));
  }

  private void call(MethodInsnNode c) {
    String name = c.name;
    if (c.getOpcode() == Opcodes.INVOKESTATIC) {
      MathOp op = MathOp.of(c.owner, name, c.desc);
      if (op == null) {
        throw refuse("calls " + c.owner.replace('/', '.') + "." + name + c.desc);
      }
      if (op.arity() == 1) {
        stack.push(LaneExpr.call(slot(), op, pop()));
      } else {
        LaneExpr b = pop();
        LaneExpr a = pop();
        stack.push(LaneExpr.call(slot(), op, a, b));
      }
      return;
    }
    if (c.owner.equals("java/lang/Iterable") && name.equals("iterator")) {
      popRef(Ref.MESSAGES);
      if (inLoop) {
        throw refuse("a loop inside the synapse loop");
      }
      stack.push(Ref.ITERATOR);
      return;
    }
    if (c.owner.equals("java/util/Iterator") && (name.equals("hasNext") || name.equals("next"))) {
      popRef(Ref.ITERATOR);
      stack.push(name.equals("hasNext") ? Ref.HAS_NEXT : Ref.NEXT);
      return;
    }
    if (c.owner.equals(SYNAPSE)) {
      popRef(Ref.SYNAPSE);
      stack.push(synapseRead(name));
      return;
    }
    if (c.owner.equals(FUNCTION) && c.desc.equals("(D)D")
        && (name.equals("apply") || name.equals("applyDerivative"))) {
      LaneExpr x = pop();
      popRef(Ref.FUNCTION);
      stack.push(LaneExpr.call(slot(), name.equals("apply") ? MathOp.APPLY
          : MathOp.APPLY_DERIVATIVE, x));
      return;
    }
    if (isNeuron(c.owner)) {
      neuronCall(name, c.desc);
      return;
    }
    throw refuse("calls " + c.owner.replace('/', '.') + "." + name + c.desc);
  }

  private LaneExpr synapseRead(String name) {
    switch (name) {
      case "getInput":
        return forward ? LaneExpr.synapse(slot(), Read.FORWARD_INPUT)
            : LaneExpr.reg(LaneFrame.SELF);
      case "getWeight":
        return LaneExpr.synapse(slot(), forward ? Read.FORWARD_WEIGHT : Read.BACKWARD_WEIGHT);
      case "getPrevWeight":
        return LaneExpr.synapse(slot(), forward ? Read.FORWARD_PREV : Read.BACKWARD_PREV);
      case "getDelta":
        return forward ? LaneExpr.constant(slot(), 0)
            : LaneExpr.synapse(slot(), Read.BACKWARD_DELTA);
      case "getMessage":
        return synapseRead(forward ? "getInput" : "getDelta");
      default:
        throw refuse("calls Synapse." + name);
    }
  }

  private void neuronCall(String name, String desc) {
    switch (name + desc) {
      case "feedforward(D)V":
      case "backpropagate(D)V":
      case "push(D)V": {
        LaneExpr v = pop();
        popRef(Ref.THIS);
        if (name.equals("push")) {
          if (forward || !inLoop) {
            throw refuse("push() outside the synapse loop of backward()");
          }
          if (++pushes > 1) {
            throw refuse("push() in more than one place");
          }
          loopPushes = true;
          statement(Effect.PUSH, 0, v);
        } else if (name.equals("feedforward")) {
          fed |= !inLoop || forward;
          statement(Effect.FEED, LaneFrame.OUTPUT, v);
        } else {
          statement(Effect.BACKPROPAGATE, LaneFrame.DELTA, v);
        }
        return;
      }
      case "getOutput()D":
        popRef(Ref.THIS);
        stack.push(LaneExpr.reg(LaneFrame.OUTPUT));
        return;
      case "getDelta()D":
        popRef(Ref.THIS);
        stack.push(LaneExpr.reg(LaneFrame.DELTA));
        return;
      case "getLearningRate()D":
      case "getMomentumWeight()D":
      case "getRegularizationWeight()D": {
        popRef(Ref.THIS);
        LaneExpr.Setting k = name.equals("getLearningRate") ? LaneExpr.Setting.LEARNING_RATE
            : name.equals("getMomentumWeight") ? LaneExpr.Setting.MOMENTUM_WEIGHT
            : LaneExpr.Setting.REGULARIZATION_WEIGHT;
        stack.push(LaneExpr.setting(slot(), k));
        return;
      }
      case "getSquashingFunction()Lio/horn/core/activation/ActivationFunction;":
        popRef(Ref.THIS);
        stack.push(Ref.FUNCTION);
        return;
      default:
        throw refuse("calls " + name + desc + " (only the neuron's double getters, feedforward,"
            + " backpropagate and push are widened)");
    }
  }

  private boolean isNeuron(String owner) {
    if (owner.equals(NEURON)) {
      return true;
    }
    try {
      Class<?> c = Class.forName(Type.getObjectType(owner).getClassName(), false, loader);
      return Neuron.class.isAssignableFrom(c);
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
