package io.horn.bsp.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.horn.bsp.cluster.LocalClusterTest;
import org.apache.hadoop.io.IntWritable;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.NullInputFormat;
import org.apache.hama.bsp.NullOutputFormat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/horn testbed} as an operator uses it: {@code up} prints the {@code HORN_CONF_DIR};
 * {@code status} shows each host's daemons, and a {@code kill -9}ed GroomServer as DEAD; after a
 * "crash" (the daemons left running, nobody to close them) {@code down} removes every process,
 * namespace, link and the bridge, and a second {@code down} finds nothing. Needs root; skips,
 * saying why, elsewhere.
 */
@Tag("root")
class TestbedCliTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void upStatusAndDownAfterACrashLeaveNothing() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to make network namespaces (ip netns)");
    Path work = dir.resolve("bed");
    Run up = cli("up", work.toString(), "--hosts", "3", "--link", "10gbit", "--no-hdfs",
        "--child-heap", "256m");
    if (up.code != 0 && up.text.contains("test bed: '")) {
      org.junit.jupiter.api.Assumptions.abort("the network test bed cannot be made here: "
          + up.text);
    }
    try {
      assertEquals(0, up.code, up.text);
      assertTrue(up.text.contains("export HORN_CONF_DIR=" + work.resolve("conf")), up.text);
      assertEquals(List.of("horn-tb-h0", "horn-tb-h1", "horn-tb-h2"),
          Testbed.existing().stream().sorted().toList());
      assertEquals("10.213.7.2\n10.213.7.3", Files.readString(work.resolve("workers"))
          .replaceAll("(?m)^#.*\\n", "").trim());
      Run status = cli("status", work.toString());
      assertEquals(0, status.code, status.text);
      assertTrue(status.text.matches("(?s).*10\\.213\\.7\\.3\\s+groomserver\\s+running.*"),
          status.text);

      long groom = Long.parseLong(Files.readString(
          work.resolve("hosts/10.213.7.3/pids/groomserver.pid")).trim());
      ProcessHandle.of(groom).ifPresent(ProcessHandle::destroyForcibly);
      ProcessHandle.of(groom).ifPresent(h -> h.onExit().join());
      status = cli("status", work.toString());
      assertEquals(1, status.code, status.text);
      assertTrue(status.text.matches("(?s).*10\\.213\\.7\\.3\\s+groomserver\\s+DEAD.*"),
          status.text);
      // A crash of whatever started it: the other daemons run on, with nobody to stop them.
      // ZooKeeper and the BSPMaster on the first host, the GroomServer of the second.
      assertEquals(3, daemonsOf(work).size(), "daemons: " + daemonsOf(work));
    } finally {
      Run down = cli("down", work.toString());
      assertEquals(0, down.code, down.text);
    }
    assertEquals(List.of(), Testbed.existing(), "namespaces left");
    assertEquals(List.of(), daemonsOf(work), "processes left");
    Process links = new ProcessBuilder("ip", "-o", "link", "show").start();
    String all = new String(links.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(!all.contains("horn-tb"), "links left: " + all);
    Run again = cli("down", work.toString());
    assertEquals(0, again.code, again.text);
    assertTrue(again.text.contains("no test bed was up"), again.text);
    assertEquals(3, cli("status", work.toString()).code);
  }

  /**
   * The real-cluster path: an OpenSSH server on every host, every daemon started, checked and
   * stopped over ssh; a BSP job over both worker hosts proves the cluster works.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aClusterDrivenOverSshRunsAJob() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to make network namespaces (ip netns)");
    assumeTrue(Files.isExecutable(Paths.get("/usr/sbin/sshd")),
        "needs an OpenSSH server (apt-get install openssh-server) to drive hosts over ssh");
    Path work = dir.resolve("bed");
    Run up = cli("up", work.toString(), "--hosts", "3", "--link", "1gbit", "--no-hdfs",
        "--child-heap", "256m", "--launcher", "ssh");
    if (up.code != 0 && up.text.contains("test bed: '")) {
      org.junit.jupiter.api.Assumptions.abort("the network test bed cannot be made here: "
          + up.text);
    }
    try {
      assertEquals(0, up.code, up.text);
      assertTrue(Files.readString(work.resolve("cluster.properties")).contains("launcher=ssh"));
      HamaConfiguration hama = new HamaConfiguration();
      hama.addResource(new org.apache.hadoop.fs.Path(work.resolve("conf/hama-site.xml")
          .toUri()));
      io.horn.bsp.cluster.ClassLoaders.ensureUrlContextLoader();
      BSPJob job = new BSPJob(hama, LocalClusterTest.PeerCountBsp.class);
      job.setJobName("TestbedCliTest over ssh");
      job.setBspClass(LocalClusterTest.PeerCountBsp.class);
      job.setNumBspTask(4);
      job.setInputFormat(NullInputFormat.class);
      job.setOutputFormat(NullOutputFormat.class);
      job.setMessageClass(IntWritable.class);
      job.getConfiguration().setInt("horn.test.expected.peers", 4);
      assertTrue(job.waitForCompletion(false), "the job failed; logs in " + work);
      Run status = cli("status", work.toString());
      assertEquals(0, status.code, status.text);
    } finally {
      Run down = cli("down", work.toString());
      assertEquals(0, down.code, down.text);
      assertTrue(down.text.contains("stopped groomserver"), down.text);
    }
    assertEquals(List.of(), Testbed.existing(), "namespaces left");
    assertEquals(List.of(), daemonsOf(work), "processes left");
  }

  private static List<Long> daemonsOf(Path work) {
    List<Long> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> h.info().commandLine().ifPresent(c -> {
      if (c.contains("-Dhorn.cluster.workdir=" + work)) {
        out.add(h.pid());
      }
    }));
    return out;
  }

  private record Run(int code, String text) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = TestbedCli.run(args, out, out);
    return new Run(code, bytes.toString(StandardCharsets.UTF_8));
  }
}
