package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.horn.bsp.SubmitChecks;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.IntWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSP;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.BSPPeer;
import org.apache.hama.bsp.ClusterStatus;
import org.apache.hama.bsp.NullInputFormat;
import org.apache.hama.bsp.NullOutputFormat;
import org.apache.hama.bsp.sync.SyncException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

public class LocalClusterTest {

  /** Every peer checks the peer count, sends its index to all peers, and checks what it got. */
  public static class PeerCountBsp
      extends BSP<NullWritable, NullWritable, NullWritable, NullWritable, IntWritable> {
    @Override
    public void bsp(BSPPeer<NullWritable, NullWritable, NullWritable, NullWritable, IntWritable> peer)
        throws IOException, SyncException, InterruptedException {
      int expected = peer.getConfiguration().getInt("horn.test.expected.peers", -1);
      if (peer.getNumPeers() != expected) {
        throw new IOException("expected " + expected + " peers, got " + peer.getNumPeers());
      }
      for (String other : peer.getAllPeerNames()) {
        peer.send(other, new IntWritable(peer.getPeerIndex()));
      }
      peer.sync();
      int n = 0;
      int sum = 0;
      IntWritable m;
      while ((m = peer.getCurrentMessage()) != null) {
        n++;
        sum += m.get();
      }
      if (n != expected || sum != expected * (expected - 1) / 2) {
        throw new IOException("peer " + peer.getPeerIndex() + " got " + n + " messages summing to " + sum);
      }
      peer.sync();
    }
  }

  @Test
  @Tag("slow")
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void runsABspJobWithThreeTasksAndLeavesNoProcessBehind(@TempDir Path dir) throws Exception {
    List<ProcessHandle> seen;
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(3)
        .childHeap("256m").daemonHeap("256m").start()) {
      assertTrue(cluster.isAlive());
      HamaConfiguration conf = cluster.conf();
      assertEquals(cluster.masterAddress(), conf.get("bsp.master.address"));
      assertNull(cluster.hdfsUri());
      assertTrue(Files.isRegularFile(cluster.confDir().resolve("hama-site.xml")));
      assertTrue(Files.isRegularFile(cluster.logFile("bspmaster")));

      BSPJobClient client = new BSPJobClient(conf);
      ClusterStatus status = client.getClusterStatus(false);
      client.close();
      assertEquals(1, status.getGroomServers());
      assertTrue(status.getMaxTasks() >= 3, "task slots: " + status.getMaxTasks());
      // Cheap on a cluster that is up anyway: the submit-time checks that read it.
      SubmitChecks.checkSlots(conf, 3, "3 workers");
      int more = status.getMaxTasks() + 1;
      IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
          () -> SubmitChecks.checkSlots(conf, more, more + " workers"));
      assertTrue(tooMany.getMessage().contains("needs " + more + " task slots (" + more
          + " workers), the cluster has " + status.getMaxTasks()), tooMany.getMessage());
      assertZooKeeperListensOnLoopbackOnly(
          Integer.parseInt(cluster.settings().get("hama.zookeeper.property.clientPort")));

      BSPJob job = new BSPJob(conf, PeerCountBsp.class);
      job.setJobName("LocalClusterTest");
      job.setBspClass(PeerCountBsp.class);
      job.setNumBspTask(3);
      job.setInputFormat(NullInputFormat.class);
      job.setOutputFormat(NullOutputFormat.class);
      job.setMessageClass(IntWritable.class);
      job.getConfiguration().setInt("horn.test.expected.peers", 3);
      boolean ok = job.waitForCompletion(false);
      assertTrue(ok, () -> "the job failed; logs in " + cluster.logDir() + "\n"
          + LocalCluster.tail(cluster.logFile("groomserver"), 40));

