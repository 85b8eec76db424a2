package io.horn.bsp.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;

/**
 * The HDFS of a {@link LocalCluster}: formats the namespace on the first start (in {@code
 * <workdir>/hdfs}, kept across stop and start), then starts a NameNode and a DataNode and waits
 * until HDFS is writable. Used once, by the thread that starts the cluster.
 */
final class HdfsDaemons {

  private final DaemonLauncher launcher;
  private final Path work;

  HdfsDaemons(DaemonLauncher launcher, Path work) {
    this.launcher = launcher;
    this.work = work;
  }

  /**
   * Formats HDFS when it has no namespace yet, starts the NameNode and the DataNode, and returns
   * once HDFS at {@code hdfsUri} is out of safe mode with a live DataNode that has space.
   */
  void start(String hdfsUri) throws IOException {
    Path name = work.resolve("hdfs/name");
    if (!Files.isRegularFile(name.resolve("current/VERSION"))) {
      // A fresh namespace; an old DataNode directory would carry another cluster id.
      Processes.deleteTree(work.resolve("hdfs"), work);
      launcher.say("formatting HDFS in " + name);
      format();
    }
    URI uri = URI.create(hdfsUri);
    writeWebapps();
    Process nn = launcher.launch(Daemon.NAMENODE, List.of());
    launcher.awaitPort(Daemon.NAMENODE, nn, uri.getHost(), uri.getPort());
    Process dn = launcher.launch(Daemon.DATANODE, List.of());
    awaitReady(hdfsUri, nn, dn);
  }

  /** Runs {@code NameNode -format} to completion (log {@code namenode-format.log}). */
  private void format() throws IOException {
    Process format = launcher.launch(Daemon.NAMENODE,
        List.of("-format", "-nonInteractive", "-force"), "namenode-format", false);
    try {
      if (!format.waitFor(Math.max(1, launcher.remainingMillis()), TimeUnit.MILLISECONDS)) {
        format.destroyForcibly();
        throw launcher.failure("NameNode -format did not finish in time",
            launcher.logPath("namenode-format"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      format.destroyForcibly();
      throw new IOException("interrupted while formatting HDFS", e);
    }
    if (format.exitValue() != 0) {
      throw launcher.failure("NameNode -format exited with code " + format.exitValue(),
          launcher.logPath("namenode-format"));
    }
  }

  /**
   * Hadoop 2.10's hadoop-hdfs jar lacks the {@code webapps/} tree that the NameNode's and
   * DataNode's HTTP servers need (only its tests jar has it); without it they exit with "webapps/hdfs
   * not found in CLASSPATH". Stand-ins (empty web applications) go last on those daemons' class
   * path, so real ones win where present.
   */
  private void writeWebapps() throws IOException {
    Path root = work.resolve(LocalCluster.HDFS_WEBAPPS);
    for (Map.Entry<String, String> f : webappFiles().entrySet()) {
      Path p = root.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** The stand-in web applications: path under {@link LocalCluster#HDFS_WEBAPPS} to content. */
  static Map<String, String> webappFiles() {
    String webXml = "<?xml version=\"1.0\"?>\n<web-app version=\"2.4\" "
        + "xmlns=\"http://java.sun.com/xml/ns/j2ee\">\n</web-app>\n";
    Map<String, String> files = new LinkedHashMap<>();
    for (String app : List.of("hdfs", "datanode", "secondary", "journal")) {
      files.put("webapps/" + app + "/WEB-INF/web.xml", webXml);
      files.put("webapps/" + app + "/index.html", "<html><body>Horn local HDFS (" + app
          + "): the web UI is not packaged; use bin/horn class org.apache.hadoop.fs.FsShell"
          + "</body></html>\n");
    }
    files.put("webapps/static/README.txt", "placeholder\n");
    return files;
  }

  /** Polls the NameNode until HDFS is out of safe mode and a live DataNode has space. */
  private void awaitReady(String hdfsUri, Process nn, Process dn) throws IOException {
    Configuration c = new Configuration();
    c.set("fs.defaultFS", hdfsUri);
    c.setInt("ipc.client.connect.max.retries", 1);
    c.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
    String last = "no answer yet";
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfsUri), c)) {
      DistributedFileSystem dfs = (DistributedFileSystem) fs;
      while (true) {
        launcher.checkAlive(Daemon.NAMENODE, nn);
        launcher.checkAlive(Daemon.DATANODE, dn);
        try {
          boolean safe = dfs.setSafeMode(HdfsConstants.SafeModeAction.SAFEMODE_GET);
          DatanodeInfo[] live = dfs.getDataNodeStats(HdfsConstants.DatanodeReportType.LIVE);
          long remaining = 0;
          for (DatanodeInfo d : live) {
            remaining += d.getRemaining();
          }
          if (!safe && live.length >= 1 && remaining > 0) {
            launcher.say("HDFS up at " + hdfsUri);
            return;
          }
          last = (safe ? "in safe mode" : "out of safe mode") + ", " + live.length
              + " live DataNode(s), " + remaining + " bytes free";
        } catch (IOException e) {
          last = e.toString();
        }
        if (launcher.pastDeadline()) {
          Daemon d = last.contains("live DataNode") ? Daemon.DATANODE : Daemon.NAMENODE;
          throw launcher.failure("HDFS at " + hdfsUri + " was not ready within "
              + launcher.timeoutSeconds() + " s (" + last + ")", launcher.logPath(d.id));
        }
        DaemonLauncher.sleep(200);
      }
    }
  }
}
