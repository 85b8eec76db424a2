package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.Model;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-parallel groups ({@code horn.parallelism=model}) on real Hama jobs in local mode: a group
 * of 2 or 3 members, each holding a slice of every layer, ends with the in-process trainer's
 * weights on the same data (to the order of float additions), and the model file is the usual
 * one.
 */
class ModelParallelJobTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void data() throws Exception {
    Quadrants.write(dir, "train", 1280, 1);
    Quadrants.write(dir, "t10k", 200, 2);
  }

  private static HornJob job(String name, int members) {
    return Quadrants.network(unlayered(name, members));
  }

  /** The quadrants network with dropout: inputs kept with probability 0.9, hidden units 0.7. */
  private static HornJob withDropout(String name, int members) {
    HornJob job = unlayered(name, members);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(64, 0.9f, ReLU.class, StandardNeuron.class);
    job.addLayer(32, 0.7f, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }

  private static HornJob unlayered(String name, int members) {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.PARALLELISM, "model");
    HornJob job = new HornJob(conf, ModelParallelJobTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setTestSetPath(dir + "#t10k");
    job.setModelPath(dir.resolve(name + ".model").toString());
    job.setWorkers(members);
    job.setGroups(1);
    job.setSeed(13);
    job.setEpochs(2);
    job.setBatchSize(64);
    return job;
  }

  @Test
  void groupsOfTwoAndThreeTrainAsTheInProcessTrainer() throws Exception {
    for (int members : new int[] {2, 3}) {
      HornJob job = job("mp" + members, members);
      assertTrue(job.waitForCompletion(false));
      Model model = job.getModel();
      Map<String, String> meta = model.metadata();
      assertEquals("40", meta.get("trained.steps"), meta.toString());
      assertTrue(meta.get("layout").contains("model-parallel"), meta.get("layout"));
      Model local = new Trainer(job.getNetworkSpec(),
          TrainingSettings.from(job.getConfiguration()), new CpuBackend())
          .fit(Datasets.open(dir.toString()), null, null);
      double worst = Quadrants.largestDifference(local.parameters(), model.parameters());
      assertTrue(worst < 1e-5, members + " members: largest difference " + worst);
      double scored = Double.parseDouble(meta.get("test.accuracy"));
      assertTrue(scored > 0.8, meta.toString());
      // The group scored its slices; the assembled model scores the same on the same samples.
      try (io.horn.core.math.NetworkEngine e = new CpuBackend().createEngine(
          job.getNetworkSpec(), TrainingSettings.from(job.getConfiguration()), 100)) {
        e.setParameters(model.parameters());
        io.horn.core.engine.Evaluation ev = io.horn.core.engine.Evaluation.of(e,
            Datasets.open(dir + "#t10k"));
        assertEquals(ev.samples(), Integer.parseInt(meta.get("test.samples")));
        assertEquals(ev.accuracy(), scored, 1.5 / ev.samples(), "one tie at most may differ");
      }
    }
  }

  @Test
  void aModelTooLargeForOneTaskFailsAtOnceNamingItsSizeAndTheHeap() {
    HornConfiguration conf = new HornConfiguration();
    conf.set("bsp.master.address", "local");
    conf.set("bsp.local.dir", dir.resolve("hama-local").toString());
    conf.set(HornOptions.THREADS, 1);
    HornJob job = new HornJob(conf, ModelParallelJobTest.class);
    job.setTrainingSetPath(dir.toString());
    job.setModelPath(dir.resolve("too-large.model").toString());
    job.setWorkers(1);
    job.setMaxIteration(5);
    // About 1.3 G parameters (5 GB of weights alone): more than this JVM's heap, and refused
    // before anything of that size is allocated.
    job.inputLayer(64, ReLU.class, StandardNeuron.class);
    job.addLayer(36_000, ReLU.class, StandardNeuron.class);
    job.addLayer(36_000, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    long t0 = System.nanoTime();
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    String all = e.getMessage() + " " + e.getCause();
    assertTrue(all.contains("cannot hold its part of the model"), all);
    assertTrue(all.contains(String.format(java.util.Locale.ROOT, "%,d parameters",
        job.getNetworkSpec().parameterCount())), all);
    assertTrue(all.contains("MB") && all.contains("horn.parallelism=model"), all);
    assertFalse(all.contains("attempt"), "a heap too small fails the same way again: " + all);
    assertTrue((System.nanoTime() - t0) / 1e9 < 60, "took too long");
  }

  /** The Horn README's neuron in the hidden layer: a group of two trains as one engine. */
  @Test
  void userWrittenNeuronsTrainAsTheInProcessTrainer() throws Exception {
    HornJob job = unlayered("mp-user", 2);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(64, ReLU.class, StandardNeuron.class);
    job.addLayer(32, ReLU.class, io.horn.core.HornStyleNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    assertTrue(job.waitForCompletion(false));
    Model model = job.getModel();
    assertTrue(model.metadata().get("layout").contains("model-parallel"));
    Model local = new Trainer(job.getNetworkSpec(),
        TrainingSettings.from(job.getConfiguration()), new CpuBackend())
        .fit(Datasets.open(dir.toString()), null, null);
    double worst = Quadrants.largestDifference(local.parameters(), model.parameters());
    assertTrue(worst < 1e-5, "largest difference " + worst);
    assertTrue(Double.parseDouble(model.metadata().get("test.accuracy")) > 0.8,
        model.metadata().toString());
  }

  /**
   * Two model-parallel groups of two with the server (one shard per member: each member pushes
   * and pulls its own slice), in lock-step and pushing every step, train as two data-parallel
   * workers with the same server: the same batches, the same dropout masks, the same pushes,
   * the same weights.
   */
  @Test
  void groupsWithAServerPushTheirSlicesAndTrainAsDataParallelGroups() throws Exception {
    Model[] models = new Model[2];
    for (String parallelism : new String[] {"model", "data"}) {
      boolean mp = parallelism.equals("model");
      HornJob job = withDropout(parallelism + "-ps", mp ? 4 : 2);
      HornConfiguration conf = job.getConfiguration();
      conf.set(HornOptions.PARALLELISM, parallelism);
      conf.set(HornOptions.STALENESS, 0);
      conf.set(HornOptions.PUSH_INTERVAL, 1);
      conf.set(HornOptions.DATA_GROUPS, "whole");
      job.setGroups(2);
      // 20 steps per group: a data-parallel group learns that the budget is spent one step
      // late (its members hear it with the next step's header) and pushes that step at its end.
      job.setMaxIteration(mp ? 40 : 38);
      assertTrue(job.waitForCompletion(false));
      models[mp ? 0 : 1] = job.getModel();
    }
    Map<String, String> meta = models[0].metadata();
    assertTrue(meta.get("layout").contains("model-parallel")
        && meta.get("layout").contains("parameter server (2 shards)"), meta.get("layout"));
    assertEquals("2", meta.get("ps.shards"), meta.toString());
    assertEquals(models[1].metadata().get("trained.steps"), meta.get("trained.steps"));
    double worst = Quadrants.largestDifference(models[1].parameters(), models[0].parameters());
    assertTrue(worst < 1e-5, "largest difference " + worst);
    assertTrue(Double.parseDouble(meta.get("test.accuracy")) > 0.8, meta.toString());
  }

  @Test
  void severalGroupsWithoutAServerAreRefusedAtSubmit() {
    HornJob job = job("mp-groups", 4);
    job.setGroups(2);
    job.getConfiguration().set(HornOptions.PARAMSERVER, "off");
    Exception e = assertThrows(Exception.class, () -> job.waitForCompletion(false));
    String all = e.getMessage() + " " + e.getCause();
    assertTrue(all.contains("horn.groups=2 needs the parameter server"), all);
  }
}
