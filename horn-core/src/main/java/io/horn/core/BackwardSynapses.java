package io.horn.core;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The flyweight for the synapses out of one neuron. It reads a row of the transposed weight and
 * previous-update blocks and a column of the next layer's errors, all contiguous, and takes the
 * neuron's {@link Neuron#push} for the synapse under the cursor.
 */
final class BackwardSynapses extends Synapse implements Iterable<Synapse>, Iterator<Synapse> {
  float[] weightsT;
  float[] prevUpdatesT;
  double[] pushesT;
  int rowBase;
  float[] deltas;
  int deltaBase;
  int count;
  double output;
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

  void push(double change) {
    if (k < 0 || k >= count) {
      throw new IllegalStateException(
          "push() must be called while iterating the synapses of backward(), once per synapse");
    }
    pushesT[rowBase + k] += change;
  }

  @Override
  public double getInput() {
    return output;
  }

  @Override
  public double getWeight() {
    return weightsT[rowBase + k];
  }

  @Override
  public double getPrevWeight() {
    return prevUpdatesT[rowBase + k];
  }

  @Override
  public double getDelta() {
    return deltas[deltaBase + k];
  }

  @Override
  public double getMessage() {
    return getDelta();
  }
}
