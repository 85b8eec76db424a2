package io.horn.core;

import java.io.IOException;

/**
 * A user neuron as Apache Horn's README writes one, verbatim but for its type parameters: it
 * re-implements the standard neuron's math on the per-neuron path.
 */
public class HornStyleNeuron extends Neuron {
  @Override
  public void forward(Iterable<Synapse> messages) throws IOException {
    double sum = 0;
    for (Synapse m : messages) sum += m.getInput() * m.getWeight();
    this.feedforward(this.squashingFunction.apply(sum));
  }

  @Override
  public void backward(Iterable<Synapse> messages) throws IOException {
    for (Synapse m : messages) {
      double gradient = this.squashingFunction.applyDerivative(this.getOutput()) * (m.getDelta() * m.getWeight());
      this.backpropagate(gradient);
      double weight = -this.getLearningRate() * this.getOutput() * m.getDelta() + this.getMomentumWeight() * m.getPrevWeight();
      this.push(weight);
    }
  }
}
