package io.horn.core.lanes;

import java.util.Locale;

/**
 * The pure functions a widened neuron may call: negation, the layer's squashing function and its
 * derivative, and the {@code java.lang.Math} and {@code StrictMath} functions of doubles. The
 * generated code calls the very method the neuron calls, per lane, so the bits are the neuron's.
 */
enum MathOp {
  NEG, APPLY, APPLY_DERIVATIVE,
  ABS, EXP, LOG, LOG10, SQRT, CBRT, TANH, SINH, COSH, SIN, COS, TAN, ATAN, ASIN, ACOS, EXPM1,
  LOG1P, SIGNUM, FLOOR, CEIL, RINT,
  S_EXP, S_LOG, S_TANH, S_SQRT,
  MAX, MIN, POW, ATAN2, HYPOT;

  /** The operation for a static call to {@code owner.name} of one or two doubles, or null. */
  static MathOp of(String owner, String name, String desc) {
    boolean strict = owner.equals("java/lang/StrictMath");
    if (!strict && !owner.equals("java/lang/Math")) {
      return null;
    }
    MathOp op;
    try {
      op = valueOf((strict ? "S_" : "") + name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (op.ordinal() <= APPLY_DERIVATIVE.ordinal()) {
      return null;
    }
    return desc.equals(op.descriptor()) ? op : null;
  }

  int arity() {
    return ordinal() >= MAX.ordinal() ? 2 : 1;
  }

  /** The class of a Math function, internal form. */
  String owner() {
    return name().startsWith("S_") ? "java/lang/StrictMath" : "java/lang/Math";
  }

  /** The method name of a Math function. */
  String method() {
    String n = name().startsWith("S_") ? name().substring(2) : name();
    return n.toLowerCase(Locale.ROOT);
  }

  String descriptor() {
    return arity() == 1 ? "(D)D" : "(DD)D";
  }
}
