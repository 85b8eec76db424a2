package io.horn.bsp;

import io.horn.core.conf.HornOptions;
import io.horn.core.engine.ProgressBoard;
import java.io.IOException;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.RunningJob;
import org.apache.hama.bsp.TaskCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job on a real cluster and ends it as soon as one of its tasks has failed. Hama 0.7.1
 * keeps a job running until every task has reported, a task that failed with an exception is not
 * reported until its ping deadline, and a task whose JVM was killed never reports; Horn's tasks
 * fail promptly around such a loss (their connections close) and leave their reasons ({@link
 * TaskFailures}), so the first one is the moment to stop the job, and its reason the error.
 *
 * <p>Confined to the submitting thread.
 */
final class JobWatch {
  private static final Logger LOG = LoggerFactory.getLogger(JobWatch.class);
  private static final long POLL_MILLIS = 1000;
  /** How long the other tasks get to end on their own after the first failure. */
  private static final long GRACE_MILLIS = 5000;

  private JobWatch() {}

  /**
   * Submits {@code job}; returns whether it succeeded; a failed task ends it early. With a
   * {@code board}, shows the groups' progress on it ({@link ProgressFiles}).
   */
  static boolean run(BSPJob job, HamaConfiguration conf, String token, ProgressBoard board,
      long setupMillis) throws IOException, InterruptedException {
    BSPJobClient client = new BSPJobClient(conf);
    try {
      RunningJob running = client.submitJob(job);
      long submitted = System.currentTimeMillis();
      boolean trained = false;
      int seen = 0;
      long failedAt = 0;
      String failed = null;
      while (!running.isComplete()) {
        if (board != null) {
          ProgressFiles.readInto(conf, token, board);
        }
        TaskCompletionEvent[] events = running.getTaskCompletionEvents(seen);
        if (events != null) {
          for (TaskCompletionEvent e : events) {
            TaskCompletionEvent.Status s = e.getTaskStatus();
            if (failed == null && (s == TaskCompletionEvent.Status.FAILED
                || s == TaskCompletionEvent.Status.TIPFAILED)) {
              failed = String.valueOf(e.getTaskAttemptId());
              failedAt = System.currentTimeMillis();
              LOG.error("task {} failed; stopping the job in {} ms unless it ends", failed,
                  GRACE_MILLIS);
            }
          }
          seen += events.length;
        }
        TaskFailures.Failure reason = TaskFailures.firstPublished(conf, token);
        if (reason != null) {
          // Let the other tasks leave theirs first: the earliest names the cause.
          Thread.sleep(POLL_MILLIS);
          running.killJob();
          TaskFailures.Failure first = TaskFailures.firstPublished(conf, token);
          throw new JobFailedException(first + " (the job was stopped)", first.retryable());
        }
        // Hama's set-up barriers have no deadline: a task lost there would hold the others in
        // sync() for ever, and publishes nothing.
        trained = trained || running.getSuperstepCount() >= 2;
        if (!trained && System.currentTimeMillis() - submitted > setupMillis) {
          running.killJob();
          throw new JobFailedException("the job did not finish setting up (its first two "
              + "supersteps) within " + setupMillis + " ms (" + HornOptions.GROUP_TIMEOUT.key()
              + "): a task was lost before training began, or the cluster had no free slots "
              + "for all its tasks", true);
        }
        if (failed != null && System.currentTimeMillis() - failedAt > GRACE_MILLIS) {
          running.killJob();
          throw new JobFailedException("task " + failed + " failed, so the job was stopped; its "
              + "log names the cause (tasklogs under the GroomServer's log directory)", true);
        }
        Thread.sleep(POLL_MILLIS);
      }
      if (board != null) {
        ProgressFiles.readInto(conf, token, board); // the groups' last words
      }
      return running.isSuccessful();
    } finally {
      TaskFailures.clear(conf, token);
      client.close();
    }
  }
}
