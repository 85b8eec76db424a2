package io.horn.core;

import io.horn.core.activation.ActivationFunction;
import java.io.IOException;

/**
 * A neuron program: the user's model of what one neuron does in a training step, in the manner of
 * a Pregel/Giraph vertex program.
 *
 * <p>For each sample of a mini-batch the engine calls {@link #forward} on every neuron of a layer,
 * layer by layer from the input, then {@link #backward} layer by layer from the output:
 *
 * <ul>
 *   <li>{@code forward} receives the synapses <em>into</em> the neuron (the bias synapse last, with
 *       input 1) and must call {@link #feedforward} once with the neuron's output.
 *   <li>{@code backward} receives the synapses <em>out of</em> the neuron. It adds to the neuron's
 *       error {@code dC/dx} with {@link #backpropagate} (the terms are summed) and, for each
 *       synapse while it is the iterator's current one, proposes that synapse's weight change with
 *       {@link #push}. The engine averages the pushed changes over the mini-batch (and, in
 *       distributed training, over the task group) and applies them.
 * </ul>
 *
 * <p>Neurons of the output layer get their error from the cost function; their {@code backward}
 * is not called. Every other layer, the input layer included, runs {@code backward}, because it is
 * the lower layer's neurons that push the changes of the weights above them; the input layer's
 * errors are dropped. Each layer also has a bias unit of output 1 that runs the lower layer's
 * {@code backward} to push its bias weights.
 *
 * <p><b>Lifecycle and thread-safety.</b> Neuron objects are flyweights (as Giraph reuses vertex
 * objects): the engine makes one instance per layer per worker thread, through the public
 * no-argument constructor, and points it at each neuron and sample in turn. Keep no per-neuron
 * state in fields. An instance is only ever used by one thread at a time.
 *
 * <p><b>Speed.</b> The built-in {@link StandardNeuron} and {@link DropoutNeuron} never run
 * through this per-neuron path: the engine executes their layers as whole mini-batch matrix
 * operations, with identical results. Other neurons whose {@code forward} and {@code backward}
 * keep to double arithmetic, the synapse loop, these getters and {@code Math} functions are
 * compiled to run many samples per call with the same bits ({@code io.horn.core.lanes}); the rest
 * run here one sample at a time, allocation-free, spread over the cores. The job log and {@code
 * horn info} say which path each layer took and why.
 */
public abstract class Neuron {

  /**
   * This neuron's squashing function, set by the engine before the first call. For a layer-wise
   * function (softmax) it is the identity and the engine normalises the layer afterwards.
   */
  protected ActivationFunction squashingFunction;

  double output;
  double delta;
  boolean fed;
  boolean dropped;
  boolean training;
  double learningRate;
  double momentumWeight;
  double regularizationWeight;
  int layerIndex;
  int neuronIndex;
  BackwardSynapses outgoing;

  /** Computes the neuron's output from its incoming synapses and calls {@link #feedforward}. */
  public abstract void forward(Iterable<Synapse> messages) throws IOException;

  /**
   * Computes the neuron's error from its outgoing synapses ({@link #backpropagate}) and proposes
   * their weight changes ({@link #push}).
   */
  public abstract void backward(Iterable<Synapse> messages) throws IOException;

  /** Sets this neuron's output for the current sample. */
  public final void feedforward(double value) {
    this.output = value;
    this.fed = true;
  }

  /** Adds {@code gradient} to this neuron's error {@code dC/dx} for the current sample. */
  public final void backpropagate(double gradient) {
    this.delta += gradient;
  }

  /**
   * Proposes {@code weightChange} for the synapse the {@code backward} iterator is on; the engine
   * averages the proposals over the mini-batch and adds them to the weight.
   */
  public final void push(double weightChange) {
    if (outgoing == null) {
      throw new IllegalStateException("push() is only valid inside backward()");
    }
    outgoing.push(weightChange);
  }

  /** The output of this neuron for the current sample (0 when dropped). */
  public final double getOutput() {
    return output;
  }

  /** The error accumulated by {@link #backpropagate} for the current sample. */
  public final double getDelta() {
    return delta;
  }

  public final double getLearningRate() {
    return learningRate;
  }

  public final double getMomentumWeight() {
    return momentumWeight;
  }

  public final double getRegularizationWeight() {
    return regularizationWeight;
  }

  /** Whether this is a training step (dropout active) rather than evaluation. */
  public final boolean isTraining() {
    return training;
  }

  /** Whether this neuron is dropped for the current sample; its output and error are then 0. */
  public final boolean isDropped() {
    return dropped;
  }

  /**
   * Drops (or keeps) this neuron for the current sample. Set in {@code forward}, it holds through
   * {@code backward} of the same sample: the engine feeds 0 forward and backpropagates 0.
   */
  public final void setDrop(boolean drop) {
    this.dropped = drop;
  }

  /** Index of this neuron's layer; 0 is the input layer. */
  public final int getLayerIndex() {
    return layerIndex;
  }

  /** Index of this neuron in its layer; the layer's width for its bias unit. */
  public final int getNeuronIndex() {
    return neuronIndex;
  }

  public final ActivationFunction getSquashingFunction() {
    return squashingFunction;
  }
}
