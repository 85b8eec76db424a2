package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.engine.CpuBackend;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GPU check: the CPU and the GPU engine, from the same weights over the same batches, agree on
 * every public operation: {@code trainStep} (both optimizers, with and without weight decay),
 * {@code computeGradients} + {@code applyUpdate} (the BSP path), {@code predict} (more samples
 * than the engine's batch, and fewer), batches smaller than the engine's maximum, every hidden
 * function the kernels implement and every output/cost pair; each on both sgemm paths (cuBLAS
 * and the own tiled kernel, also where cuBLAS is present). Skips, saying why, without a usable
 * GPU; fails instead under {@code HORN_REQUIRE_GPU=1}.
 */
@Tag("gpu")
class CudaEquivalenceTest {
  private static final int MAX_BATCH = 64;
  /** Batch sizes in turn: the maximum and a smaller, odd one. */
  private static final int[] BATCHES = {MAX_BATCH, 37};

  private static NetworkSpec net(Class<? extends ActivationFunction> hidden,
      Class<? extends ActivationFunction> out, Class<? extends CostFunction> cost) {
    return new NetworkSpec(List.of(
        new LayerSpec(40, hidden, StandardNeuron.class, 0f),
        new LayerSpec(33, hidden, StandardNeuron.class, 0f),
        new LayerSpec(21, hidden, StandardNeuron.class, 0f),
        new LayerSpec(7, out, StandardNeuron.class, 0f)), cost);
  }

  private static TrainingSettings settings(TrainingMethod method, float decay) {
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.TRAINING_METHOD, method);
    c.set(HornOptions.LEARNING_RATE, method == TrainingMethod.ADAM ? 0.001f : 0.05f);
    c.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    c.set(HornOptions.REGULARIZATION_WEIGHT, decay);
    return TrainingSettings.from(c);
  }

  /** Weights and per-step costs after {@code steps} training steps on one engine. */
  private static float[] train(NetworkEngine e, NetworkSpec spec, int steps, boolean oneHot,
      List<Double> costs) {
    float[] p = Initializer.initialize(spec, "auto", 3);
    SplittableRandom r = new SplittableRandom(9);
    float[] x = new float[spec.inputSize() * MAX_BATCH];
    float[] t = new float[spec.outputSize() * MAX_BATCH];
    try (e) {
      e.setParameters(p);
      Gradients g = new Gradients(p.length);
      for (int step = 0; step < steps; step++) {
        int b = BATCHES[step % BATCHES.length];
        GpuTests.batch(r, spec, x, t, b, oneHot);
        costs.add(e.trainStep(x, t, b, step, g));
      }
      e.getParameters(p);
    }
    return p;
  }

  private static void assertTrainsAlike(NetworkSpec spec, TrainingSettings s, boolean cublas,
      int steps, boolean oneHot, String what) {
    List<Double> gpuCosts = new ArrayList<>();
    float[] gpu = train(GpuTests.engine(spec, s, MAX_BATCH, cublas), spec, steps, oneHot,
        gpuCosts);
    List<Double> cpuCosts = new ArrayList<>();
    float[] cpu = train(new CpuBackend().createEngine(spec, s, MAX_BATCH), spec, steps, oneHot,
        cpuCosts);
    double rel = GpuTests.relDiff(cpu, gpu);
    double worstCost = 0;
    for (int i = 0; i < steps; i++) {
      worstCost = Math.max(worstCost, Math.abs(cpuCosts.get(i) - gpuCosts.get(i))
          / Math.max(1e-12, Math.abs(cpuCosts.get(i))));
    }
    System.out.printf("[CudaEquivalenceTest] %s, %s: weights %.3g, costs %.3g apart after %d"
        + " steps%n", what, cublas ? "cuBLAS" : "own sgemm", rel, worstCost, steps);
    assertTrue(rel <= 1e-4, what + ": weights differ by " + rel);
    assertTrue(worstCost <= 1e-4, what + ": a step's cost differs by " + worstCost);
  }

  static Stream<Arguments> methodsAndPaths() {
    List<Arguments> a = new ArrayList<>();
    for (TrainingMethod m : TrainingMethod.values()) {
      for (boolean cublas : new boolean[] {true, false}) {
        for (float decay : new float[] {0f, 0.01f}) {
          a.add(Arguments.of(m, cublas, decay));
        }
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0}, cuBLAS {1}, decay {2}")
  @MethodSource("methodsAndPaths")
  void trainStepMatchesCpu(TrainingMethod method, boolean cublas, float decay) {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(64, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(48, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(32, Tanh.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    assertTrainsAlike(spec, settings(method, decay), cublas, 100, true,
        method + " decay " + decay);
  }

  static Stream<Arguments> functionsAndPaths() {
    List<Arguments> a = new ArrayList<>();
    Class<?>[][] outputs = {{SoftMax.class, CrossEntropy.class},
        {Sigmoid.class, CrossEntropy.class}, {Identity.class, SquaredError.class}};
    for (Class<?> hidden : new Class<?>[] {ReLU.class, Sigmoid.class, Tanh.class,
        Identity.class, LeakyReLU.class}) {
      for (Class<?>[] out : outputs) {
        for (boolean cublas : new boolean[] {true, false}) {
          a.add(Arguments.of(Named.of(hidden.getSimpleName(), hidden),
              Named.of(out[0].getSimpleName(), out[0]), Named.of(out[1].getSimpleName(), out[1]),
              cublas));
        }
      }
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} hidden, {1} + {2}, cuBLAS {3}")
  @MethodSource("functionsAndPaths")
  void everyFunctionAndCostMatchesCpu(Class<? extends ActivationFunction> hidden,
      Class<? extends ActivationFunction> out, Class<? extends CostFunction> cost,
      boolean cublas) {
    NetworkSpec spec = net(hidden, out, cost);
    assertTrainsAlike(spec, settings(TrainingMethod.GRADIENT_DESCENT, 0.001f), cublas, 20,
        out == SoftMax.class, hidden.getSimpleName() + " / " + out.getSimpleName() + " + "
        + cost.getSimpleName());
  }

  /** The BSP path: sums over two batches (one smaller than the maximum), then one update. */
  @ParameterizedTest(name = "cuBLAS {0}")
  @ValueSource(booleans = {true, false})
  void computeGradientsAndApplyUpdateMatchCpu(boolean cublas) {
    NetworkSpec spec = net(ReLU.class, SoftMax.class, CrossEntropy.class);
    TrainingSettings s = settings(TrainingMethod.ADAM, 0.01f);
    float[] p0 = Initializer.initialize(spec, "auto", 5);
    NetworkEngine[] engines = {new CpuBackend().createEngine(spec, s, MAX_BATCH),
        GpuTests.engine(spec, s, MAX_BATCH, cublas)};
    Gradients[] sums = new Gradients[2];
    float[][] after = new float[2][p0.length];
    for (int e = 0; e < 2; e++) {
      SplittableRandom r = new SplittableRandom(21);
      float[] x = new float[spec.inputSize() * MAX_BATCH];
      float[] t = new float[spec.outputSize() * MAX_BATCH];
      try (NetworkEngine engine = engines[e]) {
        engine.setParameters(p0);
        sums[e] = new Gradients(p0.length);
        for (int b : BATCHES) {
          GpuTests.batch(r, spec, x, t, b, true);
          engine.computeGradients(x, t, b, 0, sums[e]);
        }
        engine.applyUpdate(sums[e]);
        engine.getParameters(after[e]);
      }
    }
    assertEquals(sums[0].count(), sums[1].count());
    assertEquals(sums[0].cost(), sums[1].cost(), 1e-5 * Math.abs(sums[0].cost()));
    for (int l = 1; l < spec.depth(); l++) {
      double rel = GpuTests.relDiff(sums[0].sums(), sums[1].sums(), spec.offset(l),
          spec.blockSize(l));
      assertTrue(rel <= 1e-5, "weight block " + l + "'s gradient sums differ by " + rel);
    }
    double rel = GpuTests.relDiff(after[0], after[1]);
    System.out.printf("[CudaEquivalenceTest] computeGradients + applyUpdate, cuBLAS %s: weights"
        + " %.3g apart%n", cublas, rel);
    assertTrue(rel <= 1e-5, "weights after applyUpdate differ by " + rel);
  }

  /** More samples than the engine's batch (three chunks, the last partial), and fewer. */
  @ParameterizedTest(name = "cuBLAS {0}")
  @ValueSource(booleans = {true, false})
  void predictMatchesCpu(boolean cublas) {
    NetworkSpec spec = net(Tanh.class, SoftMax.class, CrossEntropy.class);
    TrainingSettings s = settings(TrainingMethod.GRADIENT_DESCENT, 0f);
    float[] p = Initializer.initialize(spec, "auto", 8);
    SplittableRandom r = new SplittableRandom(4);
    for (int count : new int[] {150, 5}) {
      float[] x = new float[spec.inputSize() * count];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextDouble();
      }
      float[] cpu = new float[spec.outputSize() * count];
      float[] gpu = new float[spec.outputSize() * count];
      try (NetworkEngine c = new CpuBackend().createEngine(spec, s, MAX_BATCH);
          NetworkEngine g = GpuTests.engine(spec, s, MAX_BATCH, cublas)) {
        c.setParameters(p);
        g.setParameters(p);
        c.predict(x, count, cpu);
        g.predict(x, count, gpu);
      }
      double rel = GpuTests.relDiff(cpu, gpu);
      assertTrue(rel <= 1e-5, count + " predictions differ by " + rel);
    }
  }
}
