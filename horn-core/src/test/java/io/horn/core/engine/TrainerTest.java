package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.data.ArrayDataset;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static final int FEATURES = 10;
  private static final int CLASSES = 4;
  /** 1000 training and 300 test samples of the same blobs (same seed, so the same centres). */
  private static final ArrayDataset ALL = Nets.blobs(1300, FEATURES, CLASSES, 11);
  private static final ArrayDataset TRAIN = ALL.subset(0, 1000);
  private static final ArrayDataset TEST = ALL.subset(1000, 1300);

  private static NetworkSpec net() {
    return Nets.spec(CrossEntropy.class, StandardNeuron.class, new int[] {FEATURES, 16, CLASSES},
        Identity.class, ReLU.class, SoftMax.class);
  }

  private static Model fit(NetworkSpec spec, TrainingSettings s, ArrayDataset test,
      TrainingListener l) {
    return new Trainer(spec, s, new CpuBackend()).fit(TRAIN, test, l);
  }

  private static double testAccuracy(Model m) {
    String a = m.metadata().get("test.accuracy");
    assertNotNull(a, "no test.accuracy in " + m.metadata());
    return Double.parseDouble(a);
  }

  private static long steps(Model m) {
    return Long.parseLong(m.metadata().get("trained.steps"));
  }

  private static void assertMentions(Throwable e, String... parts) {
    String m = String.valueOf(e.getMessage());
    for (String p : parts) {
      assertTrue(m.contains(p), "message '" + m + "' should mention '" + p + "'");
    }
  }

  @Test
  void gradientDescentLearnsBlobs() {
    TrainingSettings s = Nets.settings("horn.learning.rate", 0.1, "horn.batch.size", 32,
        "horn.epochs", 8);
    Model m = fit(net(), s, TEST, null);
    assertTrue(testAccuracy(m) >= 0.95, "accuracy " + testAccuracy(m));
    assertEquals("300", m.metadata().get("test.samples"));
    assertEquals("1000", m.metadata().get("trained.samples"));
    assertEquals("8", m.metadata().get("trained.epochs"));
    assertEquals(8 * 32, steps(m), "8 epochs of ceil(1000 / 32) steps");
  }

  @Test
  void adamLearnsBlobs() {
    TrainingSettings s = Nets.settings("horn.training.method", "ADAM", "horn.learning.rate", 0.01,
        "horn.batch.size", 32, "horn.epochs", 8);
    Model m = fit(net(), s, TEST, null);
    assertTrue(testAccuracy(m) >= 0.95, "accuracy " + testAccuracy(m));
  }

  @Test
  void initialParametersAreNotAlreadyASolution() {
    TrainingSettings s = Nets.settings("horn.max.iterations", 1, "horn.epochs", 0,
        "horn.learning.rate", 1e-6);
    Model m = fit(net(), s, TEST, null);
    assertTrue(testAccuracy(m) < 0.9, "untrained accuracy " + testAccuracy(m));
  }

  @Test
  void sameSeedGivesTheSameBitsAndAnotherSeedDoesNot() {
    float[] a = fit(net(), Nets.settings("horn.seed", 3, "horn.epochs", 2), null, null)
        .parameters();
    float[] b = fit(net(), Nets.settings("horn.seed", 3, "horn.epochs", 2), null, null)
        .parameters();
    float[] c = fit(net(), Nets.settings("horn.seed", 4, "horn.epochs", 2), null, null)
        .parameters();
    assertEquals(a.length, b.length);
    int differ = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), "parameter " + i);
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(c[i])) {
        differ++;
      }
    }
    assertTrue(differ > a.length / 2, "only " + differ + " of " + a.length + " differ");
  }

  @Test
  void shufflingDependsOnTheSeedButNotOnlyInitialisation() {
    // same start, shuffling on vs off: the order of the batches changes the result
    NetworkSpec spec = net();
    TrainingSettings on = Nets.settings("horn.epochs", 1);
    TrainingSettings off = Nets.settings("horn.epochs", 1, "horn.shuffle", false);
    Trainer t = new Trainer(spec, on, new CpuBackend());
    float[] start = t.initialParameters();
    float[] a = t.fit(TRAIN, null, null, start).parameters();
    float[] b = new Trainer(spec, off, new CpuBackend()).fit(TRAIN, null, null, start)
        .parameters();
    boolean same = true;
    for (int i = 0; i < a.length; i++) {
      same &= Float.floatToIntBits(a[i]) == Float.floatToIntBits(b[i]);
    }
    assertFalse(same);
  }

  @Test
  void maxIterationsBoundsTheSteps() {
    Model unbounded = fit(net(), Nets.settings("horn.epochs", 0, "horn.max.iterations", 7,
        "horn.batch.size", 32), TEST, null);
    assertEquals(7, steps(unbounded));
    assertEquals("1", unbounded.metadata().get("trained.epochs"));
    assertNotNull(unbounded.metadata().get("test.accuracy"), "evaluated after the cut epoch");

    Model acrossEpochs = fit(net(), Nets.settings("horn.epochs", 0, "horn.max.iterations", 40,
        "horn.batch.size", 32), null, null);
    assertEquals(40, steps(acrossEpochs));
    assertEquals("2", acrossEpochs.metadata().get("trained.epochs"));

    Model epochsFirst = fit(net(), Nets.settings("horn.epochs", 1, "horn.max.iterations", 1000,
        "horn.batch.size", 100), null, null);
    assertEquals(10, steps(epochsFirst));
  }

  @Test
  void convergenceThresholdStopsEarly() {
    List<Double> costs = new ArrayList<>();
    List<Long> at = new ArrayList<>();
    TrainingListener l = new TrainingListener() {
      @Override
      public void onProgress(int epoch, long step, double meanCost, double samplesPerSecond) {
        costs.add(meanCost);
        at.add(step);
        assertTrue(samplesPerSecond > 0);
      }
    };
    TrainingSettings s = Nets.settings("horn.epochs", 100, "horn.batch.size", 32,
        "horn.convergence.check.interval", 5, "horn.convergence.threshold", 0.3);
    Model m = fit(net(), s, null, l);
    long steps = steps(m);
    assertTrue(steps < 100 * 32, "ran all " + steps + " steps");
    assertEquals(0, steps % 5, "stops at a check");
    assertEquals(steps, (long) at.get(at.size() - 1));
    assertTrue(costs.get(costs.size() - 1) < 0.3, "last mean cost " + costs);
    for (int i = 0; i < costs.size() - 1; i++) {
      assertTrue(costs.get(i) >= 0.3, "should have stopped at check " + i + ": " + costs);
    }
    assertEquals(steps / 5, costs.size());
  }

  @Test
  void hugeLearningRateDivergesNamingTheOption() {
    NetworkSpec spec = Nets.spec(SquaredError.class, StandardNeuron.class,
        new int[] {FEATURES, 16, CLASSES}, Identity.class, Tanh.class, Identity.class);
    TrainingSettings s = Nets.settings("horn.learning.rate", 1e6, "horn.epochs", 3,
        "horn.batch.size", 32);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> fit(spec, s, TEST, null));
    assertMentions(e, "horn.learning.rate", "1000000");
  }

  @Test
  void widthMismatchNamesBothWidths() {
    NetworkSpec wide = Nets.spec(CrossEntropy.class, StandardNeuron.class,
        new int[] {12, 8, CLASSES}, Identity.class, ReLU.class, SoftMax.class);
    Trainer t = new Trainer(wide, Nets.settings(), new CpuBackend());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.fit(TRAIN, null, null));
    assertMentions(e, "10", "12", "training");

    NetworkSpec fiveOut = Nets.spec(CrossEntropy.class, StandardNeuron.class,
        new int[] {FEATURES, 8, 5}, Identity.class, ReLU.class, SoftMax.class);
    IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(fiveOut, Nets.settings(), new CpuBackend()).fit(TRAIN, null, null));
    assertMentions(out, "4", "5", "targets");

    ArrayDataset narrowTest = Nets.blobs(50, 9, CLASSES, 1);
    IllegalArgumentException te = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(net(), Nets.settings(), new CpuBackend()).fit(TRAIN, narrowTest,
            null));
    assertMentions(te, "test", "9", "10");
  }

  @Test
  void emptyTrainingDataIsRejected() {
    ArrayDataset empty = ArrayDataset.ofLabels(new float[0], FEATURES, new int[0], CLASSES);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(net(), Nets.settings(), new CpuBackend()).fit(empty, null, null));
    assertMentions(e, "empty");
  }

  @Test
  void listenerSeesEveryEpochWithAnEvaluation() {
    List<Integer> epochs = new ArrayList<>();
    List<Long> steps = new ArrayList<>();
    List<Evaluation> evals = new ArrayList<>();
    TrainingListener l = new TrainingListener() {
      @Override
      public void onEpoch(int epoch, long step, Evaluation test) {
        epochs.add(epoch);
        steps.add(step);
        evals.add(test);
      }
    };
    Model m = fit(net(), Nets.settings("horn.epochs", 3, "horn.batch.size", 50), TEST, l);
    assertEquals(List.of(1, 2, 3), epochs);
    assertEquals(List.of(20L, 40L, 60L), steps);
    for (Evaluation e : evals) {
      assertNotNull(e);
      assertEquals(TEST.size(), e.samples());
      long total = 0;
      for (long[] row : e.confusion()) {
        for (long v : row) {
          total += v;
        }
      }
      assertEquals(TEST.size(), total);
      assertTrue(Double.isFinite(e.meanCost()) && e.meanCost() >= 0);
    }
    Evaluation last = evals.get(2);
    assertEquals(last.accuracy(), testAccuracy(m));
    assertTrue(last.meanCost() < evals.get(0).meanCost() + 1e-9,
        "cost should not rise over training: " + evals);
  }

  @Test
  void withoutTestSetTheListenerGetsNullAndNoAccuracyIsRecorded() {
    List<Evaluation> evals = new ArrayList<>();
    int[] calls = {0};
    TrainingListener l = new TrainingListener() {
      @Override
      public void onEpoch(int epoch, long step, Evaluation test) {
        calls[0]++;
        evals.add(test);
      }
    };
    Model m = fit(net(), Nets.settings("horn.epochs", 2), null, l);
    assertEquals(2, calls[0]);
    assertNull(evals.get(0));
    assertNull(evals.get(1));
    assertFalse(m.metadata().containsKey("test.accuracy"));
  }

  @Test
  void fitStartsFromTheGivenParameters() {
    NetworkSpec spec = net();
    Trainer t = new Trainer(spec, Nets.settings("horn.epochs", 6, "horn.batch.size", 32),
        new CpuBackend());
    float[] trained = t.fit(TRAIN, null, null).parameters();
    // one tiny step from trained weights keeps them trained
    Trainer resume = new Trainer(spec, Nets.settings("horn.epochs", 0, "horn.max.iterations", 1,
        "horn.learning.rate", 1e-6), new CpuBackend());
    Model m = resume.fit(TRAIN, TEST, null, trained);
    assertTrue(testAccuracy(m) >= 0.95, "accuracy " + testAccuracy(m));
  }
}
