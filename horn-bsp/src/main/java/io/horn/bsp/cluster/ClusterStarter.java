package io.horn.bsp.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * One start of a {@link LocalCluster}, behind {@link LocalCluster.Builder#start()}: refuses a work
 * directory whose cluster still runs, composes and writes the configuration, starts HDFS (when on)
 * and the Hama daemons, and records {@code cluster.properties}. When anything fails, whatever was
 * started is stopped again.
 */
final class ClusterStarter {

  private final LocalCluster.Builder b;
  private final Path work;

  ClusterStarter(LocalCluster.Builder b) {
    this.b = b;
    this.work = b.workDir;
  }

  LocalCluster start() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce();
      } catch (IOException e) {
        // A free port picked for a daemon can be handed to another process as an ephemeral one
        // before the daemon binds it: start again on other ports (the daemons started are
        // stopped by then).
        boolean portTaken = e instanceof HamaDaemons.PortTakenException
            || String.valueOf(e.getMessage()).contains("Address already in use");
        if (!portTaken || attempt >= 3) {
          throw e;
        }
        b.say("a port was taken while the cluster started (" + e.getMessage().lines()
            .findFirst().orElse("") + "); starting again on other ports");
      }
    }
  }

  private LocalCluster startOnce() throws IOException {
    long t0 = System.nanoTime();
    long deadlineNanos = t0 + b.startTimeout.toNanos();
    Files.createDirectories(work);
    List<String> running = Daemon.running(work);
    if (!running.isEmpty()) {
      throw new IOException("a cluster is already running from " + work + " ("
          + String.join(", ", running) + "); stop it first (bin/horn cluster stop)");
    }

    ClusterSettings settings = ClusterSettings.compose(b);
    settings.checkFixedPorts();
    Path confDir = work.resolve(LocalCluster.CONF_DIR);
    Files.createDirectories(confDir);
    Files.createDirectories(work.resolve(LocalCluster.LOG_DIR));
    Files.createDirectories(work.resolve(LocalCluster.PID_DIR));
    Files.createDirectories(work.resolve("tmp"));
    settings.write(confDir);

    LocalCluster cluster = new LocalCluster(work, settings.hama(), settings.hdfsUri(), b.detached);
    try {
      DaemonLauncher launcher = new DaemonLauncher(b, cluster, deadlineNanos);
      if (cluster.hdfsUri() != null) {
        new HdfsDaemons(launcher, work).start(cluster.hdfsUri());
      }
      new HamaDaemons(launcher, cluster).start();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    writeInfo(cluster, secs);
    b.say(String.format(Locale.ROOT, "cluster up in %.1f s", secs));
    return cluster;
  }

  /** {@code cluster.properties}: what {@code bin/horn cluster status} reports besides pid files. */
  private void writeInfo(LocalCluster cluster, double secs) throws IOException {
    Properties p = new Properties();
    p.setProperty("master.address", cluster.masterAddress());
    p.setProperty("tasks", String.valueOf(cluster.taskSlots()));
    p.setProperty("zookeeper.port", cluster.settings().get("hama.zookeeper.property.clientPort"));
    p.setProperty("master.http.port", cluster.settings().get("bsp.http.infoserver.port"));
    if (cluster.hdfsUri() != null) {
      p.setProperty("hdfs.uri", cluster.hdfsUri());
    }
    p.setProperty("fs.defaultFS", cluster.settings().get("fs.defaultFS"));
    p.setProperty("conf.dir", cluster.confDir().toString());
    p.setProperty("log.dir", cluster.logDir().toString());
    p.setProperty("started", Instant.now().toString());
    p.setProperty("startup.seconds", String.format(Locale.ROOT, "%.1f", secs));
    try (var out = Files.newBufferedWriter(work.resolve(LocalCluster.INFO_FILE), StandardCharsets.UTF_8)) {
      p.store(out, "Horn local Hama cluster (io.horn.bsp.cluster.LocalCluster)");
    }
  }
}
