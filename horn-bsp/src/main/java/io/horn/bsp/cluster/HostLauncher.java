package io.horn.bsp.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How a shell script runs on one host of a cluster: over {@code ssh} on a real cluster, with
 * {@code ip netns exec} on the test bed (each "host" a network namespace of this machine), or
 * directly on this machine. A multi-host cluster does everything on its hosts through one of
 * these: writing their configuration, starting, stopping and checking their daemons, reading
 * their logs.
 *
 * <p>Contract: {@link #command} returns the local command line that runs {@code sh -c script} on
 * the host, the script's standard input, output and exit status passed through. The script must
 * not need a terminal. Immutable and thread-safe.
 */
public abstract class HostLauncher {
  /** The kinds {@link #of} knows, as written in {@code cluster.properties}. */
  public static final List<String> KINDS = List.of("ssh", "netns", "local");

  private HostLauncher() {}

  /** The kind's name ({@code ssh}, {@code netns} or {@code local}). */
  public abstract String kind();

  /** The local command line that runs {@code sh -c script} on {@code host}. */
  public abstract List<String> command(String host, String script);

  /**
   * Over ssh, without a password prompt ({@code BatchMode}; keys must be set up, as for Hadoop's
   * own scripts). {@code options} go before the host, e.g. {@code -p 2222} or {@code -i KEY}.
   */
  public static HostLauncher ssh(List<String> options) {
    return new Ssh(options);
  }

  /** Into network namespace {@code namespaces.get(host)} of this machine (needs root). */
  public static HostLauncher netns(Map<String, String> namespaces) {
    return new Netns(namespaces);
  }

  /** On this machine, whatever the host's name: for a cluster whose hosts are all local. */
  public static HostLauncher local() {
    return new Local();
  }

  /** The launcher of {@code kind}; netns needs its map, ssh takes its options. */
  public static HostLauncher of(String kind, Map<String, String> namespaces, List<String> ssh) {
    switch (kind) {
      case "ssh":
        return ssh(ssh);
      case "netns":
        return netns(namespaces);
      case "local":
        return local();
      default:
        throw new IllegalArgumentException("unknown launcher '" + kind + "': want one of "
            + KINDS);
    }
  }

  /** What a script printed and how it ended. */
  public static final class Result {
    public final int exitCode;
    public final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  /**
   * Runs {@code script} on {@code host} and waits at most {@code timeoutMillis}; standard output
   * and error come back together.
   *
   * @throws IOException when it cannot start or does not end in time (it is then killed)
   */
  public Result run(String host, String script, long timeoutMillis) throws IOException {
    List<String> cmd = command(host, script);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    // Read on another thread: a chatty script must not block on a full pipe while we wait.
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the process is gone; what was read is kept
      }
    }, "horn-host-" + host);
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("on host " + host + " (" + kind() + "): no answer within "
            + timeoutMillis + " ms");
      }
      reader.join(2000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running a command on " + host, e);
    }
    synchronized (out) {
      return new Result(p.exitValue(), out.toString());
    }
  }

  /** {@code s} as one single-quoted word of a POSIX shell. */
  public static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static final class Ssh extends HostLauncher {
    private final List<String> options;

    Ssh(List<String> options) {
      this.options = Collections.unmodifiableList(new ArrayList<>(checkNotNull(options)));
    }

    @Override
    public String kind() {
      return "ssh";
    }

    @Override
    public List<String> command(String host, String script) {
      List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o",
          "ConnectTimeout=10"));
      cmd.addAll(options);
      cmd.add(host);
      // ssh joins its arguments into one line for the remote login shell: quote the script.
      cmd.add("sh -c " + quote(script));
      return cmd;
    }
  }

  private static final class Netns extends HostLauncher {
    private final Map<String, String> namespaces;

    Netns(Map<String, String> namespaces) {
      checkArgument(!namespaces.isEmpty(), "a netns launcher needs its hosts' namespaces");
      this.namespaces = Collections.unmodifiableMap(new LinkedHashMap<>(namespaces));
    }

    @Override
    public String kind() {
      return "netns";
    }

    @Override
    public List<String> command(String host, String script) {
      String ns = namespaces.get(host);
      checkArgument(ns != null, "host %s has no network namespace (known: %s)", host,
          namespaces.keySet());
      return List.of("ip", "netns", "exec", ns, "sh", "-c", script);
    }
  }

  private static final class Local extends HostLauncher {
    @Override
    public String kind() {
      return "local";
    }

    @Override
    public List<String> command(String host, String script) {
      return List.of("sh", "-c", script);
    }
  }
}
