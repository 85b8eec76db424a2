package io.horn.core;

import java.io.IOException;

/**
 * Runs one layer's user-written neurons over a mini-batch: {@link NeuronLayerRunner} one sample
 * at a time, or a widened form many samples at once ({@code io.horn.core.lanes}). Both give the
 * same bits; the engine picks one per layer.
 *
 * <p>Engine-facing. A runner is confined to one thread: the engine makes one per layer per worker
 * thread and gives each a disjoint range of neurons. Nothing is allocated per neuron, sample or
 * synapse. The matrices are those described at {@link NeuronLayerRunner#forward} and {@link
 * NeuronLayerRunner#backward}.
 */
public interface NeuronRunner {
  /** Sets what the neurons' getters report for the coming calls. */
  void configure(boolean training, double learningRate, double momentumWeight,
      double regularizationWeight);

  /** Forward pass of neurons {@code [from, to)}; see {@link NeuronLayerRunner#forward}. */
  void forward(float[] acts, int nIn, float[] params, int off, float[] prev, float[] result,
      int resultLd, float[] mask, int n, int from, int to, int batch) throws IOException;

  /** Backward pass of units {@code [from, to)}; see {@link NeuronLayerRunner#backward}. */
  void backward(float[] acts, int n, float[] mask, float[] weightsT, float[] prevT,
      double[] pushesT, float[] deltaNext, int nNext, float[] deltaOut, int from, int to,
      int batch) throws IOException;
}
