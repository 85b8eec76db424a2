package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/horn <command> --help} for every command that {@code bin/horn --help} lists (but
 * jar and class, which pass their arguments on, and classpath), run with bash as a user types
 * them: each exits 0 and prints its usage on standard output. {@code bin/horn --help} names exactly the
 * benchmarks that exist, and {@code HORN_HEAPSIZE} takes megabytes or a unit and refuses
 * anything else by name.
 *
 * <p>Needs the packaged jars (it runs after {@code package}: see this module's pom). Eight JVM
 * starts, 10 to 40 s depending on the machine's load.
 */
class CommandHelpIT {
  private static final Duration LIMIT = Duration.ofMinutes(2);
  /** The commands of bin/horn --help whose --help this test runs, with their usage's name. */
  private static final List<String> JAVA_COMMANDS =
      List.of("example mnist", "convert-mnist", "eval", "predict", "info", "export");

  @TempDir
  Path work;

  @Test
  void everyCommandAndBenchmarkHasHelp() throws Exception {
    assumeTrue(Boolean.getBoolean("horn.packaged"),
        "runs only after 'package', in this module's after-package execution (mvn verify)");
    Path root = projectRoot();
    Files.createSymbolicLink(work.resolve("bin"), root.resolve("bin"));
    DocShell sh = new DocShell(work);

    DocShell.Result top = sh.run("bin/horn --help", LIMIT);
    assertEquals(0, top.code(), top.toString());
    List<String> listed = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^  ([a-z-]+(?: mnist)?) ").matcher(top.out());
    while (m.find()) {
      listed.add(m.group(1));
    }
    assertEquals(List.of("jar", "example mnist", "bench", "convert-mnist", "eval", "predict",
        "info", "export", "class", "cluster", "testbed", "classpath", "help"), listed, top.out());

    for (String c : JAVA_COMMANDS) {
      DocShell.Result r = sh.run("bin/horn " + c + " --help", LIMIT);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("Usage: bin/horn " + c + " "), r.toString());
      assertTrue(r.out().contains("--verbose"), r.toString());
    }
    for (String c : List.of("cluster", "testbed")) {
      DocShell.Result r = sh.run("bin/horn " + c + " --help", LIMIT);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("Usage: horn " + c + " "), r.toString());
    }

    TreeSet<String> benchmarks = benchmarks(root);
    assertEquals(benchmarks, advertised(top.out()), "the benchmarks bin/horn --help names");
    // Two through bin/horn (one that trains on MNIST, one that does not: bin/horn fetches
    // nothing for --help); every benchmark's --help is checked in process by
    // BenchmarkCommandLinesTest, a JVM start each would cost seconds here.
    for (String b : List.of("mlp", "collective")) {
      DocShell.Result r = sh.run("bin/horn bench " + b + " --help", LIMIT);
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("Usage: bin/horn bench " + b + " "), r.toString());
    }
  }

  @Test
  void heapSizeIsMegabytesOrHasAUnit() throws Exception {
    assumeTrue(Boolean.getBoolean("horn.packaged"),
        "runs only after 'package', in this module's after-package execution (mvn verify)");
    Path root = projectRoot();
    Files.createSymbolicLink(work.resolve("bin"), root.resolve("bin"));
    DocShell sh = new DocShell(work);
    for (String heap : List.of("1000", "1g")) {
      DocShell.Result r = sh.run("HORN_HEAPSIZE=" + heap + " bin/horn info --help", LIMIT);
      assertEquals(0, r.code(), r.toString());
    }
    DocShell.Result bad = sh.run("HORN_HEAPSIZE=lots bin/horn info --help", LIMIT);
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("HORN_HEAPSIZE=lots: not a heap size"), bad.toString());
  }

  /** The benchmark classes compiled into this module, as bin/horn bench names them. */
  private static TreeSet<String> benchmarks(Path root) throws IOException {
    Path dir = root.resolve("horn-examples/target/classes/io/horn/examples/bench");
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("Benchmark.class"))
          .map(n -> n.substring(0, n.length() - "Benchmark.class".length())
              .replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The names after "bench <name> [args...]" in bin/horn --help, up to the next command. */
  private static TreeSet<String> advertised(String help) {
    Matcher m = Pattern.compile("(?s)  bench <name> \\[args\\.\\.\\.\\]\\s+run "
        + "io\\.horn\\.examples\\.bench\\.<Name>Benchmark: (.*?)\\(docs/benchmarks\\.md\\)")
        .matcher(help);
    assertTrue(m.find(), help);
    TreeSet<String> names = new TreeSet<>();
    for (String n : m.group(1).split("[,\\s]+")) {
      if (!n.isEmpty()) {
        names.add(n);
      }
    }
    return names;
  }

  private static Path projectRoot() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/horn"))
          && Files.isDirectory(p.resolve("horn-examples"))) {
        return p;
      }
    }
    throw new AssertionError("no bin/horn above " + Paths.get("").toAbsolutePath());
  }
}
