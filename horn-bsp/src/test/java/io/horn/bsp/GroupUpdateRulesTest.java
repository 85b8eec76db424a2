package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.TrainingMethod;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Update rules between groups, on real Hama jobs in local mode. Two groups of one worker whose
 * parameter server averages their deltas in lock-step ({@code horn.staleness=0}) train exactly as
 * one group of two does (its all-reduce averages the two batches' gradients): same data slices,
 * same steps, plain gradient descent, weights equal to rounding. And with a staleness bound, the
 * groups' push clocks never drift further apart than it.
 */
class GroupUpdateRulesTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1200, 1);
    Quadrants.write(dir, "t10k", 200, 2);
  }

  private static HornJob job(String name, int workers, int groups, long steps) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    HornJob job = new HornJob(conf, GroupUpdateRulesTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setModelPath(dir.resolve(name + ".model").toString());
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setPushInterval(1);
    job.setSeed(5);
    job.setMaxIteration(steps);
    job.setBatchSize(16);
    Quadrants.network(job);
    job.setTrainingMethod(TrainingMethod.GRADIENT_DESCENT);
    job.setMomentumWeight(0);
    return job;
  }

  @Test
  void twoAveragedGroupsInLockStepTrainAsOneGroupOfTwo() throws Exception {
    HornJob two = job("two-groups-averaged", 2, 2, 80);
    two.setStaleness(0);
    two.setAverageUpdates(true);
    assertTrue(two.waitForCompletion(false));
    Map<String, String> meta = two.getModel().metadata();
    // A group learns of the spent budget from a push's reply and ends one step later.
    String steps = meta.get("ps.group.0.steps");
    assertEquals(steps, meta.get("ps.group.1.steps"), "lock-step: " + meta);
    assertEquals("0", meta.get("ps.max.lead"));
    HornJob one = job("one-group-of-two", 2, 1, Long.parseLong(steps));
    one.setBatchSize(32); // a group's batch is shared by its members: 16 each, as above
    assertTrue(one.waitForCompletion(false));
    float[] a = one.getModel().parameters();
    float[] b = two.getModel().parameters();
    double worst = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
      norm = Math.max(norm, Math.abs(a[i]));
    }
    assertTrue(worst <= 1e-5 * Math.max(1, norm), "largest difference " + worst);

    // Summed instead: the same lock-step run moves twice as far, so it differs (the check above
    // can fail).
    HornJob summed = job("two-groups-summed", 2, 2, 80);
    summed.setStaleness(0);
    assertTrue(summed.waitForCompletion(false));
    float[] c = summed.getModel().parameters();
    double apart = 0;
    for (int i = 0; i < a.length; i++) {
      apart = Math.max(apart, Math.abs(a[i] - c[i]));
    }
    assertTrue(apart > 1e-3, "sum and average ended " + apart + " apart");
  }

  @Test
  void aBoundedJobNeverLetsAGroupRunFurtherAhead() throws Exception {
    HornJob job = job("bounded", 3, 3, 180);
    job.setStaleness(1);
    job.setPushInterval(2);
    assertTrue(job.waitForCompletion(false));
    Map<String, String> meta = job.getModel().metadata();
    assertTrue(Long.parseLong(meta.get("ps.max.lead")) <= 1, meta.toString());
    long steps = Long.parseLong(meta.get("ps.steps"));
    // Each group may be up to a push interval into its next push, plus the step it takes
    // before it hears of the spent budget.
    assertTrue(steps >= 180 && steps <= 180 + 3 * (2 + 1), "steps " + steps);
  }
}
