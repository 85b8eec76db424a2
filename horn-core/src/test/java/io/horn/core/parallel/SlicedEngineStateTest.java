package io.horn.core.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model-parallel member's optimizer state is its slice of the whole engine's (what a
 * checkpoint of a model-parallel group assembles), and a group that restores its slices of a
 * state goes on exactly as if it had never stopped.
 */
class SlicedEngineStateTest {
  private static final int BATCH = 16;
  private static final int MEMBERS = 3;

  private static final NetworkSpec SPEC = new NetworkSpec(List.of(
      new LayerSpec(11, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(17, Tanh.class, StandardNeuron.class, 0f),
      new LayerSpec(5, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);

  private static TrainingSettings settings(TrainingMethod method) {
    HornConfiguration conf = new HornConfiguration();
    conf.set(HornOptions.LEARNING_RATE, method == TrainingMethod.ADAM ? 0.01f : 0.05f);
    conf.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    conf.set(HornOptions.BATCH_SIZE, BATCH);
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.TRAINING_METHOD, method);
    return TrainingSettings.from(conf);
  }

  private static float[][][] batches(int steps) {
    Random r = new Random(5);
    float[][][] b = new float[steps][2][];
    for (int s = 0; s < steps; s++) {
      b[s][0] = new float[SPEC.inputSize() * BATCH];
      for (int i = 0; i < b[s][0].length; i++) {
        b[s][0][i] = (float) r.nextGaussian();
      }
      b[s][1] = new float[SPEC.outputSize() * BATCH];
      for (int c = 0; c < BATCH; c++) {
        b[s][1][c * SPEC.outputSize() + r.nextInt(SPEC.outputSize())] = 1f;
      }
    }
    return b;
  }

  /** What one member ends with: its weights and its optimizer state. */
  private record Member(float[] weights, OptimizerState state) {}

  /**
   * A group of {@link #MEMBERS} trains {@code batches[from, to)} from the members' {@code
   * weights} and, when not null, their optimizer {@code states}.
   */
  private static Member[] group(TrainingSettings s, float[][] weights, OptimizerState[] states,
      float[][][] batches, int from, int to) throws Exception {
    NeuronSlices plan = NeuronSlices.of(SPEC, MEMBERS);
    ThreadExchange[] ex = ThreadExchange.group(MEMBERS, 30_000);
    ExecutorService pool = Executors.newFixedThreadPool(MEMBERS);
    try {
      List<Future<Member>> runs = new ArrayList<>();
      for (int m = 0; m < MEMBERS; m++) {
        int member = m;
        runs.add(pool.submit(() -> {
          SlicedEngine e = new SlicedEngine(plan, s, BATCH, ex[member]);
          e.setParameters(weights[member]);
          if (states != null) {
            e.restoreOptimizerState(states[member]);
          }
          for (int step = from; step < to; step++) {
            e.trainStep(batches[step][0], batches[step][1], BATCH, step);
          }
          float[] w = new float[plan.parameterCount(member)];
          e.getParameters(w);
          return new Member(w, e.optimizerState());
        }));
      }
      Member[] out = new Member[MEMBERS];
      for (int m = 0; m < MEMBERS; m++) {
        out[m] = runs.get(m).get();
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[] whole(NeuronSlices plan, Member[] members,
      java.util.function.Function<Member, float[]> part) {
    float[] w = new float[SPEC.parameterCount()];
    for (int m = 0; m < members.length; m++) {
      plan.place(part.apply(members[m]), m, w);
    }
    return w;
  }

  private static double largestDifference(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @ParameterizedTest
  @EnumSource(TrainingMethod.class)
  void membersStatesAreSlicesOfTheWholeEnginesAndResumeExactly(TrainingMethod method)
      throws Exception {
    TrainingSettings s = settings(method);
    NeuronSlices plan = NeuronSlices.of(SPEC, MEMBERS);
    float[] start = Initializer.initialize(SPEC, s.initialization, 7);
    float[][] slices = new float[MEMBERS][];
    for (int m = 0; m < MEMBERS; m++) {
      slices[m] = plan.slice(start, m);
    }
    float[][][] batches = batches(40);

    // The whole-network engine's state after 40 steps, and the group's assembled from slices.
    OptimizerState one;
    try (NetworkEngine e = new CpuBackend().createEngine(SPEC, s, BATCH)) {
      e.setParameters(start);
      Gradients g = new Gradients(SPEC.parameterCount());
      for (float[][] b : batches) {
        e.trainStep(b[0], b[1], BATCH, 0, g);
      }
      one = e.optimizerState();
    }
    Member[] straight = group(s, slices, null, batches, 0, 40);
    assertEquals(40, straight[0].state().updates());
    assertEquals(method == TrainingMethod.ADAM, straight[0].state().hasMoments());
    double prev = largestDifference(one.prev(), whole(plan, straight, m -> m.state().prev()));
    assertTrue(prev < 1e-5, "previous changes differ by " + prev);
    if (method == TrainingMethod.ADAM) {
      double m1 = largestDifference(one.adamM(),
          whole(plan, straight, m -> m.state().adamM()));
      double m2 = largestDifference(one.adamV(),
          whole(plan, straight, m -> m.state().adamV()));
      assertTrue(m1 < 1e-5 && m2 < 1e-5, "Adam's moments differ by " + m1 + " and " + m2);
    }

    // Stopped after 25 steps, restored from its slices in a fresh group: the same 40 steps.
    Member[] first = group(s, slices, null, batches, 0, 25);
    float[][] w25 = new float[MEMBERS][];
    OptimizerState[] s25 = new OptimizerState[MEMBERS];
    for (int m = 0; m < MEMBERS; m++) {
      w25[m] = first[m].weights();
      s25[m] = first[m].state();
    }
    Member[] resumed = group(s, w25, s25, batches, 25, 40);
    for (int m = 0; m < MEMBERS; m++) {
      assertArrayEquals(straight[m].weights(), resumed[m].weights(), "member " + m);
      assertEquals(straight[m].state(), resumed[m].state(), "member " + m);
    }
  }

  @ParameterizedTest
  @EnumSource(TrainingMethod.class)
  void aStateOfAnotherSizeOrMethodIsRefused(TrainingMethod method) {
    TrainingSettings s = settings(method);
    NeuronSlices plan = NeuronSlices.of(SPEC, MEMBERS);
    SlicedEngine e = new SlicedEngine(plan, s, BATCH, ThreadExchange.group(MEMBERS, 1000)[0]);
    int n = plan.parameterCount(0);
    IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class,
        () -> e.restoreOptimizerState(new OptimizerState(1, new float[n + 1], null, null)));
    assertTrue(wrongSize.getMessage().contains("member 0 holds " + n), wrongSize.getMessage());
    OptimizerState other = method == TrainingMethod.ADAM
        ? new OptimizerState(1, new float[n], null, null)
        : new OptimizerState(1, new float[n], new float[n], new float[n]);
    assertThrows(IllegalArgumentException.class, () -> e.restoreOptimizerState(other));
  }
}