      seen = cluster.processes();
      assertTrue(seen.size() >= 3, "daemons: " + seen);
    }
    for (ProcessHandle h : seen) {
      assertFalse(h.isAlive(), "still alive after close: pid " + h.pid());
    }
  }

  @Test
  @Tag("slow")
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void startsWithHdfs(@TempDir Path dir) throws Exception {
    List<ProcessHandle> seen;
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(1).hdfs(true)
        .daemonHeap("256m").start()) {
      String uri = cluster.hdfsUri();
      assertNotNull(uri);
      assertTrue(uri.startsWith("hdfs://localhost:"), uri);
      HamaConfiguration conf = cluster.conf();
      assertEquals(uri, conf.get("fs.defaultFS"));
      try (FileSystem fs = FileSystem.newInstance(URI.create(uri), conf)) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri + "/horn/hello.txt");
        try (FSDataOutputStream out = fs.create(p)) {
          out.write("hello hdfs".getBytes(StandardCharsets.UTF_8));
        }
        try (FSDataInputStream in = fs.open(p)) {
          assertEquals("hello hdfs", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      seen = cluster.processes();
      assertTrue(seen.size() >= 5, "daemons: " + seen);
    }
    for (ProcessHandle h : seen) {
      assertFalse(h.isAlive(), "still alive after close: pid " + h.pid());
    }
  }

  @Test
  void reportsAFixedPortThatIsInUse(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();
      Path site = dir.resolve("hama-site.xml");
      SiteXml.write(site, null, Map.of("bsp.master.address", "localhost:" + port));
      IOException e = assertThrows(IOException.class,
          () -> LocalCluster.builder(dir.resolve("cluster")).siteFile(site).start());
      assertTrue(e.getMessage().contains("port " + port + " (bsp.master.address) is already in use"),
          e.getMessage());
      assertFalse(Files.exists(dir.resolve("cluster/pids/zookeeper.pid")));
    }
  }

  @Test
  void refusesAQuorumHostThatTheLoopbackZooKeeperCannotServe(@TempDir Path dir) throws Exception {
    Path site = dir.resolve("hama-site.xml");
    SiteXml.write(site, null, Map.of("bsp.master.address", "localhost:0",
        "hama.zookeeper.quorum", "zk.example.org"));
    IOException e = assertThrows(IOException.class,
        () -> LocalCluster.builder(dir.resolve("cluster")).siteFile(site).start());
    assertTrue(e.getMessage().startsWith("hama.zookeeper.quorum is zk.example.org (from " + site
        + "), but the cluster's ZooKeeper listens on 127.0.0.1 only"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("cluster/pids/zookeeper.pid")));
  }

  /**
   * Proves that nothing listens on ZooKeeper's port but on loopback: the kernel's table of
   * listening sockets (Linux) shows only loopback addresses for the port, and a connection to
   * each non-loopback address of this machine is refused.
   */
  private static void assertZooKeeperListensOnLoopbackOnly(int port) throws IOException {
    int listeners = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.isReadable(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String[] local = f[1].split(":");
        // State 0A is LISTEN; the port is big-endian hex, the address in host (little-endian)
        // order, word by word.
        if (f[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
          InetAddress a = procAddress(local[0]);
          assertTrue(a.isLoopbackAddress(), "ZooKeeper's port " + port + " listens on " + a);
          listeners++;
        }
      }
    }
    boolean proc = Files.isReadable(Path.of("/proc/net/tcp"));
    assertTrue(!proc || listeners > 0, "no listening socket on ZooKeeper's port " + port);
    int refused = 0;
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || !nic.isUp()) {
          continue;
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(a, port), 2_000);
          throw new AssertionError("ZooKeeper's port " + port + " accepts connections on " + a);
        } catch (ConnectException expected) {
          refused++;
        }
      }
    }
    assertTrue(proc || refused > 0, "neither /proc/net/tcp nor a non-loopback address to test");
  }

  /** An address as /proc/net/tcp{,6} writes it: hex, each 32-bit word in little-endian order. */
  private static InetAddress procAddress(String hex) throws IOException {
    byte[] b = new byte[hex.length() / 2];
    for (int word = 0; word < b.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        int at = 2 * (word + 3 - i);
        b[word + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    return InetAddress.getByAddress(b);
  }

  @Test
  void statusOfAnEmptyWorkDirSaysNotRunning(@TempDir Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = ClusterCli.run(new String[] {"status", dir.toString()}, new PrintStream(out, true),
        new PrintStream(err, true));
    assertEquals(3, rc);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("not running"), out.toString());
    rc = ClusterCli.run(new String[] {"stop", dir.toString()}, new PrintStream(out, true),
        new PrintStream(err, true));
    assertEquals(0, rc);
    assertEquals(2, ClusterCli.run(new String[] {"bogus", dir.toString()}, new PrintStream(out, true),
        new PrintStream(err, true)));
  }

  /**
   * {@code cluster start -D key=value --conf FILE}: settings reach the cluster's configuration,
   * and -D wins over the file whatever their order (the fixed master port in use is the one the
   * -D names); a missing file and a -D without '=' are usage errors naming them.
   */
  @Test
  void startTakesMinusDAndConfFilesAndMinusDWins(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(); ServerSocket other = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      other.bind(new InetSocketAddress(0));
      Path conf = dir.resolve("cluster.properties");
      Files.writeString(conf, "bsp.master.address=localhost:" + other.getLocalPort() + "\n");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc = ClusterCli.run(new String[] {"start", dir.resolve("cluster").toString(),
          "-D", "bsp.master.address=localhost:" + taken.getLocalPort(), "--conf",
          conf.toString()}, new PrintStream(out, true), new PrintStream(err, true));
      String said = err.toString(StandardCharsets.UTF_8);
      assertEquals(1, rc, said);
      // The master was asked for the -D's port (in use), not the file's.
      assertTrue(said.contains("port " + taken.getLocalPort()), said);
      assertFalse(said.contains("port " + other.getLocalPort()), said);
      rc = ClusterCli.run(new String[] {"start", dir.resolve("c2").toString(), "--conf",
          dir.resolve("missing.xml").toString()}, new PrintStream(out, true),
          new PrintStream(err, true));
      assertEquals(2, rc);
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.xml: no such file"),
          err.toString(StandardCharsets.UTF_8));
      rc = ClusterCli.run(new String[] {"start", dir.resolve("c3").toString(), "-Dnovalue"},
          new PrintStream(out, true), new PrintStream(err, true));
      assertEquals(2, rc);
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("-D wants key=value"),
          err.toString(StandardCharsets.UTF_8));
    }
  }
}
