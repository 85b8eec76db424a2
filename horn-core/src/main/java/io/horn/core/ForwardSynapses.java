package io.horn.core;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The flyweight for the synapses into one neuron: it is at once the {@code Iterable}, its
 * iterator and the current {@link Synapse}. Inputs are read from a column of the previous
 * layer's activations whose last row is the bias input 1, weights from the neuron's column of
 * its weight block; both are contiguous, so a pass is a linear scan.
 */
final class ForwardSynapses extends Synapse implements Iterable<Synapse>, Iterator<Synapse> {
  float[] inputs;
  int inputBase;
  float[] weights;
  float[] prevUpdates;
  int weightBase;
  int count;
  private int k;

  @Override
  public Iterator<Synapse> iterator() {
    k = -1;
    return this;
  }

  @Override
  public boolean hasNext() {
    return k + 1 < count;
  }

  @Override
  public Synapse next() {
    if (++k >= count) {
      k = count;
      throw new NoSuchElementException();
    }
    return this;
  }

  @Override
  public double getInput() {
    return inputs[inputBase + k];
  }

  @Override
  public double getWeight() {
    return weights[weightBase + k];
  }

  @Override
  public double getPrevWeight() {
    return prevUpdates[weightBase + k];
  }

  @Override
  public double getDelta() {
    return 0;
  }

  @Override
  public double getMessage() {
    return getInput();
  }
}
