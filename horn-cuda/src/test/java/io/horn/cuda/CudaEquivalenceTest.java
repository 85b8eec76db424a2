package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.engine.CpuBackend;
import io.horn.core.math.Gradients;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GPU check (run by run-gpu-checks.sh): the same network, seed and batches on the CPU and the
 * GPU backend give weights within 1e-4 relative after 100 steps. Skips, saying why, without a
 * usable GPU.
 */
@Tag("gpu")
class CudaEquivalenceTest {

  private static float[] train(MathBackend backend, NetworkSpec spec, TrainingSettings s) {
    float[] p = Initializer.initialize(spec, "auto", 3);
    int batch = 64;
    SplittableRandom r = new SplittableRandom(9);
    float[] x = new float[spec.inputSize() * batch];
    float[] t = new float[spec.outputSize() * batch];
    try (NetworkEngine e = backend.createEngine(spec, s, batch)) {
      e.setParameters(p);
      Gradients g = new Gradients(p.length);
      for (int step = 0; step < 100; step++) {
        java.util.Arrays.fill(t, 0f);
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) r.nextDouble();
        }
        for (int c = 0; c < batch; c++) {
          t[c * spec.outputSize() + r.nextInt(spec.outputSize())] = 1f;
        }
        e.trainStep(x, t, batch, step, g);
      }
      e.getParameters(p);
    }
    return p;
  }

  @ParameterizedTest
  @EnumSource(TrainingMethod.class)
  void gpuMatchesCpuAfter100Steps(TrainingMethod method) {
    CudaProbe.Result probe = CudaProbe.result();
    assumeTrue(probe.usable, "no usable GPU: " + probe.reason);
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(64, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(48, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(32, Tanh.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.TRAINING_METHOD, method);
    c.set(HornOptions.LEARNING_RATE, method == TrainingMethod.ADAM ? 0.001f : 0.05f);
    TrainingSettings s = TrainingSettings.from(c);
    float[] cpu = train(new CpuBackend(), spec, s);
    float[] gpu = train(new CudaBackend(), spec, s);
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < cpu.length; i++) {
      diff += (cpu[i] - gpu[i]) * (double) (cpu[i] - gpu[i]);
      norm += (double) cpu[i] * cpu[i];
    }
    double rel = Math.sqrt(diff / norm);
    System.out.printf("%s: CPU vs GPU relative difference %.3g on %s%n", method, rel,
        probe.device);
    assertTrue(rel <= 1e-4, "relative difference " + rel);
  }
}
