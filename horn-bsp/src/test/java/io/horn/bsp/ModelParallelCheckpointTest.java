package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.CheckpointFile;
import io.horn.core.checkpoint.GroupState;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.parallel.HeapBudget;
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

/**
 * Checkpoints of model-parallel groups ({@code horn.parallelism=model}) on Hama jobs in local
 * mode: the leader assembles the members' slices into a checkpoint of the usual format (whole
 * vector, one group's optimizer state over it), at a step interval or a time interval; a job
 * that fails after a checkpoint runs again from it by itself and ends with the weights of an
 * uninterrupted run, and a data-parallel job resumes from a model-parallel checkpoint as from
 * its own. A leader whose heap cannot hold a cut fails at once, saying so.
 */
class ModelParallelCheckpointTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1200, 7);
  }

  private static HornJob job(String name, int workers, TrainingMethod method, boolean model) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.CHECKPOINT_KEEP, 10);
    if (model) {
      conf.set(HornOptions.PARALLELISM, "model");
    }
    HornJob job = new HornJob(conf, ModelParallelCheckpointTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setModelPath(dir.resolve(name + ".model").toString());
    job.setCheckpointPath(dir.resolve(name + ".checkpoints").toString());
    job.setWorkers(workers);
    job.setGroups(1);
    job.setSeed(5);
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

  @Test
  void failedGroupResumesFromItsCheckpointAndEndsAsAnUninterruptedRun() throws Exception {
    // Adam: the weights, the previous changes and both moments are cut and resumed in slices.
    TrainingMethod method = TrainingMethod.ADAM;
    String a = "mp-straight-" + method;
    // A group of 3: layers of 32 and 10 neurons that 3 does not divide.
    HornJob straight = job(a, 3, method, true);
    straight.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 20L);
    // A time interval as well, not reached: the leader shares its "not yet" after every step.
    straight.getConfiguration().set(HornOptions.CHECKPOINT_SECONDS, 600L);
    assertTrue(straight.waitForCompletion(false));
    // Cut at 20, 40 and 60 (the writer may drop none: the leader waits for the previous write).
    List<Path> cps = checkpoints(a);
    assertEquals(3, cps.size(), cps.toString());
    Checkpoint last = CheckpointFile.read(cps.get(2), null);
    assertEquals(60, last.totalSteps());
    // The last cut is the whole model the job wrote, in the usual format.
    Model written = straight.getModel();
    assertEquals(0, Quadrants.largestDifference(written.parameters(),
        last.model().parameters()), "the checkpoint at 60 holds the final weights");
    Checkpoint mid = CheckpointFile.read(cps.get(1), null);
    GroupState g = mid.group(0);
    assertEquals(40, g.steps());
    assertEquals(40, g.optimizer().updates());
    assertEquals(written.spec().parameterCount(), g.optimizer().size());
    assertEquals(method == TrainingMethod.ADAM, g.optimizer().hasMoments());
    assertTrue(mid.model().metadata().get("layout").contains("model-parallel"),
        mid.model().metadata().toString());
    assertEquals(written.spec().toConfString(),
        ModelFile.load(cps.get(1), null).spec().toConfString());

    // The leader fails after step 50; the job runs again from the cut at 40 by itself. The
    // members meet over their rings, as on a cluster: the others learn of the failure there.
    String b = "mp-retried-" + method;
    HornJob failing = job(b, 3, method, true);
    failing.getConfiguration().set(InProcessEndpoints.FORCE_IPC, "true");
    failing.getConfiguration().set(HornOptions.CHECKPOINT_STEPS, 20L);
    failing.getConfiguration().set(HornOptions.FAIL_STEP, 50L);
    assertTrue(failing.waitForCompletion(false));
    Map<String, String> meta = failing.getModel().metadata();
    assertEquals("40", meta.get("resumed.at.steps"), meta.toString());
    assertEquals("60", meta.get("trained.steps"), meta.toString());
    double worst = Quadrants.largestDifference(written.parameters(),
        failing.getModel().parameters());
    assertTrue(worst < 1e-5, "resumed at 40 of 60: largest difference " + worst);
    // 20 and 40 from the failed attempt, 60 from the resumed one.
    List<Path> retried = checkpoints(b);
    assertEquals(3, retried.size(), retried.toString());
    assertEquals(60, CheckpointFile.read(retried.get(2), null).totalSteps());

    // Cut by time: the leader decides, every member joins the cut after the same step. A
    // group of 2 with slower steps (30 ms) and a cut every second.
    HornJob timed = job("mp-timed", 2, method, true);
    timed.getConfiguration().set(HornOptions.CHECKPOINT_SECONDS, 1L);
    timed.getConfiguration().set(HornOptions.GROUP_DELAY, "0:30");
    assertTrue(timed.waitForCompletion(false));
    worst = Quadrants.largestDifference(written.parameters(), timed.getModel().parameters());
    assertTrue(worst < 1e-5, "a group of 2 against one of 3: " + worst);
    Path inside = null;
    for (Path p : checkpoints("mp-timed")) {
      long at = CheckpointFile.read(p, null).totalSteps();
      if (at > 0 && at < 60) {
        inside = p;
      }
    }
    assertTrue(inside != null, "no cut by time inside the run: " + checkpoints("mp-timed"));
    long at = CheckpointFile.read(inside, null).totalSteps();

    // The format is a data-parallel job's: one worker goes on from the group's cut and ends as
    // the group did.
    Files.createDirectories(dir.resolve("dp.checkpoints"));
    Files.copy(inside, dir.resolve("dp.checkpoints").resolve(inside.getFileName()));
    HornJob dp = job("dp", 1, method, false);
    dp.setResume(true);
    assertTrue(dp.waitForCompletion(false));
    assertEquals(Long.toString(at), dp.getModel().metadata().get("resumed.at.steps"));
    worst = Quadrants.largestDifference(written.parameters(), dp.getModel().parameters());
    assertTrue(worst < 1e-5, "data-parallel from a model-parallel cut at " + at + ": " + worst);
  }

  @Test
  void aLeaderThatCannotHoldACutFailsAtOnceSayingWhy() throws Exception {
    // A model whose engine fits this JVM's heap (local mode: the tasks share it) but not with
    // the whole weights and optimizer state that the leader holds at a checkpoint.
    long heap = Runtime.getRuntime().maxMemory();
    // Bytes a parameter: 12 for the engine (weights, changes, gradients) and 16 more at a cut
    // (the whole weights and changes, the writer's copy of the changes, a slice in transit):
    // 24 lies between, with room to spare for a collector that keeps long-lived arrays in an
    // old generation of two thirds of the heap.
    int h = (int) Math.sqrt(heap * 0.9 / 24);
    HornConfiguration conf = job("too-large-cut", 1, TrainingMethod.GRADIENT_DESCENT, true)
        .getConfiguration().copy();
    conf.set(HornOptions.CHECKPOINT_STEPS, 10L);
    conf.set(HornOptions.NETWORK, "");
    HornJob job = new HornJob(conf, ModelParallelCheckpointTest.class);
    job.inputLayer(64, ReLU.class, StandardNeuron.class);
    job.addLayer(h, ReLU.class, StandardNeuron.class);
    job.addLayer(h, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class,
        StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    long p = job.getNetworkSpec().parameterCount();
    long engine = HeapBudget.bytes(job.getNetworkSpec(),
        TrainingSettings.from(job.getConfiguration()), p, 16, 0);
    assertTrue(engine < heap / 10 * 6, "without checkpoints it would fit: " + engine);
    Exception e = assertThrows(Exception.class,
        () -> job.waitForCompletion(false));
    String all = e.getMessage() + " " + e.getCause();
    assertTrue(all.contains("the leader, which holds the whole model and its optimizer state at "
        + "a checkpoint"), all);
    assertTrue(all.contains(String.format(java.util.Locale.ROOT, "%,d parameters", p)), all);
    assertFalse(all.contains("attempt"), "the same heap fails the same way again: " + all);
  }
}
