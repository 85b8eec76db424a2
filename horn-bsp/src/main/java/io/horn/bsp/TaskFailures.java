package io.horn.bsp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first failure of a job's tasks, for jobs whose tasks run in this JVM (Hama's local mode),
 * so that the submitter can report the real cause instead of "the job failed". Tasks in child
 * JVMs report through their logs.
 */
final class TaskFailures {
  static final String TOKEN = "horn.job.token";
  private static final Map<String, Throwable> FIRST = new ConcurrentHashMap<>();

  private TaskFailures() {}

  static void record(String token, Throwable t) {
    if (token != null) {
      FIRST.putIfAbsent(token, t);
    }
  }

  /** Removes and returns the first failure recorded for {@code token}, or null. */
  static Throwable take(String token) {
    return FIRST.remove(token);
  }
}
