package io.horn.bsp.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hama.bsp.TaskAttemptID;

/**
 * A Hama task JVM as seen from outside: its process, and the task attempt and job it runs, read
 * from its command line.
 *
 * <p>Hama 0.7.1's GroomServer starts each task as {@code java ... }{@value #MAIN_CLASS}{@code
 * <reportHost> <reportPort> <attemptId> <groomHost> <superstep> <RUNNING|RECOVERING>}; the attempt
 * id ({@code attempt_<jtId>_<job####>_<task######>_<n>}) names the job ({@code
 * job_<jtId>_<job####>}).
 *
 * <p>The command line is read from {@code /proc/<pid>/cmdline}, because {@link
 * ProcessHandle.Info#arguments()} comes back empty for a command line as long as a task JVM's
 * (its class path lists hundreds of jars); where there is no {@code /proc}, {@code arguments()} is
 * the fallback. Immutable and thread-safe.
 */
final class TaskJvm {

  /** The main class of Hama's task JVMs. */
  static final String MAIN_CLASS = "org.apache.hama.bsp.GroomServer$BSPPeerChild";

  /** Where the attempt id is among the arguments after the main class. */
  private static final int ATTEMPT_ARG = 2;

  final ProcessHandle process;
  /** {@code attempt_<jtId>_<job####>_<task######>_<n>}. */
  final String attemptId;
  /** {@code job_<jtId>_<job####>}. */
  final String jobId;

  private TaskJvm(ProcessHandle process, String attemptId, String jobId) {
    this.process = process;
    this.attemptId = attemptId;
    this.jobId = jobId;
  }

  /**
   * The task JVMs among the live children of {@code parent} (not grandchildren: the GroomServer
   * starts its task JVMs itself). Children that are not task JVMs, have exited, or whose command
   * line cannot be read are left out.
   */
  static List<TaskJvm> childrenOf(ProcessHandle parent) {
    List<TaskJvm> out = new ArrayList<>();
    parent.children().forEach(h -> of(h).ifPresent(out::add));
    return out;
  }

  /** {@code h} as a task JVM, or empty when it is not one (or is gone, or is unreadable). */
  static Optional<TaskJvm> of(ProcessHandle h) {
    return parse(arguments(h)).map(ids -> new TaskJvm(h, ids[0], ids[1]));
  }

  /**
   * The attempt id and job id in a task JVM's command line ({@code argv}, the program first), or
   * empty when it is not one: no {@value #MAIN_CLASS} among the arguments, or no valid attempt id
   * where it belongs.
   */
  static Optional<String[]> parse(List<String> argv) {
    int main = argv.indexOf(MAIN_CLASS);
    if (main < 0 || main + 1 + ATTEMPT_ARG >= argv.size()) {
      return Optional.empty();
    }
    String attempt = argv.get(main + 1 + ATTEMPT_ARG);
    try {
      TaskAttemptID id = TaskAttemptID.forName(attempt);
      return Optional.of(new String[] {id.toString(), id.getJobID().toString()});
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code h}'s command line, program first; empty when it is unreadable or {@code h} is gone. */
  static List<String> arguments(ProcessHandle h) {
    Path cmdline = Path.of("/proc", Long.toString(h.pid()), "cmdline");
    try {
      byte[] raw = Files.readAllBytes(cmdline);
      if (raw.length > 0) {
        String s = new String(raw, StandardCharsets.UTF_8);
        if (s.endsWith("\0")) {
          s = s.substring(0, s.length() - 1);
        }
        return Arrays.asList(s.split("\0", -1));
      }
      return List.of(); // a zombie, or a kernel thread: nothing to go by
    } catch (IOException | RuntimeException e) {
      // no /proc (not Linux) or the process is gone: ask the JDK
    }
    List<String> out = new ArrayList<>();
    h.info().command().ifPresent(out::add);
    h.info().arguments().ifPresent(a -> out.addAll(Arrays.asList(a)));
    return out;
  }

  @Override
  public String toString() {
    return attemptId + " (pid " + process.pid() + ")";
  }
}
