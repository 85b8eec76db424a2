package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hama.bsp.BSP;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.BSPPeer;
import org.apache.hama.bsp.NullInputFormat;
import org.apache.hama.bsp.NullOutputFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task reaper in a real one-machine cluster: a real BSPMaster and GroomServer ({@link
 * HornGroomServer}), real task JVMs, real signals. A task JVM stopped with SIGSTOP outlives
 * Hama's SIGTERM when its job is killed, and the reaper ends it; the task JVMs of a running job
 * are left alone, also while the master is frozen.
 */
@Tag("slow")
class TaskReaperClusterTest {

  private static final String MARKS = "horn.test.marks";

  /** Notes that {@code bsp()} runs (a file named after the attempt, holding the pid), then sleeps. */
  public static class SleepingBsp
      extends BSP<NullWritable, NullWritable, NullWritable, NullWritable, IntWritable> {
    @Override
    public void bsp(BSPPeer<NullWritable, NullWritable, NullWritable, NullWritable, IntWritable> peer)
        throws IOException, InterruptedException {
      Path marks = Path.of(peer.getConfiguration().get(MARKS));
      Files.writeString(marks.resolve(peer.getTaskId().toString()),
          Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
      Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }
  }

  @TempDir
  Path dir;

  /**
   * Two sleeping tasks; one is frozen, then the job is killed. The frozen one outlives Hama's
   * SIGTERM (still there, stopped, 5 s later) and is gone within the grace period + 20 s.
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aFrozenTaskJvmOfAKilledJobIsReaped() throws Exception {
    List<ProcessHandle> tasks = new ArrayList<>();
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(2)
        .childHeap("256m").daemonHeap("256m").start()) {
      BSPJob job = sleepingJob(cluster, 2);
      tasks.addAll(awaitTasks(cluster, job, 2));
      ProcessHandle frozen = tasks.get(0);
      TaskJvm t = TaskJvm.of(frozen).orElseThrow();
      signal("-STOP", frozen);
      job.killJob();
      long t0 = System.nanoTime();

      // Without the reaper this is where it ends: SIGTERM is pending, the JVM stays.
      Thread.sleep(5_000);
      assertTrue(frozen.isAlive(), "the frozen task JVM died before the grace period");
      assertEquals("T", state(frozen), "pid " + frozen.pid() + " is not stopped");

      long limit = TaskReaper.DEFAULT_GRACE_MS + 20_000;
      awaitGone(tasks, t0, limit, cluster);
      System.out.printf(Locale.ROOT, "frozen task JVM gone %.1f s after killJob()%n",
          (System.nanoTime() - t0) / 1e9);
      String log = Files.readString(cluster.logFile("groomserver"), StandardCharsets.UTF_8);
      assertTrue(log.contains("task reaper: killed task JVM " + t.attemptId + " (pid " + frozen.pid()
          + ") of job " + t.jobId + " (KILLED)"), "no reaper line in the groom's log:\n"
          + LocalCluster.tail(cluster.logFile("groomserver"), 30));
    } finally {
      killLeftovers(tasks);
    }
  }

  /**
   * A running job's task JVMs stay through three grace periods, a 8 s freeze of the BSPMaster
   * among them; after the freeze the reaper still works (a frozen task of the then killed job
   * goes).
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void leavesTheTasksOfARunningJobAloneAndOutlivesAFrozenMaster() throws Exception {
    long grace = 3_000;
    List<ProcessHandle> tasks = new ArrayList<>();
    ProcessHandle master = null;
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(2)
        .childHeap("256m").daemonHeap("256m")
        .set(TaskReaper.GRACE_KEY, Long.toString(grace))
        .set(TaskReaper.INTERVAL_KEY, "500").start()) {
      master = Daemon.BSPMASTER.liveProcess(cluster.workDir()).orElseThrow();
      BSPJob job = sleepingJob(cluster, 2);
      tasks.addAll(awaitTasks(cluster, job, 2));

      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * grace);
      while (System.nanoTime() < end) {
        assertAllAlive(tasks, "while the job runs");
        Thread.sleep(250);
      }
      // The master stops answering for longer than the grace period and the reaper's RPC timeout.
      signal("-STOP", master);
      end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      while (System.nanoTime() < end) {
        assertAllAlive(tasks, "while the master is frozen");
        Thread.sleep(250);
      }
      signal("-CONT", master);
      Thread.sleep(2 * grace);
      assertAllAlive(tasks, "after the master came back");
      assertFalse(Files.readString(cluster.logFile("groomserver"), StandardCharsets.UTF_8)
          .contains("task reaper: killed"), "the reaper killed a task of a running job");

      signal("-STOP", tasks.get(1));
      job.killJob();
      awaitGone(tasks, System.nanoTime(), grace + 20_000, cluster);
    } finally {
      if (master != null && master.isAlive()) {
        signal("-CONT", master);
      }
      killLeftovers(tasks);
    }
  }

  /** Submits a job of {@code n} {@link SleepingBsp} tasks (returns at once). */
  private BSPJob sleepingJob(LocalCluster cluster, int n) throws Exception {
    Path marks = Files.createDirectories(dir.resolve("marks"));
    BSPJob job = new BSPJob(cluster.conf(), SleepingBsp.class);
    job.setJobName("TaskReaperClusterTest");
    job.setBspClass(SleepingBsp.class);
    job.setNumBspTask(n);
    job.setInputFormat(NullInputFormat.class);
    job.setOutputFormat(NullOutputFormat.class);
    job.setMessageClass(IntWritable.class);
    job.getConfiguration().set(MARKS, marks.toString());
    job.submit();
    return job;
  }

  /**
   * The {@code n} task JVMs of {@code job}, found among all processes (children of this
   * cluster's GroomServer running Hama's task main class for the job's attempts), once each has
   * entered {@code bsp()}.
   */
  private List<ProcessHandle> awaitTasks(LocalCluster cluster, BSPJob job, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    List<ProcessHandle> found = List.of();
    long marked = 0;
    while (System.nanoTime() < deadline) {
      found = taskJvms(cluster, job.getJobID().toString());
      try (Stream<Path> s = Files.list(dir.resolve("marks"))) {
        marked = s.filter(p -> p.getFileName().toString().contains(
            job.getJobID().toString().replace("job_", "attempt_"))).count();
      }
      if (found.size() == n && marked == n) {
        return found;
      }
      assertFalse(job.isComplete(), "the job ended early; groom log:\n"
          + LocalCluster.tail(cluster.logFile("groomserver"), 40));
      Thread.sleep(200);
    }
    throw new AssertionError(found.size() + " task JVMs, " + marked + " in bsp() after 90 s;"
        + " groom log:\n" + LocalCluster.tail(cluster.logFile("groomserver"), 40));
  }

  private static List<ProcessHandle> taskJvms(LocalCluster cluster, String jobId) {
    long groom = Daemon.GROOMSERVER.liveProcess(cluster.workDir()).orElseThrow().pid();
    return ProcessHandle.allProcesses()
        .filter(h -> h.parent().map(ProcessHandle::pid).orElse(-1L) == groom)
        .filter(h -> TaskJvm.of(h).map(t -> t.jobId.equals(jobId)).orElse(false))
        .sorted((a, b) -> Long.compare(a.pid(), b.pid()))
        .collect(Collectors.toList());
  }

  /** Waits until every one of {@code tasks} has exited, at most {@code limitMs} from {@code t0}. */
  private static void awaitGone(List<ProcessHandle> tasks, long t0, long limitMs,
      LocalCluster cluster) throws InterruptedException {
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(limitMs);
    while (tasks.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    List<Long> left = tasks.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
        .collect(Collectors.toList());
    assertEquals(List.of(), left, "task JVMs alive " + limitMs + " ms after killJob(); groom log:\n"
        + LocalCluster.tail(cluster.logFile("groomserver"), 30));
  }

  private static void assertAllAlive(List<ProcessHandle> tasks, String when) {
    for (ProcessHandle h : tasks) {
      assertTrue(h.isAlive(), "task JVM pid " + h.pid() + " died " + when);
    }
  }

  /** The state letter in {@code /proc/<pid>/stat} (R, S, T for stopped, ...). */
  private static String state(ProcessHandle h) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
    return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  }

  private static void signal(String sig, ProcessHandle h) throws Exception {
    Process kill = new ProcessBuilder("kill", sig, Long.toString(h.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill " + sig + " " + h.pid());
  }

  /** SIGKILL ends a stopped process too; nothing of a test may outlive it. */
  private static void killLeftovers(List<ProcessHandle> tasks) {
    for (ProcessHandle h : tasks) {
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }
}
