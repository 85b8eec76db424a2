package io.horn.bsp.cluster;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import org.apache.hama.bsp.DispatchTasksDirective;
import org.apache.hama.bsp.GroomServer;
import org.apache.hama.bsp.GroomServerAction;
import org.apache.hama.bsp.TaskAttemptID;
import org.apache.hama.bsp.TaskStatus;

/**
 * The tasks a GroomServer reports to its BSPMaster, and a way to drop one from the reports.
 *
 * <p>Why: when a job is killed, Hama 0.7.1's BSPMaster ({@code ReportGroomStatusHandler}) sends
 * a kill for the first of the job's tasks a groom reports, removes the job, and then fails with
 * a NullPointerException on the next task of the same job in the same report, and on every later
 * report of that groom: the other tasks are never dropped, hold their slots for ever, and the
 * groom's status never updates again, so no later job gets a task there. The groom drops a task
 * from its reports when it receives a kill for it; {@link #drop} gives it that kill locally.
 *
 * <p>Thread-safe as far as the GroomServer is (its dispatch and status calls are).
 */
interface GroomReports {

  /** A reported task: its attempt and job, as Hama prints them. */
  record Reported(String attemptId, String jobId) {}

  List<Reported> reported();

  /** Makes the groom kill and forget the task, as a kill from the master would. */
  void drop(String attemptId) throws IOException;

  /** Hama's kill action for one task (a package-private class of Hama's). */
  private static GroomServerAction kill(String attemptId) throws IOException {
    try {
      Constructor<?> c = Class.forName("org.apache.hama.bsp.KillTaskAction")
          .getDeclaredConstructor(TaskAttemptID.class);
      c.setAccessible(true);
      return (GroomServerAction) c.newInstance(TaskAttemptID.forName(attemptId));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot make Hama's kill action for " + attemptId + ": " + e, e);
    }
  }

  /** The reports of a GroomServer in this JVM. */
  static GroomReports of(GroomServer groom) {
    return new GroomReports() {
      @Override
      public List<Reported> reported() {
        List<Reported> r = new ArrayList<>();
        for (TaskStatus s : groom.getRunningTaskStatuses()) {
          r.add(new Reported(s.getTaskId().toString(), s.getJobId().toString()));
        }
        return r;
      }

      @Override
      public void drop(String attemptId) throws IOException {
        groom.dispatch(new DispatchTasksDirective(new GroomServerAction[] {kill(attemptId)}));
      }
    };
  }
}
