package io.horn.core.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.DropoutNeuron;
import io.horn.core.HornStyleNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A model-parallel group of P members trains exactly as one whole-network engine on the same
 * batches: after 50 steps the weights assembled from the members' slices agree with the single
 * engine's to 1e-5 (only the order of float additions differs), for P = 2 and 4 — with layers
 * whose sizes P does not divide.
 */
class SlicedEngineTest {
  private static final int BATCH = 24;
  private static final int STEPS = 50;

  private static NetworkSpec mlp(boolean softmax) {
    return mlp(softmax, 0f);
  }

  /** {@code drop}: the hidden layers' drop rate (the input layer's is half of it). */
  private static NetworkSpec mlp(boolean softmax, float drop) {
    List<LayerSpec> layers = List.of(
        new LayerSpec(19, ReLU.class, StandardNeuron.class, drop / 2),
        new LayerSpec(23, ReLU.class, StandardNeuron.class, drop),
        new LayerSpec(13, Tanh.class, StandardNeuron.class, drop),
        new LayerSpec(7, softmax ? SoftMax.class : Sigmoid.class, StandardNeuron.class, 0f));
    return new NetworkSpec(layers, softmax ? CrossEntropy.class : SquaredError.class);
  }

  private static TrainingSettings settings(TrainingMethod method) {
    return settings(method, new HornConfiguration());
  }

