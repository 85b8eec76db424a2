package io.horn.core.engine;

import io.horn.core.Neuron;
import io.horn.core.Synapse;
import java.io.IOException;
import java.util.SplittableRandom;

/** User neurons written the ways users write them, for the widening tests. */
final class TestNeurons {
  private TestNeurons() {}

  /** LeCun's scaled tanh, 1.7159 tanh(2x/3), with its own derivative and plain SGD. */
  public static class ScaledTanh extends Neuron {
    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      double sum = 0;
      for (Synapse m : messages) {
        sum += m.getInput() * m.getWeight();
      }
      feedforward(1.7159 * Math.tanh(2.0 / 3.0 * sum));
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      double y = getOutput() / 1.7159;
      double derivative = 1.7159 * (2.0 / 3.0) * (1 - y * y);
      for (Synapse m : messages) {
        backpropagate(derivative * m.getDelta() * m.getWeight());
        push(-getLearningRate() * (getOutput() * m.getDelta()
            + getRegularizationWeight() * m.getWeight()) + getMomentumWeight() * m.getPrevWeight());
      }
    }
  }

  /** Softplus by hand, log(1 + e^x), reading messages, locals reassigned, two loops. */
  public static class Softplus extends Neuron {
    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      double sum = 0;
      double bias = 0;
      for (Synapse m : messages) {
        double term = m.getMessage() * m.getWeight();
        sum = sum + term;
        bias = term;
      }
      sum = sum - bias;
      sum += bias;
      feedforward(Math.log1p(Math.exp(sum)) - Math.log1p(0.0));
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      double y = getOutput();
      double slope = -Math.expm1(-y);
      for (Synapse m : messages) {
        backpropagate(slope * m.getMessage() * m.getWeight());
      }
      for (Synapse m : messages) {
        push(-getLearningRate() * m.getInput() * m.getDelta() / Math.max(1.0, getDelta() * 0.0
            + 1.0));
      }
    }
  }

  /**
   * Dropout in the manner of Apache Horn's 2016 example: a per-sample coin in forward, a field,
   * a branch: not widened, runs on the per-neuron path.
   */
  public static class Horn2016Dropout extends Neuron {
    private final SplittableRandom random = new SplittableRandom(42);
    private double m2;

    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      m2 = isTraining() ? (random.nextDouble() < 0.5 ? 0 : 1) : 0.5;
      if (m2 > 0) {
        double sum = 0;
        for (Synapse m : messages) {
          sum += m.getInput() * m.getWeight();
        }
        feedforward(squashingFunction.apply(sum) * m2);
      } else {
        setDrop(true);
        feedforward(0);
      }
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      for (Synapse m : messages) {
        double gradient = isDropped() ? 0
            : squashingFunction.applyDerivative(getOutput()) * m.getDelta() * m.getWeight();
        backpropagate(gradient);
        push(-getLearningRate() * getOutput() * m.getDelta());
      }
    }
  }

  /** Calls a helper of its own: unknown code, not widened. */
  public static class WithHelper extends Neuron {
    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      double sum = 0;
      for (Synapse m : messages) {
        sum += m.getInput() * m.getWeight();
      }
      feedforward(squash(sum));
    }

    double squash(double x) {
      return squashingFunction.apply(x);
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      for (Synapse m : messages) {
        backpropagate(m.getDelta() * m.getWeight());
        push(-getLearningRate() * getOutput() * m.getDelta());
      }
    }
  }
}
