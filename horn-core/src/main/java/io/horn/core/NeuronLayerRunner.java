package io.horn.core;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.model.Classes;
import java.io.IOException;

/**
 * Runs one layer's user-written {@link Neuron}s over a mini-batch: the per-neuron path.
 *
 * <p>Engine-facing; users do not call it. One runner holds one neuron instance and the two
 * synapse flyweights, so it is confined to one thread: the engine makes one per layer per worker
 * thread and gives each a disjoint range of neurons. Nothing is allocated per neuron, sample or
 * synapse.
 *
 * <p>Matrices are column-major with one sample per column. Activation blocks have a last row of
 * ones (the bias input), so the bias synapse is an ordinary synapse.
 */
public final class NeuronLayerRunner implements NeuronRunner {
  private final Neuron neuron;
  private final ForwardSynapses in = new ForwardSynapses();
  private final BackwardSynapses out = new BackwardSynapses();

  /**
   * @param neuronClass the user's neuron class, instantiated once here
   * @param function the layer's squashing function; a layer-wise one is replaced by the identity
   * @param layerIndex the layer this runner serves
   */
  public NeuronLayerRunner(Class<? extends Neuron> neuronClass, ActivationFunction function,
      int layerIndex) {
    checkNotNull(function, "function");
    this.neuron = Classes.instantiate(checkNotNull(neuronClass, "neuronClass"));
    neuron.squashingFunction = function.isLayerWise() ? new Identity() : function;
    neuron.layerIndex = layerIndex;
  }

  /** Sets what the neuron's getters report for the coming calls. */
  @Override
  public void configure(boolean training, double learningRate, double momentumWeight,
      double regularizationWeight) {
    neuron.training = training;
    neuron.learningRate = learningRate;
    neuron.momentumWeight = momentumWeight;
    neuron.regularizationWeight = regularizationWeight;
  }

  /**
   * Forward pass of neurons {@code [from, to)} for {@code batch} samples.
   *
   * @param acts previous layer's outputs, {@code (nIn + 1) × batch}, leading dimension nIn + 1
   * @param params flat parameters; neuron j's column starts at {@code off + j * (nIn + 1)}
   * @param prev previous weight changes, same layout as params
   * @param result this layer's outputs, leading dimension {@code resultLd}
   * @param mask {@code n × batch}: 0 = dropped, otherwise the factor applied to the output; the
   *     neuron's own {@link Neuron#setDrop} writes 0 here
   */
  @Override
  public void forward(float[] acts, int nIn, float[] params, int off, float[] prev,
      float[] result, int resultLd, float[] mask, int n, int from, int to, int batch)
      throws IOException {
    Neuron nr = neuron;
    ForwardSynapses syn = in;
    syn.inputs = acts;
    syn.weights = params;
    syn.prevUpdates = prev;
    syn.count = nIn + 1;
    nr.outgoing = null;
    for (int j = from; j < to; j++) {
      syn.weightBase = off + j * (nIn + 1);
      nr.neuronIndex = j;
      for (int s = 0; s < batch; s++) {
        int m = j + s * n;
        int r = j + s * resultLd;
        if (mask[m] == 0f) {
          result[r] = 0f;
          continue;
        }
        syn.inputBase = s * (nIn + 1);
        nr.fed = false;
        nr.dropped = false;
        nr.output = 0;
        nr.delta = 0;
        nr.forward(syn);
        if (nr.dropped) {
          mask[m] = 0f;
          result[r] = 0f;
          continue;
        }
        if (!nr.fed) {
          throw new IllegalStateException(nr.getClass().getName() + ".forward() did not call "
              + "feedforward() (layer " + nr.layerIndex + ", neuron " + j + ")");
        }
        result[r] = (float) nr.output * mask[m];
      }
    }
  }

  /**
   * Backward pass of units {@code [from, to)} of this layer ({@code n} = this layer's width is its
   * bias unit) for {@code batch} samples.
   *
   * @param acts this layer's outputs, {@code (n + 1) × batch}, last row ones
   * @param mask {@code n × batch} as written by the forward pass, or null for none
   * @param weightsT the weights of the layer above, transposed: row i = synapses out of unit i
   * @param prevT the previous changes of those weights, transposed the same way
   * @param pushesT receives the summed pushes (in double: sums over a batch), transposed the same way
   * @param deltaNext the next layer's errors, {@code nNext × batch}
   * @param deltaOut receives this layer's errors ({@code n × batch}), or null to drop them
   */
  @Override
  public void backward(float[] acts, int n, float[] mask, float[] weightsT, float[] prevT,
      double[] pushesT, float[] deltaNext, int nNext, float[] deltaOut, int from, int to,
      int batch) throws IOException {
    Neuron nr = neuron;
    BackwardSynapses syn = out;
    syn.weightsT = weightsT;
    syn.prevUpdatesT = prevT;
    syn.pushesT = pushesT;
    syn.deltas = deltaNext;
    syn.count = nNext;
    nr.outgoing = syn;
    try {
      for (int i = from; i < to; i++) {
        syn.rowBase = i * nNext;
        nr.neuronIndex = i;
        boolean bias = i == n;
        for (int s = 0; s < batch; s++) {
          float scale = bias || mask == null ? 1f : mask[i + s * n];
          syn.deltaBase = s * nNext;
          syn.output = acts[i + s * (n + 1)];
          nr.output = syn.output;
          nr.delta = 0;
          nr.dropped = scale == 0f;
          nr.backward(syn);
          if (deltaOut != null && !bias) {
            // d(output)/d(x) carries the dropout scale; a dropped unit passes no error back.
            deltaOut[i + s * n] = (float) nr.delta * scale;
          }
        }
      }
    } finally {
      nr.outgoing = null;
    }
  }
}
