package io.horn.bsp.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated configuration of a multi-host cluster: what clients read ({@code
 * <workdir>/conf}) and what each host's daemons read ({@code <workdir>/hosts/<host>/conf}).
 *
 * <p>Every daemon binds to its own host's address: the GroomServer and its tasks through {@code
 * bsp.peer.hostname}, the DataNode through {@code dfs.datanode.*}, ZooKeeper, the BSPMaster and
 * the NameNode to the master host. Ports are fixed (Hama's and Hadoop's usual ones unless the
 * builder's settings change them), since each host must know the others' ports before they
 * start. Directories of a host are under its own {@code hosts/<host>} directory, so that hosts
 * may share one file system (the test bed) or not (ssh, with the same paths on every host).
 * Not thread-safe; built once per start.
 */
final class HostSettings {
  /** The ports a multi-host cluster uses unless told otherwise. */
  static final Map<String, String> DEFAULT_PORTS = Map.of(
      "bsp.master.port", "40000",
      "bsp.http.infoserver.port", "40013",
      "bsp.groom.rpc.port", "50000",
      "bsp.http.groomserver.port", "40015",
      "bsp.peer.port", "61000",
      "hama.zookeeper.property.clientPort", "21810",
      "fs.defaultFS.port", "9000",
      "dfs.namenode.http.port", "50070");

  private final MultiHostCluster.Builder b;
  private final Map<String, String> client = new LinkedHashMap<>();

  HostSettings(MultiHostCluster.Builder b) throws IOException {
    this.b = b;
    compose();
  }

  /** A port setting: the builder's, else the default. */
  int port(String key) throws IOException {
    String v = b.extra.getOrDefault(key, DEFAULT_PORTS.get(key));
    return ClusterSettings.parsePort(v, key);
  }

  /** The clients' {@code hama-site.xml} (also the base of every host's). */
  Map<String, String> client() {
    return client;
  }

  String masterAddress() {
    return client.get("bsp.master.address");
  }

  String hdfsUri() {
    return b.hdfs ? client.get("fs.defaultFS") : null;
  }

  /** The directory of {@code host}'s daemons: configuration, logs, pids and data. */
  Path hostDir(String host) {
    return b.workDir.resolve("hosts").resolve(host);
  }

  private void compose() throws IOException {
    String m = b.hosts.master();
    String w = b.workDir.toString();
    client.put("bsp.master.address", m + ":" + port("bsp.master.port"));
    client.put("bsp.http.infoserver.port", String.valueOf(port("bsp.http.infoserver.port")));
    client.put("bsp.groom.rpc.port", String.valueOf(port("bsp.groom.rpc.port")));
    client.put("bsp.http.groomserver.port", String.valueOf(port("bsp.http.groomserver.port")));
    client.put("bsp.peer.port", String.valueOf(port("bsp.peer.port")));
    // The groom's report server serves its own task JVMs only.
    client.put("bsp.groom.report.address", "127.0.0.1:0");
    client.put("bsp.tasks.maximum", String.valueOf(b.tasks));
    // See ClusterSettings: closes Hama 0.7.1's ping-timeout race.
    client.put("bsp.groomserver.pingperiod", "200000000000");
    // Task JVM options come from the job's configuration, so they name no host's directory:
    // task logs (written by each groom) under <workdir>/logs on every host.
    client.put("bsp.child.java.opts", "-Xmx" + b.childHeap + " "
        + ClassLoaders.SYSTEM_LOADER_FLAG + " " + ClusterSettings.TASK_MODULE_FLAGS
        + " -Djava.io.tmpdir=" + w + "/tmp -Dhama.log.dir=" + w + "/" + LocalCluster.LOG_DIR
        + (b.childJvmOptions.isEmpty() ? "" : " " + b.childJvmOptions));
    client.put("hama.zookeeper.quorum", m);
    client.put("hama.zookeeper.property.clientPort",
        String.valueOf(port("hama.zookeeper.property.clientPort")));
    client.put("hama.zookeeper.property.tickTime", "2000");
    client.put("hama.zookeeper.property.initLimit", "10");
    client.put("hama.zookeeper.property.syncLimit", "5");
    client.put("hama.zookeeper.property.maxClientCnxns", "200");
    client.put("fs.defaultFS", b.hdfs ? "hdfs://" + m + ":" + port("fs.defaultFS.port")
        : "file:///");
    client.put("bsp.system.dir", b.hdfs ? "/tmp/hama/bsp/system" : w + "/bsp/system");
    client.put("bsp.local.dir", w + "/bsp/local");
    client.put("hama.tmp.dir", w + "/tmp/hama");
    client.put("hadoop.tmp.dir", w + "/tmp/hadoop");
    client.put("bsp.disk.queue.dir", w + "/tmp/hama/messages/");
    if (b.hdfs) {
      client.put("dfs.replication", String.valueOf(b.replication));
    }
    for (Map.Entry<String, String> e : b.extra.entrySet()) {
      if (!DEFAULT_PORTS.containsKey(e.getKey())) {
        client.put(e.getKey(), e.getValue());
      }
    }
  }

  /** {@code host}'s {@code hama-site.xml}: the clients' plus its own address and directories. */
  Map<String, String> hama(String host) {
    Map<String, String> h = new LinkedHashMap<>(client);
    String d = hostDir(host).toString();
    h.put("bsp.peer.hostname", host);
    h.put("bsp.local.dir", d + "/bsp/local");
    h.put("hama.tmp.dir", d + "/tmp/hama");
    h.put("hadoop.tmp.dir", d + "/tmp/hadoop");
    h.put("bsp.disk.queue.dir", d + "/tmp/hama/messages/");
    h.put("hama.zookeeper.property.dataDir", d + "/zookeeper");
    h.put("hama.zookeeper.property.clientPortAddress", b.hosts.master());
    return h;
  }

  /** {@code host}'s {@code core-site.xml}. */
  Map<String, String> core(String host) {
    return Map.of("fs.defaultFS", client.get("fs.defaultFS"),
        "hadoop.tmp.dir", hostDir(host) + "/tmp/hadoop");
  }

  /** {@code host}'s {@code hdfs-site.xml} (with HDFS on). */
  Map<String, String> hdfs(String host) throws IOException {
    Map<String, String> s = new LinkedHashMap<>();
    String m = b.hosts.master();
    s.put("dfs.replication", String.valueOf(b.replication));
    s.put("dfs.namenode.rpc-address", m + ":" + port("fs.defaultFS.port"));
    s.put("dfs.namenode.name.dir", hostDir(m).resolve("hdfs/name").toUri().toString());
    s.put("dfs.namenode.http-address", m + ":" + port("dfs.namenode.http.port"));
    s.put("dfs.namenode.secondary.http-address", m + ":0");
    s.put("dfs.datanode.data.dir", hostDir(host).resolve("hdfs/data").toUri().toString());
    s.put("dfs.datanode.address", host + ":0");
    s.put("dfs.datanode.http.address", host + ":0");
    s.put("dfs.datanode.ipc.address", host + ":0");
    // The name the NameNode hands to readers, and the one Hama matches a split's hosts against.
    s.put("dfs.datanode.hostname", host);
    s.put("dfs.namenode.datanode.registration.ip-hostname-check", "false");
    s.put("dfs.namenode.safemode.extension", "0");
    s.put("dfs.permissions.enabled", "false");
    s.put("dfs.heartbeat.interval", "1");
    for (Map.Entry<String, String> e : b.extra.entrySet()) {
      if (e.getKey().startsWith("dfs.")) {
        s.put(e.getKey(), e.getValue());
      }
    }
    return s;
  }

  /** The file names and settings a host's {@code conf/} holds. */
  Map<String, Map<String, String>> files(String host) throws IOException {
    Map<String, Map<String, String>> f = new LinkedHashMap<>();
    f.put("hama-site.xml", hama(host));
    f.put("core-site.xml", core(host));
    if (b.hdfs) {
      f.put("hdfs-site.xml", hdfs(host));
    }
    return f;
  }

}
