package io.horn.core.lanes;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.Neuron;
import java.io.IOException;
import java.io.InputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * Compiles a user neuron's {@code forward} and {@code backward} into {@link LaneProgram}s by
 * symbolic execution of their bytecode, or says why it cannot.
 *
 * <p>What widens: double arithmetic, double locals, the {@code for (Synapse m : messages)} loop
 * (not nested), the synapse getters, the neuron's getters of output, error and training
 * settings, {@code feedforward}, {@code backpropagate}, one {@code push} inside the loop, the
 * squashing function and {@code Math}/{@code StrictMath} functions of doubles. Everything else
 * (branches, other calls, fields, ints, exceptions, ...) is refused with the instruction and line,
 * and the layer stays on the per-neuron path. Refusing is always safe; widening only what is
 * listed keeps every lane's operations, and their order, those of the per-neuron path.
 *
 * <p>Stateless; thread-safe.
 */
public final class NeuronCompiler {
  private static final String METHOD_DESC = "(Ljava/lang/Iterable;)V";

  /** One compilation per class: the bytecode of a loaded class does not change. */
  private static final ClassValue<Result> CACHE = new ClassValue<Result>() {
    @Override
    @SuppressWarnings("unchecked")
    protected Result computeValue(Class<?> type) {
      return compileNow((Class<? extends Neuron>) type);
    }
  };

  private NeuronCompiler() {}

  /**
   * The widened neuron, or why not.
   *
   * @param forward null when refused
   * @param backward null when refused
   * @param reason null when compiled, else what stopped it, naming the method and line
   */
  public record Result(LaneProgram forward, LaneProgram backward, String reason) {
    public boolean compiled() {
      return reason == null;
    }
  }

  /**
   * Compiles {@code neuron}'s {@code forward} and {@code backward}, once per class. Never throws
   * for code it cannot widen: that is a result with a reason.
   */
  public static Result compile(Class<? extends Neuron> neuron) {
    return CACHE.get(checkNotNull(neuron, "neuron"));
  }

  private static Result compileNow(Class<? extends Neuron> neuron) {
    try {
      MethodNode fwd = find(neuron, "forward");
      MethodNode bwd = find(neuron, "backward");
      ClassLoader cl = neuron.getClassLoader();
      LaneProgram f = new MethodCompiler(fwd, true, cl).compile();
      LaneProgram b = new MethodCompiler(bwd, false, cl).compile();
      return new Result(f, b, null);
    } catch (Refusal r) {
      return new Result(null, null, r.getMessage());
    } catch (IOException | RuntimeException e) {
      return new Result(null, null, "cannot read the class file of " + neuron.getName() + ": " + e);
    }
  }

  /** The declaration of {@code name(Iterable)} the neuron's class inherits or declares. */
  private static MethodNode find(Class<?> c, String name) throws IOException {
    for (Class<?> k = c; k != null && k != Neuron.class; k = k.getSuperclass()) {
      ClassNode node = read(k);
      for (MethodNode m : node.methods) {
        if (m.name.equals(name) && m.desc.equals(METHOD_DESC)) {
          return m;
        }
      }
    }
    throw new Refusal(name + "() is not declared below Neuron");
  }

  private static ClassNode read(Class<?> c) throws IOException {
    String res = c.getName().replace('.', '/') + ".class";
    ClassLoader cl = c.getClassLoader() != null ? c.getClassLoader()
        : ClassLoader.getSystemClassLoader();
    try (InputStream in = cl.getResourceAsStream(res)) {
      if (in == null) {
        throw new Refusal("the class file of " + c.getName() + " is not on the class path");
      }
      ClassNode node = new ClassNode();
      new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
      return node;
    }
  }

  /** Why a method cannot be widened; the message is shown to the user. */
  static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  static String opcodeName(int op) {
    for (java.lang.reflect.Field f : Opcodes.class.getFields()) {
      try {
        if (f.getType() == int.class && f.getInt(null) == op && !f.getName().startsWith("ACC_")
            && !f.getName().startsWith("T_") && !f.getName().startsWith("H_")
            && !f.getName().startsWith("V") && !f.getName().startsWith("F_")
            && !f.getName().startsWith("ASM") && !f.getName().startsWith("SOURCE")) {
          return f.getName();
        }
      } catch (IllegalAccessException e) {
        break;
      }
    }
    return "#" + op;
  }
}
