package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real faults on a real one-machine cluster (task JVMs are child processes): {@code kill -9} of
 * a group's leader, of its other member, of the parameter server, and {@code SIGSTOP} of the
 * parameter server, each in the middle of a 2x2 + parameter-server job that cuts a checkpoint
 * every second. Each time the job notices, runs again from its newest checkpoint by itself and
 * finishes at its accuracy; no task JVM stays behind, the frozen one included.
 */
@Tag("slow")
class HornBspFaultTest {
  @TempDir
  static Path dir;
  private static LocalCluster cluster;
  private static Path idx;

  @BeforeAll
  static void start() throws Exception {
    idx = dir.resolve("idx");
    Quadrants.write(idx, "train", 2400, 5);
    Quadrants.write(idx, "t10k", 400, 6);
    cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(5).childHeap("256m").start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    for (ProcessHandle h : taskJvms()) {
      h.destroyForcibly(); // only if a test failed half-way
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"kill-leader, 0, KILL", "kill-member, 1, KILL", "kill-ps, 4, KILL",
      "stop-ps, 4, STOP"})
  void jobRecoversFromTheNewestCheckpointByItself(String fault, int task, String signal)
      throws Exception {
    HornConfiguration conf = new HornConfiguration();
    for (Map.Entry<String, String> e : cluster.conf()) {
      conf.set(e.getKey(), e.getValue());
    }
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 1L);
    conf.set(HornOptions.HEARTBEAT_TIMEOUT, 4000L);
    conf.set(HornOptions.GROUP_DELAY, "0:8,1:8");
    HornJob job = new HornJob(conf, HornBspFaultTest.class);
    job.setWorkers(4);
    job.setGroups(2);
    job.setBatchSize(32);
    job.setMaxIteration(3000);
    job.setEpochs(10); // whichever bound comes first
    job.setTrainingSetPath(idx.toString());
    job.setTestSetPath(idx + "#t10k");
    Path model = dir.resolve(fault + ".model");
    job.setModelPath(model.toString());
    Quadrants.network(job);
    Path checkpoints = dir.resolve(fault + ".model.checkpoints");

    ExecutorService submitter = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> run = submitter.submit(() -> job.waitForCompletion(false));
      long deadline = System.currentTimeMillis() + 90_000;
      while (count(checkpoints) < 3 && System.currentTimeMillis() < deadline && !run.isDone()) {
        Thread.sleep(100);
      }
      assertTrue(count(checkpoints) >= 3, "no checkpoints appeared");
      ProcessHandle victim = taskJvms().stream()
          .filter(h -> commandLine(h).contains(String.format("_%06d_0", task)))
          .findFirst().orElseThrow(() -> new AssertionError("no JVM for task " + task));
      assertTrue(!run.isDone(), "the job ended before the fault");
      new ProcessBuilder("kill", "-" + signal, Long.toString(victim.pid())).inheritIO().start()
          .waitFor();
      assertTrue(run.get(240, TimeUnit.SECONDS), fault);
      Map<String, String> meta = job.getModel().metadata();
      assertNotNull(meta.get("resumed.from"), "the job resumed: " + meta);
      assertTrue(Long.parseLong(meta.get("resumed.at.steps")) > 0, meta.toString());
      assertTrue(Long.parseLong(meta.get("ps.steps")) >= 3000, meta.toString());
      double accuracy = Double.parseDouble(meta.get("test.accuracy"));
      assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
      // A frozen JVM ignores Hama's SIGTERM: the GroomServer's reaper SIGKILLs it once its job
      // has been over for the grace period (10 s).
      deadline = System.currentTimeMillis() + 40_000;
      while (!taskJvms().isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(List.of(), taskJvms(), "task JVMs left running");
    } finally {
      submitter.shutdownNow();
    }
  }

  private static long count(Path checkpoints) throws java.io.IOException {
    if (!Files.isDirectory(checkpoints)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(checkpoints)) {
      return s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).count();
    }
  }

  /** This test's cluster's task JVMs (their command line names its work directory). */
  static List<ProcessHandle> taskJvms() {
    String mine = dir.resolve("cluster").toString();
    return ProcessHandle.allProcesses().filter(h -> {
      String c = commandLine(h);
      return c.contains("BSPPeerChild") && c.contains(mine);
    }).collect(Collectors.toList());
  }

  /** The whole command line (ProcessHandle.Info gives up on a JVM's long class path). */
  static String commandLine(ProcessHandle h) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }
}
