package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/getting-started.md}, section "2. A one-machine cluster", run as written: its
 * command block is read from the file itself, so that the test follows (and breaks with) the
 * doc, and every line runs with bash through {@code bin/horn}, in a fresh directory that has
 * {@code bin} as a link to the project's. The only changes are the ones the doc asks the reader
 * to make: the {@code HORN_CONF_DIR} and the HDFS address that {@code cluster start} printed; and
 * {@code --workdir} on the {@code cluster} lines, so that the cluster lives in the test's
 * directory rather than in the project's {@code work/cluster}. After the example, the model it
 * wrote is read with {@code bin/horn info} (from the local disk and from a copy on HDFS) and
 * {@code bin/horn eval} on the HDFS test set. The cluster is stopped at the end whatever
 * happened.
 *
 * <p>Needs the packaged jars (it runs after {@code package}: see this module's pom) and MNIST in
 * {@code .cache/mnist}, where {@code bin/horn convert-mnist} looks for it ({@code bin/horn-test}
 * fetches it). Takes a few minutes: the example trains its ten epochs on the cluster.
 */
@Tag("slow")
@Tag("mnist")
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class GettingStartedClusterIT {
  private static final String SECTION = "## 2. A one-machine cluster";
  /** The placeholder the doc asks the reader to replace with the printed HDFS address. */
  private static final String HDFS_PLACEHOLDER = "hdfs://localhost:PORT";
  private static final List<String> MODULES =
      List.of("horn-core", "horn-bsp", "horn-paramserver", "horn-cuda", "horn-examples");
  private static final List<String> DAEMONS =
      List.of("namenode", "datanode", "zookeeper", "bspmaster", "groomserver");
  private static final Duration SHORT = Duration.ofMinutes(5);
  private static final Duration TRAINING = Duration.ofMinutes(30);

  @TempDir
  Path work;

  @Test
  void theOneMachineClusterSectionRunsAsWritten() throws Exception {
    assumeTrue(Boolean.getBoolean("horn.packaged"),
        "runs only after 'package', in this module's after-package execution (mvn verify)");
    Path root = projectRoot();
    List<String> lines = commandBlock(root.resolve("docs/getting-started.md"));
    checkBuilt(root);
    checkMnist(root.resolve(".cache/mnist"));
    Files.createSymbolicLink(work.resolve("bin"), root.resolve("bin"));
    Path cluster = work.resolve("cluster");
    DocShell sh = new DocShell(work);
    String workdir = " --workdir " + DocShell.quote(cluster.toString());
    List<String> done = new ArrayList<>();
    boolean stopped = false;
    boolean passed = false;
    try {
      String confDir = null;
      String hdfs = null;
      for (String doc : lines) {
        String line = doc.replaceFirst("\\s+#.*$", "").trim();
        if (line.matches("bin/horn cluster (start|status|stop)( .*)?")) {
          DocShell.Result r = sh.run(line + workdir, SHORT);
          assertEquals(0, r.code(), r.toString());
          String sub = line.split(" ")[2];
          if (sub.equals("start")) {
            confDir = printed(r, "(?m)^\\s*export HORN_CONF_DIR=(\\S+)\\s*$");
            hdfs = printed(r, "(?m)^\\s*HDFS\\s+(hdfs://\\S+)\\s*$");
          } else if (sub.equals("status")) {
            checkRunning(r);
          } else {
            stopped = true;
          }
          done.add("cluster " + sub);
        } else if (line.equals("export HORN_CONF_DIR=...")) {
          assertTrue(confDir != null, "'" + doc + "' comes before 'cluster start'");
          sh.export("HORN_CONF_DIR", confDir);
          done.add("export");
        } else if (line.startsWith("bin/horn convert-mnist ")
            || line.startsWith("bin/horn example mnist ")) {
          assertTrue(hdfs != null, "'" + doc + "' comes before 'cluster start'");
          String cmd = line.replace(HDFS_PLACEHOLDER, hdfs);
          assertFalse(cmd.contains("PORT"), "a placeholder the test does not know: " + doc);
          boolean example = line.startsWith("bin/horn example");
          DocShell.Result r = sh.run(cmd, example ? TRAINING : SHORT);
          assertEquals(0, r.code(), r.toString());
          if (example) {
            checkModel(sh, r, hdfs);
          }
          done.add(line.split(" ")[1]);
        } else {
          fail("a line in '" + SECTION + "' that this test does not know how to run: " + doc);
        }
      }
      assertEquals(List.of("cluster start", "export", "convert-mnist", "example", "cluster status",
          "cluster stop"), done, "the steps of '" + SECTION + "'");
      passed = true;
    } finally {
      if (!stopped) {
        System.out.println(sh.run("bin/horn cluster stop" + workdir, SHORT));
      }
      List<String> killed = killLeftovers(cluster);
      // Reported only when nothing failed before: a failure's own message matters more.
      assertTrue(!passed || killed.isEmpty(), "still running after 'cluster stop': " + killed);
    }
  }

  /**
   * The example's result: test accuracy at least 0.9, and the model on this machine's disk
   * where it says, readable by {@code bin/horn info} (also from a copy on HDFS) and {@code eval}.
   */
  private void checkModel(DocShell sh, DocShell.Result example, String hdfs) throws Exception {
    String accuracy = printed(example, "MNIST test accuracy: (\\d+\\.\\d+)");
    assertTrue(Double.parseDouble(accuracy) >= 0.9, "test accuracy " + accuracy);
    String model = printed(example, "(?m)^model:\\s+(\\S+)\\s*$");
    Path local = work.resolve(model);
    assertTrue(Files.isRegularFile(local),
        "the example says its model is " + model + ", but there is no file " + local);

    DocShell.Result info = sh.run("bin/horn info " + model, SHORT);
    assertEquals(0, info.code(), info.toString());
    assertTrue(info.out().contains("layers:     4 (784-500-500-10)"), info.toString());
    String recorded = printed(info, "(?m)^  test accuracy:\\s+(\\S+)\\s*$");
    assertEquals(Double.parseDouble(accuracy), Double.parseDouble(recorded), 0.00005,
        info.toString());

    String remote = hdfs + "/models/mnist-model.bin";
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs), new Configuration())) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()),
          new org.apache.hadoop.fs.Path(remote));
    }
    DocShell.Result remoteInfo = sh.run("bin/horn info " + remote, SHORT);
    assertEquals(0, remoteInfo.code(), remoteInfo.toString());
    assertEquals(info.out().replace("model:      " + model, "model:      " + remote),
        remoteInfo.out());

    DocShell.Result eval = sh.run("bin/horn eval " + model + " " + hdfs + "/mnist/test", SHORT);
    assertEquals(0, eval.code(), eval.toString());
    assertTrue(eval.out().contains("(10000 samples)"), eval.toString());
    assertTrue(eval.out().contains("accuracy:  " + accuracy + " ("), eval.toString());
  }

  /** {@code cluster status} shows every daemon running and the BSPMaster answering. */
  private static void checkRunning(DocShell.Result status) {
    for (String d : DAEMONS) {
      assertTrue(Pattern.compile("(?m)^\\s+" + d + "\\s+running\\s+pid").matcher(status.out())
          .find(), d + " is not running:\n" + status);
    }
    assertTrue(status.out().contains(" answers: 1 groom(s)"), status.toString());
  }

  /** Group 1 of the first match of {@code regex} in the command's standard output. */
  private static String printed(DocShell.Result r, String regex) {
    Matcher m = Pattern.compile(regex).matcher(r.out());
    assertTrue(m.find(), "'" + r.line() + "' did not print /" + regex + "/:\n" + r);
    return m.group(1);
  }

  /** The indented lines of the first code block after {@link #SECTION}. */
  static List<String> commandBlock(Path doc) throws IOException {
    List<String> all = Files.readAllLines(doc);
    int at = all.indexOf(SECTION);
    assertTrue(at >= 0, doc + " has no line '" + SECTION + "'");
    List<String> block = new ArrayList<>();
    for (int i = at + 1; i < all.size() && !all.get(i).startsWith("## "); i++) {
      String l = all.get(i);
      if (l.startsWith("    ") && !l.isBlank()) {
        block.add(l.trim());
      } else if (!block.isEmpty()) {
        break;
      }
    }
    assertFalse(block.isEmpty(), "no command block under '" + SECTION + "' in " + doc);
    return block;
  }

  /** The directory with {@code bin/horn}, at or above this module's. */
  private static Path projectRoot() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/horn"))
          && Files.isRegularFile(p.resolve("docs/getting-started.md"))) {
        return p;
      }
    }
    throw new AssertionError("no bin/horn above " + Paths.get("").toAbsolutePath());
  }

  /** Fails unless every jar bin/horn puts on the class path is there (else it would build). */
  private static void checkBuilt(Path root) throws IOException {
    assertTrue(Files.isDirectory(root.resolve("horn-examples/target/lib")),
        "no horn-examples/target/lib: this test runs after 'package' (mvn verify)");
    for (String m : MODULES) {
      boolean found = false;
      try (DirectoryStream<Path> jars =
          Files.newDirectoryStream(root.resolve(m).resolve("target"), m + "-*.jar")) {
        for (Path j : jars) {
          found |= !j.getFileName().toString().endsWith("-tests.jar");
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // no target/ at all: reported below
      }
      assertTrue(found,
          "no " + m + "/target/" + m + "-*.jar: this test runs after 'package' (mvn verify)");
    }
  }

  /** MNIST where bin/horn convert-mnist takes it from; required when the build says so. */
  private static void checkMnist(Path dir) {
    boolean present = Files.exists(dir.resolve("train-images-idx3-ubyte"))
        && Files.exists(dir.resolve("t10k-images-idx3-ubyte"));
    if (Boolean.getBoolean("horn.require.mnist")) {
      assertTrue(present, "MNIST is missing in " + dir + ": run bin/fetch-mnist");
    }
    assumeTrue(present, "MNIST not in " + dir + " (bin/fetch-mnist); skipping");
  }

  /** Kills this cluster's daemons that are alive after 'cluster stop'; returns what it killed. */
  private static List<String> killLeftovers(Path cluster) throws IOException {
    List<String> killed = new ArrayList<>();
    Path pids = cluster.resolve("pids");
    if (!Files.isDirectory(pids)) {
      return killed;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(pids, "*.pid")) {
      for (Path f : files) {
        long pid;
        try {
          pid = Long.parseLong(Files.readString(f).trim());
        } catch (NumberFormatException e) {
          continue;
        }
        // Only a process of this cluster: the pid may have been reused since.
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
            .filter(p -> p.info().commandLine().orElse("").contains(cluster.toString()));
        if (h.isPresent()) {
          h.get().descendants().forEach(ProcessHandle::destroyForcibly);
          h.get().destroyForcibly();
          killed.add(f.getFileName() + " (pid " + pid + ")");
        }
      }
    }
    return killed;
  }
}
