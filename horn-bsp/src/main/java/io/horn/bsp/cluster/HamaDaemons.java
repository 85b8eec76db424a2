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
    InetSocketAddress masterAddr = ClusterSettings.hostPort(cluster.masterAddress(), "bsp.master.address");
    // Another daemon may have been given this port as an ephemeral one since it was picked: the
    // master would die at bind while its port still answers, and a client would wait on the
    // stranger for ever.
    if (!ClusterSettings.portFree(masterAddr.getPort())) {
      throw new PortTakenException("the BSPMaster's port " + masterAddr.getPort()
          + " was taken by another process before the master started");
    }
    Process master = launcher.launch(Daemon.BSPMASTER, List.of());
    launcher.awaitPort(Daemon.BSPMASTER, master, masterAddr.getHostString(), masterAddr.getPort());
    Process groom = launcher.launch(Daemon.GROOMSERVER, List.of());
    awaitGroom(master, groom);
  }

  /** ZooKeeper answers its "ruok" four-letter command with "imok" once it serves. */
  private void awaitZooKeeper(Process p, int port) throws IOException {
    while (true) {
      launcher.checkAlive(Daemon.ZOOKEEPER, p);
      if (zooKeeperOk("localhost", port)) {
        return;
      }
      if (launcher.pastDeadline()) {
        throw launcher.failure("ZooKeeper did not answer on port " + port + " within "
            + launcher.timeoutSeconds() + " s", launcher.logPath(Daemon.ZOOKEEPER.id));
      }
      DaemonLauncher.sleep(100);
    }
  }

  /** Whether ZooKeeper at {@code host:port} answers "ruok" with "imok". */
  static boolean zooKeeperOk(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.setSoTimeout(2000);
      s.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)
          .equals("imok");
    } catch (IOException e) {
      return false;
    }
  }

  /** Thrown when a daemon's port was taken before it could bind it: start again, elsewhere. */
  static final class PortTakenException extends IOException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  /**
   * Runs a call of Hama's client, which has no deadline of its own, for at most 5 s (the
   * caller's loop then checks that the daemons live and retries).
   */
  static <T> T bounded(java.util.concurrent.Callable<T> call) throws IOException {
    java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(call);
    Thread t = new Thread(task, "horn-cluster-start-probe");
    t.setDaemon(true);
    t.start();
    try {
      return task.get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      t.interrupt();
      throw new IOException("no answer within 5 s");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause()
          : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
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
            client = bounded(() -> new BSPJobClient(conf));
          }
          BSPJobClient c = client;
          ClusterStatus st = bounded(() -> c.getClusterStatus(false));
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