  private static TrainingSettings settings(TrainingMethod method, HornConfiguration conf) {
    conf.set(HornOptions.LEARNING_RATE, 0.05f);
    conf.set(HornOptions.MOMENTUM_WEIGHT, 0.9f);
    conf.set(HornOptions.REGULARIZATION_WEIGHT, 1e-4f);
    conf.set(HornOptions.BATCH_SIZE, BATCH);
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.TRAINING_METHOD, method);
    return TrainingSettings.from(conf);
  }

  /** Batches of random inputs with one-hot targets, the same for every engine. */
  private static float[][][] batches(NetworkSpec spec) {
    Random r = new Random(11);
    float[][][] b = new float[STEPS][2][];
    for (int s = 0; s < STEPS; s++) {
      float[] x = new float[spec.inputSize() * BATCH];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      float[] t = new float[spec.outputSize() * BATCH];
      for (int c = 0; c < BATCH; c++) {
        t[c * spec.outputSize() + r.nextInt(spec.outputSize())] = 1f;
      }
      b[s][0] = x;
      b[s][1] = t;
    }
    return b;
  }

  private static float[] single(NetworkSpec spec, TrainingSettings s, float[] start,
      float[][][] batches) {
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, BATCH)) {
      e.setParameters(start);
      Gradients g = new Gradients(spec.parameterCount());
      for (int step = 0; step < batches.length; step++) {
        e.trainStep(batches[step][0], batches[step][1], BATCH, step, g);
      }
      float[] w = new float[spec.parameterCount()];
      e.getParameters(w);
      return w;
    }
  }

  private static float[] sliced(NetworkSpec spec, TrainingSettings s, float[] start,
      float[][][] batches, int members) throws Exception {
    NeuronSlices plan = NeuronSlices.of(spec, members);
    ThreadExchange[] ex = ThreadExchange.group(members, 30_000);
    ExecutorService pool = Executors.newFixedThreadPool(members);
    float[] assembled = new float[spec.parameterCount()];
    try {
      List<Future<float[]>> runs = new ArrayList<>();
      for (int m = 0; m < members; m++) {
        int member = m;
        runs.add(pool.submit(() -> {
          SlicedEngine e = new SlicedEngine(plan, s, BATCH, ex[member]);
          e.setParameters(plan.slice(start, member));
          for (int step = 0; step < batches.length; step++) {
            e.trainStep(batches[step][0], batches[step][1], BATCH, step);
          }
          float[] mine = new float[plan.parameterCount(member)];
          e.getParameters(mine);
          return mine;
        }));
      }
      for (int m = 0; m < members; m++) {
        plan.place(runs.get(m).get(), m, assembled);
      }
    } finally {
      pool.shutdownNow();
    }
    return assembled;
  }

  private static void assertClose(float[] expected, float[] actual) {
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= 1e-5, "largest difference " + worst);
  }

  @Test
  void twoAndFourMembersTrainAsOneEngine() throws Exception {
    for (boolean softmax : new boolean[] {true, false}) {
      NetworkSpec spec = mlp(softmax);
      for (TrainingMethod method : new TrainingMethod[] {TrainingMethod.GRADIENT_DESCENT,
          TrainingMethod.ADAM}) {
        TrainingSettings s = settings(method);
        float[] start = Initializer.initialize(spec, s.initialization, 3);
        float[][][] batches = batches(spec);
        float[] one = single(spec, s, start, batches);
        double moved = 0;
        for (int i = 0; i < one.length; i++) {
          moved = Math.max(moved, Math.abs(one[i] - start[i]));
        }
        assertTrue(moved > 1e-2, "training moved the weights by only " + moved);
        for (int members : new int[] {2, 4}) {
          assertClose(one, sliced(spec, s, start, batches, members));
        }
      }
    }
  }

  /**
   * Dropout on the input and hidden layers: every member draws the whole engine's masks and
   * drops the gathered layers alike, so the group still trains as one engine, and predicts as
   * one (every unit scaled by its keep probability).
   */
  @Test
  void withDropoutTwoAndFourMembersStillTrainAndPredictAsOneEngine() throws Exception {
    NetworkSpec spec = mlp(true, 0.4f);
    TrainingSettings s = settings(TrainingMethod.GRADIENT_DESCENT);
    float[] start = Initializer.initialize(spec, s.initialization, 5);
    float[][][] batches = batches(spec);
    float[] one = single(spec, s, start, batches);
    float[] noDrop = single(mlp(true, 0f), s, start, batches);
    double apart = 0;
    for (int i = 0; i < one.length; i++) {
      apart = Math.max(apart, Math.abs(one[i] - noDrop[i]));
    }
    assertTrue(apart > 1e-2, "dropout changed the weights by only " + apart);
    float[] want = new float[spec.outputSize() * BATCH];
    try (NetworkEngine e = new CpuBackend().createEngine(spec, s, BATCH)) {
      e.setParameters(one);
      e.predict(batches[0][0], BATCH, want);
    }
    for (int members : new int[] {2, 4}) {
      float[] trained = sliced(spec, s, start, batches, members);
      assertClose(one, trained);
      assertClose(want, slicedPredict(spec, s, trained, batches[0][0], members));
    }
  }

  private static float[] slicedPredict(NetworkSpec spec, TrainingSettings s, float[] weights,
      float[] x, int members) throws Exception {
    NeuronSlices plan = NeuronSlices.of(spec, members);
    ThreadExchange[] ex = ThreadExchange.group(members, 30_000);
    ExecutorService pool = Executors.newFixedThreadPool(members);
    try {
      List<Future<float[]>> runs = new ArrayList<>();
      for (int m = 0; m < members; m++) {
        int member = m;
        runs.add(pool.submit(() -> {
          SlicedEngine e = new SlicedEngine(plan, s, BATCH, ex[member]);
          e.setParameters(plan.slice(weights, member));
          float[] y = new float[spec.outputSize() * BATCH];
          e.predict(x, BATCH, y);
          return y;
        }));
      }
      float[] y0 = runs.get(0).get();
      for (int m = 1; m < members; m++) {
        assertArrayEquals(y0, runs.get(m).get(), "every member has the gathered outputs");
      }
      return y0;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * User-written neurons: the Horn README's neuron in the hidden layers (momentum through
   * {@code getPrevWeight}, pushes as the updates), and every layer on the per-neuron path with
   * dropout (the input layer's units push, the output layer's neurons feed forward); groups of
   * 2 and 4 train as one engine.
   */
  @Test
  void userWrittenNeuronsTrainAsOneEngine() throws Exception {
    NetworkSpec horn = new NetworkSpec(List.of(
        new LayerSpec(19, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(23, ReLU.class, HornStyleNeuron.class, 0.3f),
        new LayerSpec(13, Tanh.class, HornStyleNeuron.class, 0f),
        new LayerSpec(7, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    HornConfiguration slow = new HornConfiguration();
    slow.set(HornOptions.FAST_PATH, false);
    for (Object[] c : new Object[][] {{horn, settings(TrainingMethod.GRADIENT_DESCENT)},
        {mlp(true, 0.4f), settings(TrainingMethod.GRADIENT_DESCENT, slow)},
        {mlp(false, 0f), settings(TrainingMethod.ADAM, slow)}}) {
      NetworkSpec spec = (NetworkSpec) c[0];
      TrainingSettings s = (TrainingSettings) c[1];
      float[] start = Initializer.initialize(spec, s.initialization, 9);
      float[][][] batches = batches(spec);
      float[] one = single(spec, s, start, batches);
      double moved = 0;
      for (int i = 0; i < one.length; i++) {
        moved = Math.max(moved, Math.abs(one[i] - start[i]));
      }
      assertTrue(moved > 1e-2, "training moved the weights by only " + moved);
      for (int members : new int[] {2, 4}) {
        assertClose(one, sliced(spec, s, start, batches, members));
      }
    }
  }

  @Test
  void slicesTileTheParameterVector() {
    NetworkSpec spec = mlp(true);
    NeuronSlices plan = NeuronSlices.of(spec, 4);
    float[] full = new float[spec.parameterCount()];
    for (int i = 0; i < full.length; i++) {
      full[i] = i;
    }
    float[] back = new float[full.length];
    int total = 0;
    for (int m = 0; m < 4; m++) {
      plan.place(plan.slice(full, m), m, back);
      total += plan.parameterCount(m);
    }
    assertEquals(full.length, total);
    assertArrayEquals(full, back);
    // 23 neurons over 4 members: 5, 6, 6, 6.
    assertEquals(5, plan.owned(1, 0));
    assertEquals(6, plan.owned(1, 3));
  }

  @Test
  void eachMembersInitialSliceIsItsPartOfTheWholeInitialVector() {
    NetworkSpec spec = mlp(true);
    for (String method : new String[] {"auto", "xavier", "he"}) {
      float[] whole = io.horn.core.model.Initializer.initialize(spec, method, 7);
      for (int members : new int[] {1, 2, 3, 4}) {
        NeuronSlices plan = NeuronSlices.of(spec, members);
        for (int m = 0; m < members; m++) {
          assertArrayEquals(plan.slice(whole, m), plan.initial(m, method, 7),
              method + ", member " + m + " of " + members);
        }
      }
    }
  }

  @Test
  void layersNarrowerThanTheGroupAreRefused() {
    NetworkSpec narrow = new NetworkSpec(List.of(
        new LayerSpec(4, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(8, ReLU.class, DropoutNeuron.class, 0f),
        new LayerSpec(3, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NeuronSlices.of(narrow, 4));
    assertTrue(e.getMessage().contains("layer 2 has 3 neurons, fewer than the 4 members"),
        e.getMessage());
  }
}
