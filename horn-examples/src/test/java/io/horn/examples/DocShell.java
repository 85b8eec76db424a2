package io.horn.examples;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs documented command lines one at a time with {@code bash}, as a user would type them into
 * one terminal: in one working directory, each with the {@code export}s that came before it.
 * Output is captured (standard output and error apart) and echoed to this JVM's standard output,
 * so that a failed build's log shows what ran.
 *
 * <p>{@code bin/horn} builds the jars with {@code mvn install} when they are missing; a test
 * must not start a second Maven inside the first one, nor touch the shared local repository,
 * so {@code mvn} on this shell's {@code PATH} is a stand-in that fails loudly.
 *
 * <p>Not thread-safe: one command at a time.
 */
final class DocShell {
  /** What one command line did. */
  record Result(String line, int code, String out, String err) {
    @Override
    public String toString() {
      return "'" + line + "' exited " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  private final Path dir;
  private final Map<String, String> env;
  private final Map<String, String> exports = new LinkedHashMap<>();

  /**
   * A shell working in {@code dir}, with this JVM's environment less the variables that would
   * point {@code bin/horn} elsewhere ({@code HORN_CONF_DIR}, {@code HORN_REBUILD}).
   */
  DocShell(Path dir) throws IOException {
    this.dir = checkNotNull(dir, "dir");
    Path guard = Files.createDirectories(dir.resolve(".no-maven"));
    Path mvn = guard.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\necho \"DocShell: bin/horn ran 'mvn $*'; build the jars"
        + " first (mvn package, or mvn verify)\" >&2\nexit 97\n");
    checkArgument(mvn.toFile().setExecutable(true), "cannot make %s executable", mvn);
    env = new LinkedHashMap<>(System.getenv());
    env.remove("HORN_CONF_DIR");
    env.remove("HORN_REBUILD");
    env.put("PATH", guard + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
  }

  /** Later lines run after {@code export NAME='value'}, as in a terminal after that line. */
  void export(String name, String value) {
    checkArgument(name.matches("[A-Za-z_][A-Za-z0-9_]*"), "not a variable name: %s", name);
    exports.put(name, checkNotNull(value, "value"));
  }

  /**
   * Runs {@code line} with {@code bash -c} and waits at most {@code limit}; past it, the command
   * and everything it started are killed and the result has code -1.
   */
  Result run(String line, Duration limit) throws IOException, InterruptedException {
    StringBuilder script = new StringBuilder("set -eo pipefail\n");
    for (Map.Entry<String, String> e : exports.entrySet()) {
      script.append("export ").append(e.getKey()).append('=').append(quote(e.getValue()))
          .append('\n');
    }
    script.append(line).append('\n');
    System.out.println("$ " + line);
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString()).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread o = pump(p.getInputStream(), out);
    Thread e = pump(p.getErrorStream(), err);
    int code;
    if (p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      code = p.exitValue();
    } else {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      code = -1;
      err.writeBytes(("\n[DocShell: killed after " + limit.toSeconds() + " s]\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    o.join(10_000);
    e.join(10_000);
    return new Result(line, code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** Copies {@code in} into {@code sink} and onto this JVM's standard output, as it comes. */
  private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      PrintStream echo = System.out;
      try (in) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          sink.write(buf, 0, n); // synchronized: read by the test once the command ended
          echo.write(buf, 0, n);
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      echo.flush();
    }, "doc-shell-pump");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** {@code s} as one single-quoted bash word. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
