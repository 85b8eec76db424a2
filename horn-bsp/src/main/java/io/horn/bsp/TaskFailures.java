package io.horn.bsp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failures of a job's tasks, for the submitter, so that it reports the real cause instead of
 * "the job failed" and does not wait for Hama to give up on the other tasks. Tasks in this JVM
 * (Hama's local mode) hand over the exception itself; tasks in child JVMs leave a short file in
 * the job's system directory, which the submitter watches ({@link JobWatch}). Hama 0.7.1 itself
 * does not report a task that failed with an exception until its ping deadline passes.
 */
final class TaskFailures {
  static final String TOKEN = "horn.job.token";
  private static final Logger LOG = LoggerFactory.getLogger(TaskFailures.class);
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

  /**
   * Where the tasks of the job with {@code token} leave their failures: named after a hash of
   * the token, which is the job's secret and must not show in a directory listing.
   */
  static Path directory(Configuration conf, String token) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        hex.append(String.format("%02x", h[i]));
      }
      return new Path(conf.get("bsp.system.dir", "/tmp/hadoop/bsp/system"),
          "horn-failures/" + hex);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * A task's failure as the submitter reports it.
   *
   * @param message what the task said
   * @param type the class of its exception: tells an error that would repeat from one that a
   *     new attempt can get past
   * @param where the task's host and log file, in words
   */
  record Failure(String message, String type, String where) {
    /** Whether running the job again could get past it (see {@link #retryable(Throwable)}). */
    boolean retryable() {
      return !DETERMINISTIC.contains(type);
    }

    @Override
    public String toString() {
      return message + (where.isEmpty() ? "" : " [" + where + "]");
    }
  }

  /**
   * Failures that a new attempt would repeat: bad input, bad settings, a diverged model, a
   * class that is not there.
   */
  private static final java.util.Set<String> DETERMINISTIC = java.util.Set.of(
      "io.horn.core.engine.TrainingDivergedException",
      "io.horn.core.data.DataFormatException",
      "io.horn.core.parallel.ModelTooLargeException",
      "java.io.FileNotFoundException",
      "java.lang.IllegalArgumentException",
      "java.lang.ClassNotFoundException",
      "java.lang.NoClassDefFoundError",
      "java.lang.OutOfMemoryError");

  /** Whether running the job again could get past {@code t}. */
  static boolean retryable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (DETERMINISTIC.contains(c.getClass().getName())) {
        return false;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return true;
  }

  /**
   * A task in a child JVM leaves {@code why} for the submitter (best effort), with {@code
   * where} it ran and logged.
   */
  static void publish(Configuration conf, String token, int task, Throwable why, String where) {
    Path file = new Path(directory(conf, token), "task-" + task);
    String type = why.getClass().getName();
    for (Throwable c = why; c != null && c.getCause() != c; c = c.getCause()) {
      if (DETERMINISTIC.contains(c.getClass().getName())) {
        type = c.getClass().getName();
      }
    }
    try (FSDataOutputStream out = file.getFileSystem(conf).create(file, true)) {
      out.writeUTF(truncate("task " + task + ": " + why.getMessage()));
      out.writeUTF(type);
      out.writeUTF(truncate(where));
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not leave task {}'s failure for the submitter at {}: {}", task, file,
          e.toString());
    }
  }

  /** The earliest failure left by the job's tasks, or null when none is there (yet). */
  static Failure firstPublished(Configuration conf, String token) throws IOException {
    Path dir = directory(conf, token);
    FileSystem fs = dir.getFileSystem(conf);
    if (!fs.exists(dir)) {
      return null;
    }
    FileStatus first = null;
    for (FileStatus s : fs.listStatus(dir)) {
      if (!s.isFile() || !s.getPath().getName().startsWith("task-")) {
        continue; // the groups' progress lives beside the failures
      }
      if (first == null || s.getModificationTime() < first.getModificationTime()) {
        first = s;
      }
    }
    if (first == null) {
      return null;
    }
    try (FSDataInputStream in = fs.open(first.getPath())) {
      return new Failure(in.readUTF(), in.readUTF(), in.readUTF());
    } catch (IOException e) {
      return null; // still being written: the next look reads it
    }
  }

  /** Removes what the job's tasks left. */
  static void clear(Configuration conf, String token) {
    Path dir = directory(conf, token);
    try {
      dir.getFileSystem(conf).delete(dir, true);
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", dir, e.toString());
    }
  }

  private static String truncate(String s) {
    return s.length() > 8000 ? s.substring(0, 8000) + "..." : s;
  }
}
