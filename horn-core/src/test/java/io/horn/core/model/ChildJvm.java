package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test sources in a JVM of its own with a small heap, so that a reader
 * that allocates from a corrupt length dies of OutOfMemoryError there instead of passing inside
 * the 3 GB test JVM.
 */
public final class ChildJvm {
  /** The child's exit code and everything it printed (stdout and stderr). */
  public record Result(int exitCode, String output) {}

  private ChildJvm() {}

  public static Result run(String heap, long timeoutSeconds, Class<?> main, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread pump = new Thread(() -> {
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // the child is gone; what it printed so far is kept
      }
    }, "child-jvm-output");
    pump.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      pump.join(5000);
      fail(main.getSimpleName() + " ran past " + timeoutSeconds + " s; it printed:\n"
          + out.toString(StandardCharsets.UTF_8));
    }
    pump.join(5000);
    return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
