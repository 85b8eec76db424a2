package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Jobs with a sharded parameter server, on real Hama jobs in local mode: sharding changes where
 * the weights live, not what training computes.
 */
class ShardedJobTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1200, 1);
    Quadrants.write(dir, "t10k", 200, 2);
  }

  private static HornJob job(String name, int workers, int groups, int shards, long steps) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.PARAMSERVER, "on");
    HornJob job = new HornJob(conf, ShardedJobTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setTestSetPath(dir + "#t10k");
    job.setModelPath(dir.resolve(name + ".model").toString());
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setParameterServerShards(shards);
    job.setPushInterval(2);
    job.setSeed(9);
    job.setMaxIteration(steps);
    job.setBatchSize(16);
    Quadrants.network(job);
    return job;
  }

  @Test
  void threeShardsGiveTheSameBitsAsOne() throws Exception {
    // One group of two: its pushes are a fixed sequence, so the weights are deterministic.
    HornJob one = job("one-shard", 2, 1, 1, 60);
    assertTrue(one.waitForCompletion(false));
    HornJob three = job("three-shards", 2, 1, 3, 60);
    assertTrue(three.waitForCompletion(false));
    Map<String, String> meta = three.getModel().metadata();
    assertEquals("3", meta.get("ps.shards"), meta.toString());
    // 64-32-10: blocks of 2,080 and 330 floats; no edge near the balanced cuts.
    assertEquals("[0, 803) [803, 1606) [1606, 2410)", meta.get("ps.shard.ranges"));
    assertEquals(one.getModel().metadata().get("ps.steps"), meta.get("ps.steps"));
    assertArrayEquals(one.getModel().parameters(), three.getModel().parameters());
  }

  @Test
  void twoAveragedGroupsInLockStepOverTwoShardsTrainAsOneGroupOfTwo() throws Exception {
    HornJob two = job("two-groups-two-shards", 2, 2, 2, 80);
    two.setPushInterval(1);
    two.setStaleness(0);
    two.setAverageUpdates(true);
    two.setTrainingMethod(TrainingMethod.GRADIENT_DESCENT);
    two.setMomentumWeight(0);
    assertTrue(two.waitForCompletion(false));
    Map<String, String> meta = two.getModel().metadata();
    assertEquals("0", meta.get("ps.max.lead"), meta.toString());
    HornJob one = job("one-group-of-two", 2, 1, 1, Long.parseLong(meta.get("ps.group.0.steps")));
    one.getConfiguration().set(HornOptions.PARAMSERVER, "off");
    one.setBatchSize(32);
    one.setTrainingMethod(TrainingMethod.GRADIENT_DESCENT);
    one.setMomentumWeight(0);
    assertTrue(one.waitForCompletion(false));
    float[] a = one.getModel().parameters();
    float[] b = two.getModel().parameters();
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    assertTrue(worst <= 1e-5, "largest difference " + worst);
  }

  @Test
  void theStalenessBoundHoldsOnEveryShardWithAGroupDelayed() throws Exception {
    HornJob job = job("bounded-sharded", 3, 3, 2, 120);
    job.setStaleness(1);
    job.getConfiguration().set(HornOptions.GROUP_DELAY, "0:15");
    assertTrue(job.waitForCompletion(false));
    Map<String, String> meta = job.getModel().metadata();
    // Shard 0's clocks; the other shards see the same pushes, and a group's push returns only
    // when every shard let it through.
    assertTrue(Long.parseLong(meta.get("ps.max.lead")) <= 1, meta.toString());
    assertEquals("2", meta.get("ps.shards"));
  }

  @Test
  void checkpointsWithSeveralShardsAreRefusedAtSubmit() {
    HornJob job = job("sharded-checkpoints", 2, 2, 2, 20);
    job.getConfiguration().set(HornOptions.CHECKPOINT_SECONDS, 5L);
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    String all = String.valueOf(e.getMessage()) + e.getCause();
    assertTrue(all.contains("horn.paramserver.shards=2: a sharded parameter server cuts no "
        + "checkpoints"), all);
  }
}
