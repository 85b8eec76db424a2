package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import io.horn.core.Neuron;
import io.horn.core.NeuronLayerRunner;
import io.horn.core.NeuronRunner;
import io.horn.core.Synapse;
import io.horn.core.activation.ReLU;
import io.horn.core.lanes.LaneLayerRunner;
import io.horn.core.lanes.NeuronCompiler;
import io.horn.examples.MultiLayerPerceptron;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Where the per-neuron path's time goes: nanoseconds per synapse of one 784→500 layer, batch
 * 128, one thread, for a user neuron written the Apache Horn way
 * ({@link MultiLayerPerceptron.UserNeuron}) and for variants that leave out {@code push} or
 * {@code backpropagate}, one sample at a time (scalar) and compiled to run many samples per call,
 * against a plain Java loop with the same dependent additions (the bound for forward one sample
 * at a time).
 *
 * <p>{@code bin/horn bench neuron-path}
 */
@Command(name = "bin/horn bench neuron-path", sortOptions = false,
    description = "Nanoseconds per synapse of the per-neuron path, forward and backward, "
        + "for a user neuron and variants of it.")
public final class NeuronPathBenchmark implements Callable<Integer> {
  @Mixin HelpOptions help;

  private static final int IN = 784;
  private static final int OUT = 500;
  private static final int BATCH = 128;

  /** Backward without push: only the error sum, a chain of dependent additions. */
  public static class NoPush extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      for (Synapse m : ms) {
        backpropagate(squashingFunction.applyDerivative(getOutput()) * m.getDelta()
            * m.getWeight());
      }
    }
  }

  /** Backward with push only. */
  public static class PushOnly extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      for (Synapse m : ms) {
        push(-getLearningRate() * getOutput() * m.getDelta()
            + getMomentumWeight() * m.getPrevWeight());
      }
    }
  }

  NeuronPathBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new NeuronPathBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    SplittableRandom r = new SplittableRandom(1);
    float[] acts = new float[(IN + 1) * BATCH];
    float[] params = new float[(IN + 1) * OUT];
    for (int i = 0; i < acts.length; i++) {
      acts[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) r.nextDouble() * 0.01f;
    }
    float[] out = new float[(OUT + 1) * BATCH];
    float[] mask = new float[OUT * BATCH];
    java.util.Arrays.fill(mask, 1f);
    float[] deltaNext = new float[OUT * BATCH];
    for (int i = 0; i < deltaNext.length; i++) {
      deltaNext[i] = (float) r.nextDouble();
    }
    float[] deltaOut = new float[IN * BATCH];
    double synapses = (double) (IN + 1) * OUT * BATCH;

    NeuronLayerRunner user = runner(MultiLayerPerceptron.UserNeuron.class);
    double fwd = best(() -> user.forward(acts, IN, params, 0, params, out, OUT + 1, mask, OUT, 0,
        OUT, BATCH))[0] / synapses;
    double[] sink = {0};
    double hand = best(() -> {
      for (int j = 0; j < OUT; j++) {
        for (int b = 0; b < BATCH; b++) {
          double sum = 0;
          for (int i = 0; i <= IN; i++) {
            sum += acts[b * (IN + 1) + i] * (double) params[j * (IN + 1) + i];
          }
          sink[0] += sum;
        }
      }
    })[0] / synapses;
    System.out.printf("forward, user neuron: %.2f ns/synapse; plain Java loop with the same "
        + "dependent additions: %.2f ns/synapse (%s)%n", fwd, hand, sink[0] > 0 ? "ok" : "?");
    java.util.List<String> results = new java.util.ArrayList<>();
    for (Class<? extends Neuron> c : java.util.List.of(NoPush.class, PushOnly.class,
        MultiLayerPerceptron.UserNeuron.class)) {
      NeuronCompiler.Result compiled = NeuronCompiler.compile(c);
      for (NeuronRunner run : java.util.List.of(runner(c), compiled(compiled))) {
        String path = run instanceof LaneLayerRunner ? "compiled" : "scalar";
        double[] pushes = new double[params.length];
        double[] f = best(() -> run.forward(acts, IN, params, 0, params, out, OUT + 1, mask, OUT,
            0, OUT, BATCH));
        double[] b = best(() -> run.backward(acts, IN, null, params, params, pushes, deltaNext, OUT,
            deltaOut, 0, IN + 1, BATCH));
        System.out.printf("%s, %s: forward %.2f, backward %.2f ns/synapse (CPU time: %.2f, %.2f)%n",
            c.getSimpleName(), path, f[0] / synapses, b[0] / synapses, f[1] / synapses,
            b[1] / synapses);
        results.add(String.format(java.util.Locale.ROOT, "RESULT bench=neuron-path neuron=%s "
            + "path=%s forward_ns=%.3f backward_ns=%.3f forward_cpu_ns=%.3f backward_cpu_ns=%.3f",
            c.getSimpleName(), path, f[0] / synapses, b[0] / synapses, f[1] / synapses,
            b[1] / synapses));
      }
    }
    results.forEach(System.out::println);
    return Cli.OK;
  }

  private static NeuronLayerRunner runner(Class<? extends Neuron> c) {
    NeuronLayerRunner r = new NeuronLayerRunner(c, new ReLU(), 1);
    r.configure(true, 0.05, 0.9, 0);
    return r;
  }

  private static LaneLayerRunner compiled(NeuronCompiler.Result c) {
    LaneLayerRunner r = new LaneLayerRunner(c, new ReLU());
    r.configure(true, 0.05, 0.9, 0);
    return r;
  }

  private interface Body {
    void run() throws Exception;
  }

  /**
   * Best of twelve timed runs (the first ones warm the JIT up), in nanoseconds: wall-clock time
   * and the thread's CPU time. On a shared machine the thread may wait for a core in every run;
   * its CPU time leaves that wait out.
   */
  private static double[] best(Body b) throws Exception {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE;
    double bestCpu = Double.MAX_VALUE;
    for (int i = 0; i < 12; i++) {
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      b.run();
      best = Math.min(best, System.nanoTime() - t0);
      bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - c0);
    }
    return new double[] {best, bestCpu};
  }
}
