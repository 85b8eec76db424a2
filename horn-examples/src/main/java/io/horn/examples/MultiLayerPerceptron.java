package io.horn.examples;

import io.horn.core.HornJob;
import io.horn.core.Neuron;
import io.horn.core.Synapse;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.cost.CrossEntropy;
import java.io.IOException;

/**
 * The seed's program: a multi-layer perceptron whose neurons are written by the user, forward and
 * backward over synapses. It runs on the per-neuron path; swap {@link UserNeuron} for {@code
 * StandardNeuron} and the same math runs as whole-layer BLAS.
 *
 * <p>{@code bin/horn jar horn-examples/target/horn-examples-*.jar io.horn.examples.MultiLayerPerceptron
 * <mnist-dir> [epochs]}
 */
public final class MultiLayerPerceptron {

  /** The seed's neuron, written the Apache Horn way. */
  public static class UserNeuron extends Neuron {
    @Override
    public void forward(Iterable<Synapse> messages) throws IOException {
      double sum = 0;
      for (Synapse m : messages) {
        sum += m.getInput() * m.getWeight();
      }
      this.feedforward(this.squashingFunction.apply(sum));
    }

    @Override
    public void backward(Iterable<Synapse> messages) throws IOException {
      for (Synapse m : messages) {
        double gradient = this.squashingFunction.applyDerivative(this.getOutput())
            * (m.getDelta() * m.getWeight());
        this.backpropagate(gradient);
        double weight = -this.getLearningRate() * this.getOutput() * m.getDelta()
            + this.getMomentumWeight() * m.getPrevWeight();
        this.push(weight);
      }
    }
  }

  private MultiLayerPerceptron() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: MultiLayerPerceptron <mnist-dir> [epochs]");
      System.exit(2);
    }
    HornJob job = new HornJob(HornConfiguration.withDefaults(), MultiLayerPerceptron.class);
    job.setTrainingSetPath(args[0]);
    job.setTestSetPath(args[0] + "#t10k");
    job.setEpochs(args.length > 1 ? Integer.parseInt(args[1]) : 1);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.setBatchSize(128);
    job.inputLayer(784, ReLU.class, UserNeuron.class);
    job.addLayer(500, ReLU.class, UserNeuron.class);
    job.addLayer(500, ReLU.class, UserNeuron.class);
    job.outputLayer(10, SoftMax.class, UserNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    System.exit(job.waitForCompletion(true) ? 0 : 1);
  }
}
