package io.horn.core.lanes;

/**
 * A node of a lane program's expression tree: one bytecode operation of the user's neuron, whose
 * value {@link LaneCodegen} computes for every lane. Immutable after compilation.
 *
 * <p>An {@link #invariant} node inside a synapse loop depends on nothing the loop changes: it is
 * computed once before the loop into its slot and read from there, which gives the same values
 * as computing it per synapse (every operation here is pure).
 */
final class LaneExpr {
  /** What the node computes. */
  enum Kind {
    /** {@link #value}. */
    CONST,
    /** The register or user local in {@link #slot}. */
    REG,
    /** A training setting ({@link #setting}), the same for every lane. */
    SETTING,
    /** A getter of the current synapse ({@link #read}). */
    SYNAPSE,
    /** A double arithmetic instruction ({@link #op}) of the two children. */
    BINARY,
    /** A function ({@link #function}) of the children. */
    CALL
  }

  /** The arithmetic instructions. */
  enum Op { ADD, SUB, MUL, DIV, REM }

  /** The neuron's getters of training settings. */
  enum Setting { LEARNING_RATE, MOMENTUM_WEIGHT, REGULARIZATION_WEIGHT }

  /** The synapse getters, resolved for the direction they are read in. */
  enum Read { FORWARD_INPUT, FORWARD_WEIGHT, FORWARD_PREV, BACKWARD_DELTA, BACKWARD_WEIGHT,
    BACKWARD_PREV }

  private static final LaneExpr[] LEAF = {};

  final Kind kind;
  /** The node's own slot (a REG's register or local); holds the value of an invariant node. */
  final int slot;
  final double value;
  final Op op;
  final Setting setting;
  final Read read;
  final MathOp function;
  final LaneExpr[] children;
  boolean invariant;

  private LaneExpr(Kind kind, int slot, double value, Op op, Setting setting, Read read,
      MathOp function, LaneExpr... children) {
    this.kind = kind;
    this.slot = slot;
    this.value = value;
    this.op = op;
    this.setting = setting;
    this.read = read;
    this.function = function;
    this.children = children.length == 0 ? LEAF : children;
  }

  static LaneExpr constant(int slot, double v) {
    return new LaneExpr(Kind.CONST, slot, v, null, null, null, null);
  }

  static LaneExpr reg(int slot) {
    return new LaneExpr(Kind.REG, slot, 0, null, null, null, null);
  }

  static LaneExpr setting(int slot, Setting s) {
    return new LaneExpr(Kind.SETTING, slot, 0, null, s, null, null);
  }

  static LaneExpr synapse(int slot, Read r) {
    return new LaneExpr(Kind.SYNAPSE, slot, 0, null, null, r, null);
  }

  static LaneExpr binary(int slot, Op op, LaneExpr a, LaneExpr b) {
    return new LaneExpr(Kind.BINARY, slot, 0, op, null, null, null, a, b);
  }

  static LaneExpr call(int slot, MathOp f, LaneExpr... args) {
    return new LaneExpr(Kind.CALL, slot, 0, null, null, null, f, args);
  }

  /** The same operation of other operands: a new node, not invariant, in this node's slot. */
  LaneExpr withChildren(LaneExpr... kids) {
    return new LaneExpr(kind, slot, value, op, setting, read, function, kids);
  }

  /** Whether the value depends on the synapse or on one of {@code changed}'s slots. */
  boolean dependsOn(boolean[] changed) {
    if (kind == Kind.SYNAPSE || kind == Kind.REG && changed[slot]) {
      return true;
    }
    for (LaneExpr c : children) {
      if (c.dependsOn(changed)) {
        return true;
      }
    }
    return false;
  }
}
