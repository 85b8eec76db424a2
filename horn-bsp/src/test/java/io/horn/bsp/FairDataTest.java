package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sorted data and a straggler, on real Hama jobs in local mode: the training set's first half
 * holds classes 0 and 1, the second half classes 2 and 3, and group 1 is slowed so that group 0
 * makes most of the job's steps. With {@code horn.data.groups=split} group 0 only ever sees the
 * first half and the model misses half the classes; with {@code whole} every group trains on all
 * of it, in its own order, and the model learns all four.
 */
class FairDataTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1200, 1, true);
    Quadrants.write(dir, "t10k", 400, 2);
  }

  private static double accuracy(String groups) throws Exception {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.GROUP_DELAY, "1:40");
    conf.set(HornOptions.DATA_GROUPS, groups);
    HornJob job = new HornJob(conf, FairDataTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setTestSetPath(dir + "#t10k");
    job.setModelPath(dir.resolve(groups + ".model").toString());
    job.setWorkers(2);
    job.setGroups(2);
    job.setPushInterval(2);
    job.setSeed(7);
    job.setMaxIteration(150);
    job.setBatchSize(16);
    Quadrants.network(job);
    assertTrue(job.waitForCompletion(false));
    assertEquals("1200", job.getModel().metadata().get("trained.samples"),
        "an epoch is one pass over the set, whichever way the groups share it");
    return Double.parseDouble(job.getModel().metadata().get("test.accuracy"));
  }

  @Test
  void everyGroupOnTheWholeSetLearnsWhatTheFastGroupsShareAlone() throws Exception {
    double split = accuracy("split");
    double whole = accuracy("whole");
    System.out.printf("test accuracy with horn.data.groups=split %.4f, whole %.4f%n", split, whole);
    assertTrue(whole >= 0.9, "whole: " + whole);
    assertTrue(split < 0.8, "split: " + split + " (the fast group saw two classes only)");
  }
}
