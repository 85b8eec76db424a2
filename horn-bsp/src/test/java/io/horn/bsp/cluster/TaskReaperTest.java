package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.hama.bsp.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reaper's decisions on real child processes of this JVM that carry a task JVM's command line
 * ({@code sh} loops with Hama's task arguments), with the master's answers given by the test and
 * the clock passed to {@link TaskReaper#sweep} (so that the grace period costs no waiting). The
 * real GroomServer, master and task JVMs are in {@link TaskReaperClusterTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskReaperTest {

  private static final long GRACE_MS = 10_000;
  private static final long MS = 1_000_000L;
  private static final String JOB_A = "job_202401010000_0001";
  private static final String JOB_B = "job_202401010000_0002";

  private final List<Process> started = new ArrayList<>();
  /** What the "master" answers; null: it does not answer. */
  private Map<String, Integer> answer = new HashMap<>();
  private int questions;

  private final TaskReaper reaper = new TaskReaper(ProcessHandle.current(), () -> {
    questions++;
    if (answer == null) {
      throw new IOException("Connection refused (test)");
    }
    return new HashMap<>(answer);
  }, GRACE_MS, 1000);

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
    }
    // Gone before the next test lists this JVM's children.
    for (Process p : started) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A child that looks like task {@code task} of {@code job} to the reaper. */
  private Process fakeTask(String job, int task) throws IOException {
    String attempt = job.replace("job_", "attempt_") + String.format("_%06d_0", task);
    Process p = new ProcessBuilder("/bin/sh", "-c", "while :; do sleep 1; done", TaskJvm.MAIN_CLASS,
        "127.0.0.1", "40000", attempt, "localhost", "0", "RUNNING").start();
    started.add(p);
    return p;
  }

  private static List<Long> pids(List<TaskJvm> tasks) {
    return tasks.stream().map(t -> t.process.pid()).collect(Collectors.toList());
  }

  /** Waits until /proc says the process is stopped (state T). */
  private static void awaitStopped(Process p) throws Exception {
    java.nio.file.Path stat = java.nio.file.Path.of("/proc", Long.toString(p.pid()), "stat");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String s = new String(java.nio.file.Files.readAllBytes(stat),
          java.nio.charset.StandardCharsets.US_ASCII);
      // "pid (comm) state ...": the state follows the last ')'.
      if (s.charAt(s.lastIndexOf(')') + 2) == 'T') {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("process " + p.pid() + " did not stop within 10 s");
  }

  private static void awaitExit(Process p) throws Exception {
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "pid " + p.pid() + " still alive");
  }

  @Test
  void parsesTheAttemptAndJobFromATaskCommandLine() {
    Optional<String[]> ids = TaskJvm.parse(List.of("/usr/bin/java", "-Xmx1g", "-classpath", "a:b",
        TaskJvm.MAIN_CLASS, "127.0.0.1", "41234", "attempt_202401010000_0007_000003_1",
        "localhost", "0", "RUNNING"));
    assertTrue(ids.isPresent());
    assertEquals("attempt_202401010000_0007_000003_1", ids.get()[0]);
    assertEquals("job_202401010000_0007", ids.get()[1]);
    assertFalse(TaskJvm.parse(List.of("java", "org.apache.hama.GroomServerRunner")).isPresent());
    assertFalse(TaskJvm.parse(List.of("java", TaskJvm.MAIN_CLASS, "h", "1")).isPresent());
    assertFalse(TaskJvm.parse(List.of("java", TaskJvm.MAIN_CLASS, "h", "1", "not_an_attempt", "h",
        "0", "RUNNING")).isPresent());
  }

  @Test
  void findsItsTaskChildrenAndNothingElse() throws Exception {
    Process task = fakeTask(JOB_A, 2);
    Process other = new ProcessBuilder("/bin/sh", "-c", "while :; do sleep 1; done").start();
    started.add(other);
    List<TaskJvm> found = TaskJvm.childrenOf(ProcessHandle.current());
    assertEquals(List.of(task.pid()), pids(found));
    assertEquals(JOB_A, found.get(0).jobId);
    assertEquals("attempt_202401010000_0001_000002_0", found.get(0).attemptId);
  }

  @Test
  void neverKillsATaskOfARunningJobButKillsOnePastTheGraceOfAnEndedJob() throws Exception {
    Process running = fakeTask(JOB_A, 0);
    Process ended = fakeTask(JOB_B, 0);
    answer.put(JOB_A, JobStatus.RUNNING);
    answer.put(JOB_B, JobStatus.RUNNING);
    long t0 = System.nanoTime();
    assertEquals(List.of(), reaper.sweep(t0));
    answer.put(JOB_B, JobStatus.KILLED);
    assertEquals(List.of(), reaper.sweep(t0 + 1_000 * MS)); // B's clock starts here
    assertEquals(List.of(), reaper.sweep(t0 + (GRACE_MS + 999) * MS)); // 1 ms short of the grace
    assertEquals(List.of(ended.pid()), pids(reaper.sweep(t0 + (GRACE_MS + 1_000) * MS)));
    awaitExit(ended);
    // Much later, A still runs and is left alone.
    assertEquals(List.of(), reaper.sweep(t0 + 100 * GRACE_MS * MS));
    assertTrue(running.isAlive());
  }

  @Test
  void killsAStoppedTaskWhoseSigtermIsPending() throws Exception {
    Process frozen = fakeTask(JOB_A, 1);
    assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(frozen.pid())).start().waitFor());
    // kill(1) only queues SIGSTOP; a SIGTERM queued before the process took it would be taken
    // first (lower number), so wait until the process is stopped.
    awaitStopped(frozen);
    frozen.destroy(); // what Hama's GroomServer does: SIGTERM, which waits for a SIGCONT
    assertFalse(frozen.waitFor(500, TimeUnit.MILLISECONDS), "a stopped process acted on SIGTERM");
    answer.put(JOB_A, JobStatus.FAILED);
    long t0 = System.nanoTime();
    reaper.sweep(t0);
    assertEquals(List.of(frozen.pid()), pids(reaper.sweep(t0 + GRACE_MS * MS)));
    awaitExit(frozen);
    assertEquals(137, frozen.exitValue()); // SIGKILL
  }

  @Test
  void aMasterThatDoesNotAnswerStopsNothingAndLosesNothing() throws Exception {
    Process task = fakeTask(JOB_A, 0);
    answer.put(JOB_A, JobStatus.SUCCEEDED);
    long t0 = System.nanoTime();
    reaper.sweep(t0); // the clock starts
    answer = null; // the master is away for a long time
    assertEquals(List.of(), reaper.sweep(t0 + GRACE_MS * MS));
    assertEquals(List.of(), reaper.sweep(t0 + 5 * GRACE_MS * MS));
    assertTrue(task.isAlive());
    answer = Map.of(JOB_A, JobStatus.SUCCEEDED); // back, and the job still ended long ago
    assertEquals(List.of(task.pid()), pids(reaper.sweep(t0 + 6 * GRACE_MS * MS)));
    awaitExit(task);
  }

  @Test
  void aJobUnknownToTheMasterCountsAsEndedButAnyRunningAnswerResetsTheClock() throws Exception {
    Process task = fakeTask(JOB_A, 0);
    long t0 = System.nanoTime();
    reaper.sweep(t0); // unknown: the clock starts
    answer.put(JOB_A, JobStatus.RUNNING);
    reaper.sweep(t0 + GRACE_MS / 2 * MS); // known and running: the clock stops
    answer.remove(JOB_A);
    reaper.sweep(t0 + GRACE_MS * MS); // unknown again: a new clock
    assertEquals(List.of(), reaper.sweep(t0 + (2 * GRACE_MS - 1) * MS));
    assertTrue(task.isAlive());
    assertEquals(List.of(task.pid()), pids(reaper.sweep(t0 + 2 * GRACE_MS * MS)));
    awaitExit(task);
  }

  @Test
  void doesNotAskTheMasterWithoutTaskChildren() {
    questions = 0;
    reaper.sweep(System.nanoTime());
    assertEquals(0, questions);
  }
}
