package io.horn.examples;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.core.HornJob;
import io.horn.core.Neuron;
import io.horn.core.Synapse;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.cost.CrossEntropy;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A program written the Apache Horn way: a multi-layer perceptron whose neurons are written by
 * the user, forward and backward over synapses. It runs on the per-neuron path; swap {@link
 * UserNeuron} for {@code StandardNeuron} and the same math runs as whole-layer BLAS.
 *
 * <p>{@code bin/horn class io.horn.examples.MultiLayerPerceptron <mnist-dir> [epochs]
 * [-D key=value]}
 */
@Command(name = "bin/horn class io.horn.examples.MultiLayerPerceptron", description = "Train "
    + "784-500-500-10 on MNIST with a user-written neuron (the per-neuron path).")
public final class MultiLayerPerceptron implements Callable<Integer> {

  /** A user neuron, written the Apache Horn way (the standard neuron's math, per synapse). */
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

  @Parameters(index = "0", paramLabel = "<mnist-dir>", description = "MNIST idx directory.")
  String data;

  @Parameters(index = "1", arity = "0..1", paramLabel = "<epochs>",
      description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
  int epochs = 1;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  public static void main(String[] args) {
    Cli.exit(new MultiLayerPerceptron(), args);
  }

  @Override
  public Integer call() throws Exception {
    HornJob job = new HornJob(config.applyTo(HornConfiguration.withDefaults()),
        MultiLayerPerceptron.class);
    job.setTrainingSetPath(data);
    job.setTestSetPath(data + "#t10k");
    job.setEpochs(epochs);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.setBatchSize(128);
    job.inputLayer(784, ReLU.class, UserNeuron.class);
    job.addLayer(500, ReLU.class, UserNeuron.class);
    job.addLayer(500, ReLU.class, UserNeuron.class);
    job.outputLayer(10, SoftMax.class, UserNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job.waitForCompletion(true) ? Cli.OK : Cli.FAILURE;
  }
}
