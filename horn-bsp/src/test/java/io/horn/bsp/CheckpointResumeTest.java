package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.TrainingMethod;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.CheckpointFile;
import io.horn.core.checkpoint.GroupState;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checkpoints, resume and retry of Hama jobs in local mode: a resumed job ends exactly where an
 * uninterrupted one does, a failed attempt is run again from the newest checkpoint by itself,
 * and a parameter server's checkpoints are consistent cuts.
 */
class CheckpointResumeTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1200, 1);
    Quadrants.write(dir, "t10k", 200, 2);
  }

  private static HornJob job(String name, int workers, int groups, TrainingMethod method) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.CHECKPOINT_KEEP, 10);
    HornJob job = new HornJob(conf, CheckpointResumeTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setModelPath(dir.resolve(name + ".model").toString());
    job.setCheckpointPath(dir.resolve(name + ".checkpoints").toString());
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setPushInterval(2);
    job.setSeed(3);
    job.setMaxIteration(60);
    job.setBatchSize(16);
    Quadrants.network(job);
    job.setTrainingMethod(method);
    if (method == TrainingMethod.ADAM) {
      job.setLearningRate(0.005);
    }
    return job;
  }

  private static List<Path> checkpoints(String name) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(name + ".checkpoints"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".horn")).sorted()
          .collect(Collectors.toList());
    }
  }

  /** A fresh checkpoint directory for {@code name} holding only {@code c}. */
  private static void onlyCheckpoint(String name, Path c) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name + ".checkpoints"));
    Files.copy(c, d.resolve(c.getFileName()));
  }

  @ParameterizedTest
  @EnumSource(TrainingMethod.class)
  void resumedGroupOfTwoEndsBitForBitLikeAnUninterruptedRun(TrainingMethod method)
      throws Exception {
    String a = "straight-" + method;
    HornJob straight = job(a, 2, 1, method);
    straight.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 20L);
    assertTrue(straight.waitForCompletion(false));
    // Checkpoints at 20, 40 and 60; on a busy machine the writer may still be writing the one
    // at 20 when 40 is due, and then 60 replaces 40 (only the newest waits): resume from the
    // last one inside the run.
    List<Path> cps = checkpoints(a);
    assertTrue(cps.size() == 2 || cps.size() == 3, cps.toString());
    Path inside = cps.get(cps.size() - 2);
    Checkpoint mid = CheckpointFile.read(inside, null);
    long at = mid.totalSteps();
    assertTrue(at == 20 || at == 40, "checkpoint " + inside + " at step " + at);
    assertEquals(60, CheckpointFile.read(cps.get(cps.size() - 1), null).totalSteps());
    GroupState g = mid.group(0);
    assertEquals(at, g.steps());
    assertEquals(at, g.optimizer().updates());
    assertEquals(method == TrainingMethod.ADAM, g.optimizer().hasMoments());
    // A checkpoint is a model too.
    Model m = ModelFile.load(inside, null);
    assertEquals(straight.getNetworkSpec().toConfString(), m.spec().toConfString());

    String b = "resumed-" + method;
    onlyCheckpoint(b, inside);
    HornJob resumed = job(b, 2, 1, method);
    resumed.setResume(true);
    assertTrue(resumed.waitForCompletion(false));
    assertArrayEquals(straight.getModel().parameters(), resumed.getModel().parameters(),
        "resumed at step " + at + " of 60");
  }

  @Test
  void failedAttemptRunsAgainFromTheNewestCheckpointByItself() throws Exception {
    HornJob straight = job("reference", 2, 1, TrainingMethod.GRADIENT_DESCENT);
    assertTrue(straight.waitForCompletion(false));

    HornJob failing = job("retried", 2, 1, TrainingMethod.GRADIENT_DESCENT);
    failing.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 20L);
    failing.getConfiguration().set(HornOptions.FAIL_STEP, 50L);
    assertTrue(failing.waitForCompletion(false));
    // Attempt 1 failed at step 50 after the checkpoint at 40; attempt 2 resumed there.
    assertArrayEquals(straight.getModel().parameters(), failing.getModel().parameters());
    // 20 and 40 from attempt 1 (40 replaced by nothing if the writer was busy: then attempt 2
    // resumed from 20, equally bit for bit), 60 from attempt 2.
    List<Path> retried = checkpoints("retried");
    assertTrue(retried.size() == 2 || retried.size() == 3, retried.toString());
    assertEquals(60, CheckpointFile.read(retried.get(retried.size() - 1), null).totalSteps());

    HornJob once = job("no-retry", 2, 1, TrainingMethod.GRADIENT_DESCENT);
    once.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 20L);
    once.getConfiguration().set(HornOptions.FAIL_STEP, 50L);
    once.getConfiguration().set(HornOptions.JOB_MAX_ATTEMPTS, 1);
    IOException e = assertThrows(IOException.class, () -> once.waitForCompletion(false));
    assertTrue(e.getMessage().contains("injected at step 50"), e.getMessage());
  }

  @Test
  void parameterServerCutsConsistentCheckpointsAndResumesFromThem() throws Exception {
    HornJob job = job("ps", 2, 2, TrainingMethod.GRADIENT_DESCENT);
    job.getConfiguration().set(InProcessEndpoints.FORCE_IPC, "true");
    job.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 16L);
    // Steps of a few milliseconds, so that the writer (which drops a waiting cut for a newer
    // one) keeps up with a cut every 16 steps even when the disk's sync is slow.
    job.getConfiguration().set(HornOptions.GROUP_DELAY, "0:5,1:5");
    assertTrue(job.waitForCompletion(false));
    List<Path> cps = checkpoints("ps");
    assertTrue(cps.size() >= 2, cps.toString());
    long previous = 0;
    for (Path p : cps) {
      Checkpoint c = CheckpointFile.read(p, null);
      long sum = 0;
      for (GroupState s : c.groups()) {
        sum += s.steps();
      }
      assertEquals(c.totalSteps(), sum, p.toString());
      assertTrue(c.totalSteps() - previous >= 16, "cut every 16 steps: " + p);
      previous = c.totalSteps();
    }

    Path first = cps.get(0);
    Checkpoint from = CheckpointFile.read(first, null);
    onlyCheckpoint("ps-resumed", first);
    HornJob resumed = job("ps-resumed", 2, 2, TrainingMethod.GRADIENT_DESCENT);
    resumed.getConfiguration().set(InProcessEndpoints.FORCE_IPC, "true");
    resumed.setResume(true);
    assertTrue(resumed.waitForCompletion(false));
    Map<String, String> meta = resumed.getModel().metadata();
    // The budget counts the steps before the checkpoint: the job did only the rest.
    long total = Long.parseLong(meta.get("ps.steps"));
    // Each group may end up to one push interval (2 steps) past the budget.
    assertTrue(total >= 60 && total <= 60 + 2 * 2, meta.toString());
    assertEquals(Long.toString(from.totalSteps()), meta.get("resumed.at.steps"));
    // A fresh run pushes at least 60 / 2 times; this one only did what was left.
    long after = Long.parseLong(meta.get("ps.group.0.pushes"))
        + Long.parseLong(meta.get("ps.group.1.pushes"));
    assertTrue(after < 30, "pushes after resuming from " + from + ": " + after);
  }

  @Test
  void resumeFromAnotherNetworkIsRefusedNamingBoth() throws Exception {
    HornJob job = job("mismatch", 1, 1, TrainingMethod.GRADIENT_DESCENT);
    job.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 30L);
    assertTrue(job.waitForCompletion(false));
    // The same job but for a hidden layer of 5 instead of 32.
    HornConfiguration conf = job.getConfiguration().copy();
    conf.set(HornOptions.NETWORK, "");
    HornJob other = new HornJob(conf, CheckpointResumeTest.class);
    other.inputLayer(64, io.horn.core.activation.ReLU.class, io.horn.core.StandardNeuron.class);
    other.addLayer(5, io.horn.core.activation.ReLU.class, io.horn.core.StandardNeuron.class);
    other.outputLayer(10, io.horn.core.activation.SoftMax.class,
        io.horn.core.StandardNeuron.class);
    other.setCostFunction(io.horn.core.cost.CrossEntropy.class);
    other.setResume(true);
    IOException e = assertThrows(IOException.class, () -> other.waitForCompletion(false));
    assertTrue(e.getMessage().contains("cannot resume from"), e.getMessage());
    assertFalse(e.getMessage().contains("usage"), e.getMessage());
  }
}
