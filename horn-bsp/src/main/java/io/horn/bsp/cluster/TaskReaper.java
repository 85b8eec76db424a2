package io.horn.bsp.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the task JVMs a GroomServer has left behind: children of this JVM that run Hama's task
 * main class for a job the BSPMaster says has ended (succeeded, failed or was killed) and that are
 * still alive {@value #GRACE_KEY} (default 10 s) after the reaper first saw it so.
 *
 * <p>Why: when a job is killed, Hama 0.7.1's GroomServer ends each task JVM with {@code
 * Process.destroy()} (SIGTERM) only and then forgets the task. A task JVM that is stopped
 * (SIGSTOP: a stalled machine, a fault benchmark) keeps the SIGTERM pending and stays, frozen and
 * holding its memory and ports, for as long as the GroomServer runs. SIGKILL ends even a stopped
 * process.
 *
 * <p>How it decides, every {@value #INTERVAL_KEY} (default 2 s):
 *
 * <ul>
 *   <li>It lists this JVM's children and picks the task JVMs ({@link TaskJvm}). With none, it is
 *       done and does not call the master (an idle groom costs nothing).
 *   <li>It asks the master for the state of all its jobs, in one call. When the master does not
 *       answer (down, restarting, frozen), the round ends there: nothing is killed, nothing is
 *       forgotten, the failure is logged at debug, and the next round tries again.
 *   <li>A task JVM whose job is in any state but SUCCEEDED, FAILED or KILLED (RUNNING, PREP,
 *       RECOVERING, ...) is never killed, and its clock is reset.
 *   <li>A task JVM whose job has ended, or whose job the master does not know, starts its clock
 *       at the first such answer; once the clock passes the grace period, and every answer since
 *       then said the same, it gets SIGKILL ({@link ProcessHandle#destroyForcibly()}) and one log
 *       line at INFO names the attempt, the pid and the job.
 * </ul>
 *
 * <p>An unknown job is treated as ended (after the same grace period) on purpose: the master keeps
 * every job it ran since it started, and the groom launches a task only for a job the master
 * already holds, so a job it does not know belongs to a master that has since restarted (its job
 * ids carry the old master's start time). Such a task can never report to anyone again; left
 * alone, it would hold its slot's memory and ports until the groom stops. The grace period and
 * the rule that every answer over it must agree guard against a brief confusion of the master.
 *
 * <p>Thread-safety: {@link #start} runs the reaper on its own daemon thread; an instance is
 * otherwise confined to the thread that calls {@link #sweep} (tests).
 */
final class TaskReaper implements Runnable {

  /** Milliseconds a task JVM may outlive its job before it is killed. */
  static final String GRACE_KEY = "horn.reaper.grace.ms";
  static final long DEFAULT_GRACE_MS = 10_000;
  /** Milliseconds between two rounds. */
  static final String INTERVAL_KEY = "horn.reaper.interval.ms";
  static final long DEFAULT_INTERVAL_MS = 2_000;
  /** Whether a {@link HornGroomServer} runs a reaper at all (default true). */
  static final String ENABLED_KEY = "horn.reaper.enabled";
  /** How long one question to the master may take. */
  static final int RPC_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(TaskReaper.class);

  /** The master's job states by job id; see {@link MasterJobs}. */
  @FunctionalInterface
  interface JobStates {
    /**
     * The run state of every job the master knows ({@code org.apache.hama.bsp.JobStatus}
     * constants), by job id.
     *
     * @throws IOException when the master cannot be asked now
     */
    Map<String, Integer> runStates() throws IOException;
  }

  private final ProcessHandle parent;
  private final JobStates jobs;
  private final long graceNanos;
  private final long intervalMs;
  /** {@link System#nanoTime()} since when each task JVM's job has been seen ended or unknown. */
  private final Map<ProcessHandle, Long> endedSince = new HashMap<>();
  /** Task JVMs already sent SIGKILL (so that one that lingers is logged once). */
  private final Set<ProcessHandle> signalled = new HashSet<>();
  private boolean masterWasDown;
  /** The groom's reports, when the reaper runs in the groom's JVM; null in tests without one. */
  private GroomReports reports;
  /** Since when each reported task's job has been seen ended (see {@link GroomReports}). */
  private final Map<String, Long> reportedEndedSince = new HashMap<>();

  /**
   * @param parent the process whose task JVMs to watch (in a GroomServer, the current one)
   * @param jobs where to learn the jobs' states
   * @param graceMs how long a task JVM may outlive its job
   * @param intervalMs the pause between two rounds of {@link #run()}
   */
  TaskReaper(ProcessHandle parent, JobStates jobs, long graceMs, long intervalMs) {
    if (graceMs < 0 || intervalMs < 1) {
      throw new IllegalArgumentException("grace " + graceMs + " ms, interval " + intervalMs + " ms");
    }
    this.parent = parent;
    this.jobs = jobs;
    this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMs);
    this.intervalMs = intervalMs;
  }

  /**
   * Starts a reaper of this JVM's task JVMs on a daemon thread named {@code horn-task-reaper},
   * asking the master named in {@code conf} ({@code bsp.master.address}), unless {@value
   * #ENABLED_KEY} is false.
   *
   * @return the started thread, or null when disabled
   */
  static Thread start(Configuration conf) {
    return start(conf, null);
  }

  /**
   * {@link #start(Configuration)}, also dropping from {@code reports} the tasks of jobs that
   * ended a grace period ago (see {@link GroomReports} for why).
   */
  static Thread start(Configuration conf, GroomReports reports) {
    if (!conf.getBoolean(ENABLED_KEY, true)) {
      LOG.info("task reaper off ({}=false)", ENABLED_KEY);
      return null;
    }
    long grace = conf.getLong(GRACE_KEY, DEFAULT_GRACE_MS);
    long interval = conf.getLong(INTERVAL_KEY, DEFAULT_INTERVAL_MS);
    TaskReaper reaper = new TaskReaper(ProcessHandle.current(), new MasterJobs(conf, RPC_TIMEOUT_MS),
        grace, interval);
    reaper.reports = reports;
    Thread t = new Thread(reaper, "horn-task-reaper");
    t.setDaemon(true);
    // A hint only (Linux ignores Java priorities by default): the groom's own threads come
    // first. What keeps the reaper cheap is that it sleeps between rounds, reads /proc only for
    // this JVM's children, and calls the master only while there are task JVMs.
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    LOG.info("task reaper started: every {} ms, task JVMs outliving their job by {} ms get SIGKILL",
        interval, grace);
    return t;
  }

  /** Runs {@link #sweep} every interval until interrupted; a failed round is logged and skipped. */
  @Override
  public void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(intervalMs);
        try {
          sweep(System.nanoTime());
        } catch (RuntimeException e) {
          // A bug here must not end the reaping for the rest of the groom's life.
          LOG.warn("task reaper: round failed; trying again in {} ms", intervalMs, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (jobs instanceof AutoCloseable) {
        try {
          ((AutoCloseable) jobs).close();
        } catch (Exception e) {
          // ending anyway
        }
      }
    }
  }

  /**
   * One round at time {@code now} ({@link System#nanoTime()} scale): looks at the task JVMs,
   * asks the master when there are any, and kills those past the grace period.
   *
   * @return the task JVMs sent SIGKILL in this round (for the first time)
   */
  List<TaskJvm> sweep(long now) {
    List<TaskJvm> tasks = TaskJvm.childrenOf(parent);
    List<GroomReports.Reported> reported = reports == null ? List.of() : reports.reported();
    Set<ProcessHandle> present = new HashSet<>();
    for (TaskJvm t : tasks) {
      present.add(t.process);
    }
    endedSince.keySet().retainAll(present);
    signalled.retainAll(present);
    if (tasks.isEmpty() && reported.isEmpty()) {
      reportedEndedSince.clear();
      return List.of();
    }
    Map<String, Integer> states;
    try {
      states = jobs.runStates();
    } catch (IOException e) {
      LOG.debug("task reaper: the BSPMaster did not answer ({}); asking again in {} ms", e,
          intervalMs);
      masterWasDown = true;
      return List.of();
    }
    if (masterWasDown) {
      LOG.debug("task reaper: the BSPMaster answers again");
      masterWasDown = false;
    }
    dropEndedReports(now, reported, states);
    List<TaskJvm> killed = new ArrayList<>();
    for (TaskJvm t : tasks) {
      Integer state = states.get(t.jobId);
      if (state != null && !MasterJobs.isComplete(state)) {
        endedSince.remove(t.process);
        continue;
      }
      long since = endedSince.computeIfAbsent(t.process, k -> now);
      if (now - since < graceNanos || !t.process.isAlive()) {
        continue;
      }
      t.process.destroyForcibly();
      if (signalled.add(t.process)) {
        killed.add(t);
        LOG.info("task reaper: killed task JVM {} (pid {}) of job {} ({}) with SIGKILL, {} ms"
            + " after it first saw the job over", t.attemptId, t.process.pid(), t.jobId,
            state == null ? "unknown to the BSPMaster" : MasterJobs.stateName(state),
            TimeUnit.NANOSECONDS.toMillis(now - since));
      }
    }
    return killed;
  }

  /** Drops from the groom's reports the tasks whose job ended a grace period ago. */
  private void dropEndedReports(long now, List<GroomReports.Reported> reported,
      Map<String, Integer> states) {
    Set<String> present = new HashSet<>();
    for (GroomReports.Reported r : reported) {
      present.add(r.attemptId());
      Integer state = states.get(r.jobId());
      if (state != null && !MasterJobs.isComplete(state)) {
        reportedEndedSince.remove(r.attemptId());
        continue;
      }
      long since = reportedEndedSince.computeIfAbsent(r.attemptId(), k -> now);
      if (now - since < graceNanos) {
        continue;
      }
      try {
        reports.drop(r.attemptId());
        LOG.info("task reaper: dropped task {} of job {} ({}) from the groom's reports",
            r.attemptId(), r.jobId(), state == null ? "unknown to the BSPMaster"
                : MasterJobs.stateName(state));
      } catch (IOException | RuntimeException e) {
        LOG.warn("task reaper: could not drop task {} from the groom's reports: {}",
            r.attemptId(), e.toString());
      }
    }
    reportedEndedSince.keySet().retainAll(present);
  }
}
