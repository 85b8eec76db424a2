package io.horn.core;

/**
 * A message along one synapse, as a neuron sees it in {@link Neuron#forward} and {@link
 * Neuron#backward}.
 *
 * <ul>
 *   <li>In {@code forward}, the synapses into the neuron: {@link #getInput()} is the output of the
 *       source neuron (1 for the bias synapse, which comes last) and {@link #getWeight()} its
 *       weight.
 *   <li>In {@code backward}, the synapses out of the neuron: {@link #getDelta()} is the error of
 *       the target neuron, {@link #getWeight()} the synapse's weight and {@link #getPrevWeight()}
 *       the change applied to that weight in the previous step (for momentum).
 * </ul>
 *
 * <p>Lifecycle and thread-safety: synapses are flyweights. The engine re-points one object at
 * each synapse in turn, so a {@code Synapse} is valid only until the iterator's next call, and
 * must never be stored or shared between threads. Iterating allocates nothing.
 */
public abstract class Synapse {
  Synapse() {}

  /** The source neuron's output (forward), or this neuron's own output (backward). */
  public abstract double getInput();

  /** The synapse's current weight. */
  public abstract double getWeight();

  /** The change applied to this weight in the previous training step; 0 before the first. */
  public abstract double getPrevWeight();

  /** The target neuron's error {@code dC/dx} (backward); 0 in forward. */
  public abstract double getDelta();

  /** Apache Horn's name for the value carried: the input in forward, the delta in backward. */
  public abstract double getMessage();
}
