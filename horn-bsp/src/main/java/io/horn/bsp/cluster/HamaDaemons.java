package io.horn.bsp.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.ClusterStatus;

/**
 * The Hama daemons of a {@link LocalCluster}: starts ZooKeeper, the BSPMaster and the one
 * GroomServer in that order, each once the one before it answers. Used once, by the thread that
 * starts the cluster.
 */
final class HamaDaemons {

  private final DaemonLauncher launcher;
  private final LocalCluster cluster;

  HamaDaemons(DaemonLauncher launcher, LocalCluster cluster) {
    this.launcher = launcher;
    this.cluster = cluster;
  }

  /** Starts the daemons and returns once a GroomServer has registered with the BSPMaster. */
  void start() throws IOException {
    int zkPort = Integer.parseInt(cluster.settings().get("hama.zookeeper.property.clientPort").trim());
    Process zk = launcher.launch(Daemon.ZOOKEEPER, List.of());
    awaitZooKeeper(zk, zkPort);
    Process master = launcher.launch(Daemon.BSPMASTER, List.of());
    InetSocketAddress masterAddr = ClusterSettings.hostPort(cluster.masterAddress(), "bsp.master.address");
    launcher.awaitPort(Daemon.BSPMASTER, master, masterAddr.getHostString(), masterAddr.getPort());
    Process groom = launcher.launch(Daemon.GROOMSERVER, List.of());
    awaitGroom(master, groom);
  }

  /** ZooKeeper answers its "ruok" four-letter command with "imok" once it serves. */
  private void awaitZooKeeper(Process p, int port) throws IOException {
    while (true) {
      launcher.checkAlive(Daemon.ZOOKEEPER, p);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("localhost", port), 500);
        s.setSoTimeout(2000);
        s.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        if (new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("imok")) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      if (launcher.pastDeadline()) {
        throw launcher.failure("ZooKeeper did not answer on port " + port + " within "
            + launcher.timeoutSeconds() + " s", launcher.logPath(Daemon.ZOOKEEPER.id));
      }
      DaemonLauncher.sleep(100);
    }
  }

  /**
   * Asks the BSPMaster for its cluster status until it reports a GroomServer. On timeout the
   * failure blames the GroomServer when the master answered, else the master.
   */
  private void awaitGroom(Process master, Process groom) throws IOException {
    HamaConfiguration conf = cluster.conf();
    conf.setInt("ipc.client.connect.max.retries", 1);
    String last = "no answer yet";
    BSPJobClient client = null;
    try {
      while (true) {
        launcher.checkAlive(Daemon.BSPMASTER, master);
        launcher.checkAlive(Daemon.GROOMSERVER, groom);
        try {
          if (client == null) {
            client = new BSPJobClient(conf);
          }
          ClusterStatus st = client.getClusterStatus(false);
          if (st != null && st.getGroomServers() >= 1) {
            launcher.say("BSPMaster at " + cluster.masterAddress() + ": " + st.getGroomServers()
                + " groom, " + st.getMaxTasks() + " task slots");
            return;
          }
          last = st == null ? "no status" : st.getGroomServers() + " GroomServers registered";
        } catch (IOException | RuntimeException e) {
          last = e.toString();
        }
        if (launcher.pastDeadline()) {
          boolean masterAnswered = last.contains("GroomServers registered");
          Daemon d = masterAnswered ? Daemon.GROOMSERVER : Daemon.BSPMASTER;
          throw launcher.failure((masterAnswered ? "no GroomServer registered with the BSPMaster at "
              : "the BSPMaster at ") + cluster.masterAddress() + (masterAnswered ? "" : " did not answer")
              + " within " + launcher.timeoutSeconds() + " s (" + last + ")", launcher.logPath(d.id));
        }
        DaemonLauncher.sleep(250);
      }
    } finally {
      if (client != null) {
        try {
          client.close();
        } catch (IOException | RuntimeException e) {
          // ignore
        }
      }
    }
  }
}
