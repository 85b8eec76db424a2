package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An engine restored from a saved optimizer state and parameters continues exactly as the engine
 * it was saved from: what a checkpoint relies on.
 */
class OptimizerStateTest {
  private static final int BATCH = 16;
  private static final NetworkSpec SPEC = Nets.spec(CrossEntropy.class, StandardNeuron.class,
      new int[] {12, 9, 4}, ReLU.class, ReLU.class, SoftMax.class);

  private static void steps(NetworkEngine e, int from, int to) {
    Gradients g = new Gradients(SPEC.parameterCount());
    for (int step = from; step < to; step++) {
      float[][] b = Nets.batch(12, 4, BATCH, 100 + step);
      g.clear();
      e.computeGradients(b[0], b[1], BATCH, step, g);
      e.applyUpdate(g);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GRADIENT_DESCENT", "ADAM"})
  void restoredEngineContinuesBitForBit(String method) {
    TrainingSettings s = Nets.settings("horn.training.method", method, "horn.learning.rate",
        method.equals("ADAM") ? 0.01 : 0.1, "horn.momentum.weight", 0.9);
    float[] start = Initializer.initialize(SPEC, "auto", 3);
    float[] straight = new float[SPEC.parameterCount()];
    float[] resumed = new float[SPEC.parameterCount()];
    OptimizerState saved;
    float[] at = new float[SPEC.parameterCount()];
    try (NetworkEngine e = new CpuBackend().createEngine(SPEC, s, BATCH)) {
      e.setParameters(start);
      steps(e, 0, 7);
      saved = e.optimizerState();
      e.getParameters(at);
      steps(e, 7, 15);
      e.getParameters(straight);
    }
    assertEquals(7, saved.updates());
    assertEquals(method.equals("ADAM"), saved.hasMoments());
    try (NetworkEngine e = new CpuBackend().createEngine(SPEC, s, BATCH)) {
      e.setParameters(at);
      e.restoreOptimizerState(saved);
      steps(e, 7, 15);
      e.getParameters(resumed);
      assertEquals(15, e.optimizerState().updates());
    }
    assertArrayEquals(straight, resumed);

    // Without the state the run differs: the test can tell.
    try (NetworkEngine e = new CpuBackend().createEngine(SPEC, s, BATCH)) {
      e.setParameters(at);
      steps(e, 7, 15);
      e.getParameters(resumed);
    }
    assertNotEquals(java.util.Arrays.toString(straight), java.util.Arrays.toString(resumed));
  }

  @ParameterizedTest
  @ValueSource(strings = {"GRADIENT_DESCENT", "ADAM"})
  void stateOfAnotherShapeOrMethodIsRefusedBeforeAnythingChanges(String method) {
    TrainingSettings s = Nets.settings("horn.training.method", method);
    try (NetworkEngine e = new CpuBackend().createEngine(SPEC, s, BATCH)) {
      e.setParameters(Initializer.initialize(SPEC, "auto", 3));
      OptimizerState wrongSize = new OptimizerState(3, new float[5], null, null);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> e.restoreOptimizerState(wrongSize));
      assertTrue(x.getMessage().contains("covers 5 parameters"), x.getMessage());
      int n = SPEC.parameterCount();
      OptimizerState other = method.equals("ADAM")
          ? new OptimizerState(3, new float[n], null, null)
          : new OptimizerState(3, new float[n], new float[n], new float[n]);
      assertThrows(IllegalArgumentException.class, () -> e.restoreOptimizerState(other));
      assertEquals(0, e.optimizerState().updates(), "nothing changed");
    }
  }
}
