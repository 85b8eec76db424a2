package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.bsp.io.MnistConverter;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hama.HamaConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real one-machine Hama cluster (ZooKeeper, BSPMaster, GroomServer; tasks in child JVMs) and a
 * real HDFS (NameNode, DataNode): a Horn job with two groups of two and a parameter server trains
 * from hdfs:// input, its members and server talking over direct TCP, and writes its model to
 * HDFS; and a group of two sums both members' gradients exactly as the in-process trainer does.
 */
@Tag("slow")
class HornBspClusterTest {
  @TempDir
  Path dir;

  @Test
  void trainsFromHdfsOnARealCluster() throws Exception {
    Path idx = dir.resolve("idx");
    Quadrants.write(idx, "train", 2400, 1);
    Quadrants.write(idx, "t10k", 400, 2);
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(6).hdfs(true)
        .childHeap("512m").start()) {
      HamaConfiguration hama = cluster.conf();
      String hdfs = cluster.hdfsUri();
      org.apache.hadoop.fs.Path train = new org.apache.hadoop.fs.Path(hdfs + "/data/train/part-0");
      org.apache.hadoop.fs.Path test = new org.apache.hadoop.fs.Path(hdfs + "/data/test/part-0");
      MnistConverter.write(Datasets.open(idx.toString()), train, hama);
      MnistConverter.write(Datasets.open(idx + "#t10k"), test, hama);

      HornConfiguration conf = new HornConfiguration();
      for (Map.Entry<String, String> e : hama) {
        conf.set(e.getKey(), e.getValue());
      }
      conf.set(HornOptions.THREADS, 1);
      HornJob job = new HornJob(conf, HornBspClusterTest.class);
      job.setTrainingSetPath(hdfs + "/data/train");
      job.setTestSetPath(hdfs + "/data/test");
      String modelPath = hdfs + "/models/quadrants.model";
      job.setModelPath(modelPath);
      job.setWorkers(4);
      job.setGroups(2);
      job.setPushInterval(2);
      job.setEpochs(4);
      job.setBatchSize(32);
      job.setLearningRate(0.05);
      job.setMomentumWeight(0.9);
      job.inputLayer(64, ReLU.class, StandardNeuron.class);
      job.addLayer(32, ReLU.class, StandardNeuron.class);
      job.outputLayer(10, SoftMax.class, StandardNeuron.class);
      job.setCostFunction(CrossEntropy.class);
      assertTrue(job.waitForCompletion(true));

      Model model = job.getModel();
      double accuracy = Double.parseDouble(model.metadata().get("test.accuracy"));
      assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
      assertEquals("2400", model.metadata().get("trained.samples"));
      assertTrue(Long.parseLong(model.metadata().get("ps.group.0.pushes")) > 0);
      assertTrue(Long.parseLong(model.metadata().get("ps.group.1.pushes")) > 0);

      FileSystem fs = new org.apache.hadoop.fs.Path(modelPath).getFileSystem(hama);
      assertTrue(fs instanceof DistributedFileSystem, fs.getClass().getName());
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path(modelPath)));
      Path local = dir.resolve("copy.model");
      fs.copyToLocalFile(new org.apache.hadoop.fs.Path(modelPath),
          new org.apache.hadoop.fs.Path(local.toUri()));
      Model onHdfs = ModelFile.load(local, null);
      assertTrue(java.util.Arrays.equals(model.parameters(), onHdfs.parameters()));
      assertTrue(Files.size(local) > 4 * model.spec().parameterCount());
    }
  }

  /**
   * A group of two in child JVMs, shuffling off and slices interleaved, sees exactly the
   * in-process trainer's batches at twice the member batch: the weights agree up to the order of
   * float additions. A group that used only one member's gradients would be far off.
   */
  @Test
  void aGroupOfTwoOnTheClusterTrainsAsTheInProcessTrainer() throws Exception {
    Path idx = dir.resolve("idx");
    Quadrants.write(idx, "train", 1280, 3);
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(3)
        .childHeap("512m").start()) {
      HornConfiguration conf = new HornConfiguration();
      for (Map.Entry<String, String> e : cluster.conf()) {
        conf.set(e.getKey(), e.getValue());
      }
      conf.set(HornOptions.THREADS, 1);
      conf.set(HornOptions.SHUFFLE, false);
      conf.set(HornOptions.DATA_SLICES, "interleaved");
      HornJob job = new HornJob(conf, HornBspClusterTest.class);
      job.setTrainingSetPath(idx.toString());
      job.setModelPath(dir.resolve("pair.model").toString());
      job.setWorkers(2);
      job.setGroups(1);
      job.setEpochs(2);
      job.setBatchSize(64);
      job.setLearningRate(0.05);
      job.setMomentumWeight(0.9);
      job.inputLayer(64, ReLU.class, StandardNeuron.class);
      job.addLayer(32, ReLU.class, StandardNeuron.class);
      job.outputLayer(10, SoftMax.class, StandardNeuron.class);
      job.setCostFunction(CrossEntropy.class);
      assertTrue(job.waitForCompletion(false));
      assertEquals("40", job.getModel().metadata().get("trained.steps"));

      Model local = new Trainer(job.getNetworkSpec(),
          TrainingSettings.from(job.getConfiguration()), new CpuBackend())
          .fit(Datasets.open(idx.toString()), null, null);
      float[] want = local.parameters();
      float[] got = job.getModel().parameters();
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(want[i] - got[i]));
      }
      assertTrue(worst < 1e-5, "largest difference " + worst);
    }
  }
}
