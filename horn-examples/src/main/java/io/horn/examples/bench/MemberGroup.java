package io.horn.examples.bench;

import io.horn.bsp.testbed.Testbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The member JVMs of one case, seen from the benchmark: their stdin, their {@code @} lines,
 * the tail of everything else they print (shown if they fail), and their end: {@link #close}
 * kills whatever is still running, and a shutdown hook does the same if this JVM is stopped.
 */
final class MemberGroup implements AutoCloseable {
  private static final String EOF = new String("<end of output>");
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> LIVE.forEach(Process::destroyForcibly), "kill-members"));
  }

  /** A member failed or did not answer; the message holds what the members printed. */
  static final class MemberFailure extends Exception {
    MemberFailure(String message) {
      super(message);
    }
  }

  private final String mode;
  private final List<Process> procs = new ArrayList<>();
  private final List<BlockingQueue<String>> lines = new ArrayList<>();
  private final List<Deque<String>> tails = new ArrayList<>();

  private MemberGroup(String mode) {
    this.mode = mode;
  }

  /** Starts P members: {@code CollectiveMember MODE RANK P ARGS...}. */
  static MemberGroup start(String mode, int p, Object... args) throws IOException {
    return start(false, mode, p, args);
  }

  /**
   * Starts {@code p} members; with {@code testbed}, member r runs on test-bed host r ({@link
   * Testbed#on}) and listens on its address (passed as the last argument).
   */
  static MemberGroup start(boolean testbed, String mode, int p, Object... args)
      throws IOException {
    MemberGroup g = new MemberGroup(mode);
    try {
      for (int rank = 0; rank < p; rank++) {
        List<String> cmd = new ArrayList<>();
        if (testbed) {
          cmd.addAll(Testbed.on(rank));
        }
        cmd.addAll(List.of(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String prop : List.of("log4j.configuration", "horn.home")) {
          if (System.getProperty(prop) != null) {
            cmd.add("-D" + prop + "=" + System.getProperty(prop));
          }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
            CollectiveMember.class.getName(), mode, Integer.toString(rank),
            Integer.toString(p)));
        Arrays.stream(args).forEach(a -> cmd.add(String.valueOf(a)));
        if (testbed) {
          cmd.add(Testbed.address(rank));
        }
        g.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
      }
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  private void add(Process proc) {
    LIVE.add(proc);
    procs.add(proc);
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Deque<String> tail = new ArrayDeque<>();
    lines.add(q);
    tails.add(tail);
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("@")) {
            q.add(line);
          } else {
            synchronized (tail) {
              tail.addLast(line);
              if (tail.size() > 40) {
                tail.removeFirst();
              }
            }
          }
        }
      } catch (IOException e) {
        // the member is gone; EOF below says so
      }
      q.add(EOF);
    }, "member-" + (procs.size() - 1) + "-output");
    t.setDaemon(true);
    t.start();
  }

  /** Every member's address to every member, with the job's secret. */
  void rendezvous(String secret) throws MemberFailure, IOException {
    List<String> addresses = new ArrayList<>();
    for (int r = 0; r < procs.size(); r++) {
      addresses.add(expectLine(r, "@address", CollectiveBenchmark.ANSWER_MILLIS).substring(9)
          .trim());
    }
    for (Process p : procs) {
      p.getOutputStream().write((secret + "\n" + String.join(",", addresses) + "\n")
          .getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().flush();
    }
  }

  /** The {@code key=value} fields of member {@code rank}'s next line, which must be TAG. */
  Map<String, String> expect(int rank, String tag, long millis) throws MemberFailure {
    Map<String, String> m = new HashMap<>();
    for (String kv : expectLine(rank, tag, millis).split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return m;
  }

  private String expectLine(int rank, String tag, long millis) throws MemberFailure {
    String line;
    try {
      line = lines.get(rank).poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      line = null;
    }
    if (line != null && line != EOF && line.startsWith(tag + " ")) {
      return line;
    }
    String what = line == null ? "did not report " + tag + " within " + millis / 1000 + " s"
        : line == EOF ? "ended before reporting " + tag : "said '" + line + "' instead of " + tag;
    throw failure("member " + rank + " of the " + mode + " group " + what);
  }

  /** Waits for every member to end; any exit status but 0 is a failure. */
  void awaitExit(long millis) throws MemberFailure, InterruptedException {
    for (Process p : procs) {
      if (!p.waitFor(millis, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        throw failure("a member of the " + mode + " group did not end cleanly");
      }
    }
  }

  /** The failure with the output of every member, once the others had a moment to end. */
  private MemberFailure failure(String what) {
    StringBuilder b = new StringBuilder(what);
    for (int r = 0; r < procs.size(); r++) {
      Process p = procs.get(r);
      try {
        p.waitFor(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      b.append(String.format("%n--- member %d (pid %d, %s), last output:", r, p.pid(),
          p.isAlive() ? "still running, killed" : "exit status " + p.exitValue()));
      synchronized (tails.get(r)) {
        tails.get(r).forEach(l -> b.append(System.lineSeparator()).append("  ").append(l));
      }
    }
    return new MemberFailure(b.toString());
  }

  /** Kills every member still running and waits for it to go. */
  @Override
  public void close() {
    for (Process p : procs) {
      p.destroyForcibly();
    }
    for (Process p : procs) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LIVE.remove(p);
    }
  }
}
