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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

class LocalClusterTest {

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
}
