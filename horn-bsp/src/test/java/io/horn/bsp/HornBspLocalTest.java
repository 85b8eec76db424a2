package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.Model;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Horn jobs on Hama in local mode: peers are threads, the barriers and the server are real. */
class HornBspLocalTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 2400, 1);
    Quadrants.write(dir, "t10k", 400, 2);
  }

  private static HornJob job(int workers, int groups, long seed) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    HornJob job = new HornJob(conf, HornBspLocalTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setTestSetPath(dir + "#t10k");
    job.setModelPath(dir.resolve("model-" + workers + "x" + groups + "-" + seed + ".bin")
        .toString());
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setPushInterval(2);
    job.setSeed(seed);
    job.setEpochs(3);
    job.setBatchSize(32);
    return Quadrants.network(job);
  }

  private static double accuracy(HornJob job) {
    return Double.parseDouble(job.getModel().metadata().get("test.accuracy"));
  }

  @Test
  void twoGroupsOfTwoWithParameterServerTrain() throws Exception {
    HornJob job = job(4, 2, 11);
    // Through Hama's IPC, as across JVMs: every message is serialised.
    job.getConfiguration().set(InProcessEndpoints.FORCE_IPC, "true");
    GroupTrace trace = GroupTrace.enable(11);
    try {
      assertTrue(job.waitForCompletion(false));
    } finally {
      GroupTrace.disable(11);
    }
    assertTrue(accuracy(job) >= 0.9, "accuracy " + accuracy(job));
    Map<String, String> meta = job.getModel().metadata();
    assertTrue(Long.parseLong(meta.get("ps.group.0.pushes")) > 0, meta.toString());
    assertTrue(Long.parseLong(meta.get("ps.group.1.pushes")) > 0, meta.toString());
    assertEquals("0", meta.get("ps.rejected"));
    // Each leader's history came through the parameter server's DONE frame and reads back. A
    // group records a point per pass over its data; with the shared step budget a slow group
    // may finish before its first pass ends, so only the job as a whole must have some.
    int records = 0;
    for (int g = 0; g < 2; g++) {
      String text = meta.get("history.group." + g);
      List<HistoryRecord> history = HistoryRecord.decode(text);
      assertEquals(text, HistoryRecord.encode(history));
      records += history.size();
    }
    assertTrue(records > 0, "no group recorded any history: " + meta);
    // Inside a group, both members hold the same weights after every step.
    int compared = 0;
    for (int g = 0; g < 2; g++) {
      for (long s = 1; trace.hash(g, 0, s) != null; s++) {
        assertNotNull(trace.hash(g, 1, s), "group " + g + " member 1 step " + s);
        assertEquals(trace.hash(g, 0, s), trace.hash(g, 1, s), "group " + g + " step " + s);
        compared++;
      }
    }
    assertTrue(compared > 20, "compared " + compared + " steps");
  }

  @Test
  void oneByOneIsTheInProcessTrainerBitForBit() throws Exception {
    HornJob job = job(1, 1, 5);
    assertTrue(job.waitForCompletion(false));
    HornConfiguration c = job.getConfiguration();
    Model local = new Trainer(job.getNetworkSpec(), TrainingSettings.from(c), new CpuBackend())
        .fit(Datasets.open(dir.toString()), null, null);
    assertArrayEquals(local.parameters(), job.getModel().parameters());
  }

  @Test
  void slowGroupDoesNotHoldBackTheFastOne() throws Exception {
    HornJob job = job(2, 2, 7);
    job.setEpochs(0);
    job.setMaxIteration(120);
    job.getConfiguration().set(HornOptions.GROUP_DELAY, "1:40");
    assertTrue(job.waitForCompletion(false));
    Map<String, String> meta = job.getModel().metadata();
    long fast = Long.parseLong(meta.get("ps.group.0.steps"));
    long slow = Long.parseLong(meta.get("ps.group.1.steps"));
    assertTrue(fast >= 2 * slow, "fast group " + fast + " steps, slow group " + slow);
    assertTrue(Long.parseLong(meta.get("ps.group.1.pushes")) > 0, "slow group never pushed");
    assertTrue(Long.parseLong(meta.get("ps.group.0.pushes")) > 0, "fast group never pushed");
  }

  @Test
  void sequenceFileInputIsSplitOverTheWorkersByHama() throws Exception {
    java.nio.file.Path seq = dir.resolve("seq");
    io.horn.bsp.io.MnistConverter.write(Datasets.open(dir.toString()),
        new org.apache.hadoop.fs.Path(seq.resolve("train/part-00000").toString()),
        new org.apache.hadoop.conf.Configuration());
    HornJob job = job(2, 1, 13);
    job.setTrainingSetPath(seq.resolve("train").toString());
    job.setWorkers(3);
    assertTrue(job.waitForCompletion(false));
    assertTrue(accuracy(job) >= 0.9, "accuracy " + accuracy(job));
    assertEquals("2400", job.getModel().metadata().get("trained.samples"));
  }

  @Test
  void sequenceFileInputWithParameterServer() throws Exception {
    java.nio.file.Path seq = dir.resolve("seq2");
    io.horn.bsp.io.MnistConverter.write(Datasets.open(dir.toString()),
        new org.apache.hadoop.fs.Path(seq.resolve("train/part-00000").toString()),
        new org.apache.hadoop.conf.Configuration());
    HornJob job = job(2, 2, 17);
    job.setTrainingSetPath(seq.resolve("train").toString());
    assertTrue(job.waitForCompletion(false));
    assertTrue(accuracy(job) >= 0.9, "accuracy " + accuracy(job));
  }

  @Test
  void unreachableClusterFailsAtOnceNamingTheAddress() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HornJob job = job(2, 1, 1);
    job.getConfiguration().set("bsp.master.address", "127.0.0.1:" + port);
    long t0 = System.nanoTime();
    java.io.IOException e = assertThrows(java.io.IOException.class,
        () -> job.waitForCompletion(false));
    assertTrue(e.getMessage().contains("cannot reach the Hama cluster at 127.0.0.1:" + port),
        e.getMessage());
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "took too long to fail");
  }

  @Test
  void emptyInputFailsClearly() throws Exception {
    java.nio.file.Path empty = java.nio.file.Files.createDirectories(dir.resolve("empty"));
    HornJob job = job(2, 1, 1);
    job.setTrainingSetPath(empty.toString());
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void groupsMustDivideWorkers() {
    HornJob job = job(3, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> job.waitForCompletion(false));
    assertTrue(e.getMessage().contains("horn.groups=2 does not divide horn.workers=3"),
        e.getMessage());
  }

  /**
   * A group of two, shuffling off and slices interleaved, sees exactly the in-process trainer's
   * batches at twice the member batch: the weights agree up to the order of float additions (a
   * group that used one member's gradients alone would be far off). The in-process group, the
   * shared-memory ring and the TCP ring add in the same order, so they agree bit for bit.
   */
  @Test
  void groupOfTwoSumsBothMembersTheSameInProcessAndOverTcp() throws Exception {
    HornJob threads = pairJob(7);
    assertTrue(threads.waitForCompletion(false));
    for (String transport : new String[] {"auto", "tcp"}) {
      HornJob ring = pairJob(7);
      ring.getConfiguration().set(InProcessEndpoints.FORCE_IPC, "true");
      ring.getConfiguration().set(HornOptions.COLLECTIVE_TRANSPORT, transport);
      assertTrue(ring.waitForCompletion(false));
      assertArrayEquals(threads.getModel().parameters(), ring.getModel().parameters(),
          transport);
    }

    HornConfiguration c = threads.getConfiguration();
    Model local = new Trainer(threads.getNetworkSpec(), TrainingSettings.from(c),
        new CpuBackend()).fit(Datasets.open(dir.toString()), null, null);
    double worst = Quadrants.largestDifference(local.parameters(), threads.getModel().parameters());
    assertTrue(worst < 1e-5, "largest difference " + worst);
  }

  static HornJob pairJob(long seed) {
    HornJob job = job(2, 1, seed);
    job.getConfiguration().set(HornOptions.SHUFFLE, false);
    job.getConfiguration().set(HornOptions.DATA_SLICES, "interleaved");
    job.setEpochs(1);
    job.setModelPath(dir.resolve("pair-" + System.nanoTime() + ".model").toString());
    return job;
  }

  @Test
  void missingInputFailsClearly() {
    HornJob job = job(2, 1, 1);
    job.setTrainingSetPath(dir.resolve("nope").toString());
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void wrongWidthFailsBeforeSubmitting() {
    HornJob job = job(2, 1, 1);
    HornJob wide = new HornJob(new HornConfiguration(), HornBspLocalTest.class);
    wide.getConfiguration().set(HornOptions.TRAINING_PATH, dir.toString());
    wide.inputLayer(100, ReLU.class, StandardNeuron.class);
    wide.outputLayer(10, SoftMax.class, StandardNeuron.class);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> wide.waitForCompletion(false));
    assertTrue(e.getMessage().contains("64") && e.getMessage().contains("100"), e.getMessage());
    assertNotNull(job);
  }
}
