package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * The multi-host cluster's start, status and stop through {@code bin/horn cluster}'s command line,
 * with the {@code local} launcher and one host (127.0.0.1) as master and worker, so that it runs
 * without root or ssh: the same scripts the ssh and netns launchers run on each host. A job runs;
 * a {@code kill -9} of the GroomServer shows as DEAD; stop ends every daemon and task JVM of the
 * work directory; a second start over running daemons is refused.
 */
@Tag("slow")
class MultiHostClusterLocalTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void startsRunsAJobReportsADeadDaemonAndStopsEverything() throws Exception {
    Path work = dir.resolve("cluster");
    Path workers = Files.writeString(dir.resolve("workers"), "# one host\n127.0.0.1\n");
    Run stopped = null;
    List<String> args = new ArrayList<>(List.of("start", work.toString(), "--workers",
        workers.toString(), "--launcher", "local", "--master", "127.0.0.1", "--tasks", "3",
        "--child-heap", "256m"));
    for (String key : HostSettings.DEFAULT_PORTS.keySet()) {
      if (!key.startsWith("fs.") && !key.startsWith("dfs.")) {
        args.add("-D");
        args.add(key + "=" + ClusterSettings.freePort());
      }
    }
    Run start = cli(args.toArray(new String[0]));
    assertEquals(0, start.code, start.text);
    assertTrue(start.text.contains("GroomServers   127.0.0.1"), start.text);
    Path conf = work.resolve("conf/hama-site.xml");
    Map<String, String> site = SiteXml.read(conf);
    assertEquals("127.0.0.1", site.get("hama.zookeeper.quorum"));
    Map<String, String> hostSite = SiteXml.read(work.resolve("hosts/127.0.0.1/conf/hama-site.xml"));
    assertEquals("127.0.0.1", hostSite.get("bsp.peer.hostname"), "daemons bind to the host");
    try {
      Run again = cli(args.toArray(new String[0]));
      assertEquals(1, again.code, again.text);
      assertTrue(again.text.contains("already run on host 127.0.0.1"), again.text);

      HamaConfiguration hama = new HamaConfiguration();
      SiteXml.read(conf).forEach(hama::set);
      ClassLoaders.ensureUrlContextLoader();
      BSPJob job = new BSPJob(hama, LocalClusterTest.PeerCountBsp.class);
      job.setJobName("MultiHostClusterLocalTest");
      job.setBspClass(LocalClusterTest.PeerCountBsp.class);
      job.setNumBspTask(2);
      job.setInputFormat(NullInputFormat.class);
      job.setOutputFormat(NullOutputFormat.class);
      job.setMessageClass(IntWritable.class);
      job.getConfiguration().setInt("horn.test.expected.peers", 2);
      assertTrue(job.waitForCompletion(false), "the job failed; logs in " + work);

      Run status = cli("status", work.toString());
      assertEquals(0, status.code, status.text);
      assertTrue(status.text.matches("(?s).*127\\.0\\.0\\.1\\s+groomserver\\s+running.*"),
          status.text);
      long groom = Long.parseLong(Files.readString(
          work.resolve("hosts/127.0.0.1/pids/groomserver.pid")).trim());
      ProcessHandle.of(groom).ifPresent(ProcessHandle::destroyForcibly);
      ProcessHandle.of(groom).ifPresent(h -> h.onExit().join());
      status = cli("status", work.toString());
      assertEquals(1, status.code, status.text);
      assertTrue(status.text.matches("(?s).*groomserver\\s+DEAD.*"), status.text);
    } finally {
      stopped = cli("stop", work.toString());
      assertEquals(0, stopped.code, stopped.text);
      assertTrue(stopped.text.contains("stopped bspmaster"), stopped.text);
    }
    String mark = Daemon.WORKDIR_MARK + work.resolve("hosts/127.0.0.1") + " ";
    List<String> left = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> h.info().commandLine().ifPresent(c -> {
      if (c.contains(mark) || (c.contains(work.toString()) && c.contains("BSPPeer"))) {
        left.add(h.pid() + ": " + c);
      }
    }));
    assertEquals(List.of(), left, "processes of the cluster left after stop: " + stopped.text);
    Run status = cli("status", work.toString());
    assertEquals(3, status.code, status.text);
  }

  @Test
  void refusesNetnsWithoutTheTestBedAndAMissingWorkersFile() throws IOException {
    Path workers = Files.writeString(dir.resolve("workers"), "10.0.0.1\n");
    Run r = cli("start", dir.resolve("c").toString(), "--workers", workers.toString(),
        "--launcher", "netns");
    assertEquals(2, r.code, r.text);
    assertTrue(r.text.contains("bin/horn testbed up"), r.text);
    r = cli("start", dir.resolve("c").toString(), "--workers", dir.resolve("nope").toString());
    assertEquals(1, r.code, r.text);
    assertTrue(r.text.contains("no such workers file"), r.text);
    assertFalse(Files.exists(dir.resolve("c/hosts")));
    assertThrows(IllegalArgumentException.class, () -> MultiHostCluster.builder(dir,
        new ClusterHosts("m", List.of("w")), HostLauncher.local()).tasks(0));
  }

  private record Run(int code, String text) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = ClusterCli.run(args, out, out);
    return new Run(code, bytes.toString(StandardCharsets.UTF_8));
  }
}
