package io.horn.core.lanes;

import io.horn.core.activation.ActivationFunction;

/**
 * The registers of one running lane program, one value per lane (sample) per slot, plus what the
 * synapse reads come from.
 *
 * <p>Slots {@link #OUTPUT}, {@link #DELTA} and {@link #SELF} are the neuron's output, its error
 * and, in backward, its output as the engine handed it; the user's double locals and every
 * expression node follow. Mutable and confined to the one thread of its runner.
 */
final class LaneFrame {
  /** Samples per pass: enough to hide the latency of each chain, small enough for L1. */
  static final int LANES = 64;
  static final int OUTPUT = 0;
  static final int DELTA = 1;
  static final int SELF = 2;
  static final int FIRST_FREE = 3;

  final double[][] buf;
  /** Lanes in use (the last pass of a batch may have fewer). */
  int lanes;
  /** The current synapse. */
  int k;
  ActivationFunction function;
  double learningRate;
  double momentumWeight;
  double regularizationWeight;

  // Forward: inputs transposed, [synapse][lane]; the neuron's weight column.
  double[][] inputsT;
  float[] weights;
  float[] prevUpdates;
  int weightBase;
  // Backward: the next layer's errors transposed, [synapse][lane]; the unit's row of
  // the transposed weights and pushed sums; this pass's pushes, [synapse * LANES + lane].
  // The generated code reads these fields by name (LaneCodegen).
  double[][] deltasT;
  float[] weightsT;
  float[] prevUpdatesT;
  double[] pushesT;
  int rowBase;
  double[] pushBuf = new double[0];
  /** The current synapse's per-lane pushes, before they join {@link #pushBuf}. */
  final double[] pushed = new double[LANES];
  // Backward, for a push split off its loop (PushLoopCodegen): the next layer's errors per lane,
  // [lane][synapse], and the unit's row of weights, previous changes (widened to double) and summed pushes.
  double[][] deltaRows = new double[LANES][0];
  double[] weightRow = new double[0];
  double[] prevRow = new double[0];
  double[] pushRow = new double[0];
  /** Synapses of the current call. */
  int count;

  LaneFrame(int slots) {
    buf = new double[slots][LANES];
  }
}
