package io.horn.core;

import java.io.IOException;

/**
 * The standard neuron: a weighted sum of the inputs through the squashing function, trained by
 * backpropagation with momentum.
 *
 * <p>This code states the math; the engine runs layers of this exact class as whole mini-batch
 * matrix operations (BLAS) with the same result, so it is never slow. A subclass runs on the
 * per-neuron path.
 */
public class StandardNeuron extends Neuron {

  @Override
  public void forward(Iterable<Synapse> messages) throws IOException {
    double sum = 0;
    for (Synapse m : messages) {
      sum += m.getInput() * m.getWeight();
    }
    feedforward(squashingFunction.apply(sum));
  }

  @Override
  public void backward(Iterable<Synapse> messages) throws IOException {
    double derivative = squashingFunction.applyDerivative(getOutput());
    for (Synapse m : messages) {
      backpropagate(derivative * m.getDelta() * m.getWeight());
      push(-getLearningRate() * getOutput() * m.getDelta()
          + getMomentumWeight() * m.getPrevWeight());
    }
  }
}
