package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline GPU check bundle, end to end on a machine without a GPU: {@code run-gpu-checks.sh
 * --prepare} makes it from this build (its classpath, the PTX, real MNIST, a jlink'd runtime),
 * and its run, with no Maven, JDK or Java on the PATH, prints {@code NOT RUN: <the probe's
 * reason>} and exits 3; the bundled test runner runs the gpu-tagged tests with the bundled
 * runtime: skipped without {@code HORN_REQUIRE_GPU}, failed with it.
 *
 * <p>About 10 s (jlink's runtime is cached in target/gpu-bundle-jre between runs). Tagged
 * {@code mnist}: it needs the real data set ({@code -Dhorn.mnist.dir}).
 */
@Tag("mnist")
class GpuBundleTest {
  private static final long MIB = 1L << 20;
  private static final String[] MNIST_FILES = {"train-images-idx3-ubyte",
      "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

  @TempDir
  Path dir;

  private static Path mnist() {
    String prop = System.getProperty("horn.mnist.dir", "");
    Path p = prop.isEmpty() ? null : Paths.get(prop);
    boolean present = p != null;
    for (String f : MNIST_FILES) {
      present &= p != null && (Files.isRegularFile(p.resolve(f))
          || Files.isRegularFile(p.resolve(f + ".gz")));
    }
    if (!present && Boolean.getBoolean("horn.require.mnist")) {
      Assertions.fail("MNIST not found in '" + prop + "' (horn.mnist.dir)");
    }
    assumeTrue(present, "MNIST not found in '" + prop + "' (horn.mnist.dir): the bundle carries it");
    return p;
  }

  private static final class Run {
    final int status;
    final String output;

    Run(int status, String output) {
      this.status = status;
      this.output = output;
    }

    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Run run(List<String> cmd, Map<String, String> env, boolean clearEnv)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (clearEnv) {
      pb.environment().clear();
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static long size(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  @Test
  void bundleIsPreparedHereAndSaysNotRunWithoutAGpu() throws Exception {
    CudaProbe.Result probe = CudaProbe.result();
    assumeFalse(probe.usable, "a GPU is usable here: run the bundle itself (run-gpu-checks.sh)");
    assumeTrue(Kernels.ptxAvailable(), "horn-cuda was built without PTX (no nvcc): the bundle"
        + " needs it");
    Path jlink = Paths.get(System.getProperty("java.home"), "bin", "jlink");
    assumeTrue(Files.isExecutable(jlink), "no jlink in " + jlink + " (a JRE, not a JDK)");
    Path data = mnist();

    Path bundle = dir.resolve("bundle");
    String cp = System.getProperty("java.class.path");
    Run prep = run(List.of("bash", "run-gpu-checks.sh", "--prepare", bundle.toString(),
        "--no-build", "--classpath", cp, "--mnist", data.toString(), "--jre-cache",
        Paths.get("target/gpu-bundle-jre").toAbsolutePath().toString()),
        Map.of("PATH", jlink.getParent() + ":" + System.getenv("PATH")), false);
    assertEquals(0, prep.status, prep.output);

    // What the GPU machine gets.
    assertTrue(Files.isExecutable(bundle.resolve("run-gpu-checks.sh")));
    assertTrue(Files.isExecutable(bundle.resolve("jre/bin/java")));
    assertEquals(Kernels.ptx(), Files.readString(bundle.resolve("ptx/horn_kernels.ptx")));
    for (String f : MNIST_FILES) {
      assertTrue(Files.isRegularFile(bundle.resolve("mnist/" + f + ".gz")), f);
    }
    List<String> entries = Files.readAllLines(bundle.resolve("classpath"));
    for (String e : entries) {
      assertTrue(Files.exists(bundle.resolve(e)), "classpath entry " + e + " missing");
    }
    for (String need : new String[] {"horn-core", "horn-cuda", "test-classes", "jcuda-natives",
        "jcublas-natives", "junit-platform-launcher"}) {
      assertTrue(entries.stream().anyMatch(e -> e.contains(need)), need + " not in " + entries);
    }
    assertFalse(entries.stream().anyMatch(e -> e.contains("surefire")), entries.toString());
    try (java.util.zip.ZipFile natives = new java.util.zip.ZipFile(bundle.resolve(entries.stream()
        .filter(e -> e.contains("jcuda-natives")).findFirst().get()).toFile())) {
      assertTrue(natives.stream().anyMatch(z -> z.getName().contains("libJCudaDriver")));
      assertFalse(natives.stream().anyMatch(z -> z.getName().contains("NvPTXCompiler")));
    }
    long bytes = size(bundle);
    System.out.printf("[GpuBundleTest] bundle of %d files, %.1f MiB%n", entries.size(),
        bytes / (double) MIB);
    assertTrue(bytes < 64 * MIB, "the bundle should stay under 64 MiB to copy, is "
        + bytes / MIB + " MiB");

    // Its run here: no mvn, java or jlink on the PATH may be used (they leave a mark).
    Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
    Path mark = dir.resolve("used-a-tool-from-the-path");
    for (String tool : new String[] {"mvn", "java", "javac", "jlink", "jar"}) {
      Path t = fakeBin.resolve(tool);
      Files.writeString(t, "#!/bin/sh\necho \"$0 $*\" >> " + mark + "\nexit 97\n");
      t.toFile().setExecutable(true);
    }
    Path results = dir.resolve("results");
    Run checks = run(List.of("bash", bundle.resolve("run-gpu-checks.sh").toString()),
        Map.of("PATH", fakeBin + ":/usr/bin:/bin", "HOME", dir.toString(),
            "GPU_CHECKS_OUT", results.toString()), true);
    System.out.println("[GpuBundleTest] the bundle's run:\n" + checks.output);
    assertEquals(3, checks.status, checks.output);
    assertEquals("NOT RUN: " + probe.reason, checks.lastLine());
    assertFalse(checks.output.contains("PASS"), "nothing may pass without a GPU");
    assertTrue(checks.output.contains("==== environment ===="), "environment report first");
    assertFalse(Files.exists(mark), () -> "used tools from the PATH: " + read(mark));
    assertTrue(Files.isRegularFile(results.resolve("02-probe.log")));

    // The bundled test runner, with the bundled runtime: gpu tests skip, or fail where required.
    List<String> java = new ArrayList<>(List.of(bundle.resolve("jre/bin/java").toString(),
        "-Djava.io.tmpdir=" + dir, "-cp", classpath(bundle, entries),
        "io.horn.cuda.GpuTestRunner", "gpu"));
    Run skipped = run(java, Map.of("PATH", "/usr/bin:/bin"), true);
    assertEquals(3, skipped.status, skipped.output);
    assertTrue(skipped.lastLine().matches(
        "SUMMARY gpu tests: tag=gpu passed=0 failed=0 not_run=[1-9]\\d+"), skipped.lastLine());
    Run required = run(java, Map.of("PATH", "/usr/bin:/bin", "HORN_REQUIRE_GPU", "1"), true);
    assertEquals(1, required.status, required.output);
    assertTrue(required.output.contains("FAIL CudaEquivalenceTest"), required.output);
    assertTrue(required.lastLine().matches(
        "SUMMARY gpu tests: tag=gpu passed=0 failed=[1-9]\\d+ not_run=0"), required.lastLine());
  }

  private static String classpath(Path bundle, List<String> entries) {
    StringBuilder sb = new StringBuilder();
    for (String e : entries) {
      sb.append(sb.length() == 0 ? "" : ":").append(bundle.resolve(e));
    }
    return sb.toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
