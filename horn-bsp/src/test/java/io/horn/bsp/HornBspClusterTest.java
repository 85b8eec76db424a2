package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.bsp.io.MnistConverter;
import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Trainer;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

      HornJob job = quadrantsJob(cluster, 4, 2, 32);
      job.setTrainingSetPath(hdfs + "/data/train");
      job.setTestSetPath(hdfs + "/data/test");
      String modelPath = hdfs + "/models/quadrants.model";
      job.setModelPath(modelPath);
      job.setPushInterval(2);
      job.setEpochs(4);
      ByteArrayOutputStream shown = new ByteArrayOutputStream();
      PrintStream stdout = System.out;
      System.setOut(new PrintStream(shown, true, StandardCharsets.UTF_8));
      try {
        assertTrue(job.waitForCompletion(true));
      } finally {
        System.setOut(stdout);
      }
      // The submitter showed the groups' progress, read from the tasks in their child JVMs.
      String board = shown.toString(StandardCharsets.UTF_8);
      stdout.print(board);
      for (int g = 0; g < 2; g++) {
        assertTrue(board.matches("(?s).*\\n" + g + " +[1-9]\\d* .*"),
            "no progress of group " + g + " on the board:\n" + board);
      }

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
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(4)
        .childHeap("512m").start()) {
      HornJob job = quadrantsJob(cluster, 2, 1, 64);
      job.getConfiguration().set(HornOptions.SHUFFLE, false);
      job.getConfiguration().set(HornOptions.DATA_SLICES, "interleaved");
      job.setTrainingSetPath(idx.toString());
      job.setModelPath(dir.resolve("pair.model").toString());
      job.setEpochs(2);
      assertTrue(job.waitForCompletion(false));
      assertEquals("40", job.getModel().metadata().get("trained.steps"));

      Model local = new Trainer(job.getNetworkSpec(),
          TrainingSettings.from(job.getConfiguration()), new CpuBackend())
          .fit(Datasets.open(idx.toString()), null, null);
      double worst = Quadrants.largestDifference(local.parameters(), job.getModel().parameters());
      assertTrue(worst < 1e-5, "largest difference " + worst);

      // The same group pushing every step to a parameter server of two shards in their own
      // JVMs (TCP both ways, the final weights handed to shard 0 through Hama's messages)
      // ends with the same weights.
      HornJob sharded = quadrantsJob(cluster, 2, 1, 64);
      sharded.getConfiguration().set(HornOptions.SHUFFLE, false);
      sharded.getConfiguration().set(HornOptions.DATA_SLICES, "interleaved");
      sharded.getConfiguration().set(HornOptions.PARAMSERVER, "on");
      sharded.setParameterServerShards(2);
      sharded.setPushInterval(1);
      sharded.setTrainingSetPath(idx.toString());
      sharded.setModelPath(dir.resolve("sharded.model").toString());
      sharded.setEpochs(2);
      assertTrue(sharded.waitForCompletion(false));
      Map<String, String> meta = sharded.getModel().metadata();
      assertEquals("2", meta.get("ps.shards"), meta.toString());
      assertEquals("41", meta.get("ps.steps"), meta.toString());
      // The same job in local mode with one in-process shard.
      HornConfiguration inProcess = sharded.getConfiguration().copy();
      inProcess.set("bsp.master.address", "local");
      inProcess.set("bsp.local.dir", dir.resolve("hama-local").toString());
      inProcess.set(HornOptions.PARAMSERVER_SHARDS, 1);
      inProcess.set(HornOptions.MODEL_PATH, dir.resolve("one-shard.model").toString());
      HornJob oneShard = new HornJob(inProcess, HornBspClusterTest.class);
      assertTrue(oneShard.waitForCompletion(false));
      worst = Quadrants.largestDifference(oneShard.getModel().parameters(),
          sharded.getModel().parameters());
      assertTrue(worst < 1e-5, "sharded: largest difference " + worst);
    }
  }

  /**
   * {@code kill -9} of a group leader's task JVM in the middle of a 2x2 + parameter-server job:
   * the other member's ring notices at once, the server notices that the leader's connection
   * closed before it finished, the other group's next push finds the server gone, so every task
   * ends and the job fails within seconds (it used to wait for {@code horn.group.timeout.ms}
   * × 10).
   */
  @Test
  void aKilledTaskFailsTheJobPromptly() throws Exception {
    Path idx = dir.resolve("idx");
    Quadrants.write(idx, "train", 2400, 5);
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(5)
        .childHeap("256m").start()) {
      HornJob job = quadrantsJob(cluster, 4, 2, 32);
      job.setTrainingSetPath(idx.toString());
      job.setModelPath(dir.resolve("never.model").toString());
      job.setEpochs(100_000); // far longer than the test: only a failure ends it
      // One attempt: this test is about noticing; HornBspFaultTest is about recovering.
      job.getConfiguration().set(HornOptions.JOB_MAX_ATTEMPTS, 1);
      ExecutorService submitter =
          Executors.newSingleThreadExecutor();
      try {
        Future<Boolean> run = submitter.submit(
            () -> job.waitForCompletion(false));
        // Five task JVMs up, then some training.
        long deadline = System.currentTimeMillis() + 60_000;
        List<ProcessHandle> tasks = taskJvms(cluster.workDir());
        while (tasks.size() < 5 && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
          tasks = taskJvms(cluster.workDir());
        }
        assertEquals(5, tasks.size(), "task JVMs: " + tasks);
        // Kill only once training runs (past the job's two set-up supersteps): a task lost
        // inside Hama's own set-up barrier leaves the others in Hama's sync(), which has no
        // deadline and is outside Horn's reach.
        deadline = System.currentTimeMillis() + 60_000;
        while (supersteps(cluster) < 2 && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
        }
        assertTrue(supersteps(cluster) >= 2, "the job never got past its set-up");
        Thread.sleep(3_000);
        assertTrue(!run.isDone(), "the job ended before the kill");
        ProcessHandle victim = tasks.stream().filter(h -> commandLine(h).contains("_000000_"))
            .findFirst().orElse(tasks.get(0));
        long t0 = System.nanoTime();
        assertTrue(victim.destroyForcibly());
        boolean ok;
        String why = "";
        try {
          ok = run.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          ok = false;
          why = e.getCause().getMessage();
        } catch (TimeoutException e) {
          throw new AssertionError("the job did not end within 120 s of the kill; task logs:\n"
              + taskLogs(cluster.workDir()), e);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(!ok, "the job succeeded although a task was killed");
        // The first task to notice names the dead one: task 0 was group 0's leader, member 0.
        assertTrue(why.contains("member 0") || why.contains("group 0"), why);
        assertTrue(secs < 90, "the job took " + secs + " s to fail after the kill");
        deadline = System.currentTimeMillis() + 30_000;
        while (!taskJvms(cluster.workDir()).isEmpty() && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
        }
        assertEquals(List.of(), taskJvms(cluster.workDir()), "task JVMs left running");
      } finally {
        submitter.shutdownNow();
      }
    }
  }

  /** The quadrants network (64-32-10) as a job on {@code cluster}, one BLAS thread per task. */
  private static HornJob quadrantsJob(LocalCluster cluster, int workers, int groups, int batch) {
    HornConfiguration conf = new HornConfiguration();
    for (Map.Entry<String, String> e : cluster.conf()) {
      conf.set(e.getKey(), e.getValue());
    }
    conf.set(HornOptions.THREADS, 1);
    HornJob job = new HornJob(conf, HornBspClusterTest.class);
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setBatchSize(batch);
    return Quadrants.network(job);
  }

  /** The highest superstep a running job of {@code cluster} has reached, or -1. */
  private static long supersteps(LocalCluster cluster) throws java.io.IOException {
    org.apache.hama.bsp.BSPJobClient client = new org.apache.hama.bsp.BSPJobClient(
        cluster.conf());
    try {
      long max = -1;
      for (org.apache.hama.bsp.JobStatus s : client.jobsToComplete()) {
        max = Math.max(max, s.getSuperstepCount());
      }
      return max;
    } finally {
      client.close();
    }
  }

  /** The last lines of every task attempt's log under {@code work}, for a failure message. */
  private static String taskLogs(Path work) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
          .filter(f -> f.toString().contains("tasklogs"))::iterator) {
        sb.append("== ").append(f).append('\n').append(LocalCluster.tail(f, 40)).append('\n');
      }
    }
    return sb.toString();
  }

  /** The task JVMs of the cluster in {@code work} (their command line names it). */
  private static List<ProcessHandle> taskJvms(Path work) {
    String mine = work.toString();
    return ProcessHandle.allProcesses().filter(h -> {
      String c = commandLine(h);
      return c.contains("BSPPeerChild") && c.contains(mine);
    }).collect(Collectors.toList());
  }

  /** The whole command line (ProcessHandle.Info gives up on a JVM's long class path). */
  private static String commandLine(ProcessHandle h) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }
}
