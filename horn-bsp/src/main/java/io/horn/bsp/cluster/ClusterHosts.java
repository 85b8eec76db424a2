package io.horn.bsp.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The hosts of a multi-host cluster: the master host (ZooKeeper, BSPMaster and, with HDFS, the
 * NameNode) and the worker hosts (a GroomServer and, with HDFS, a DataNode each), as Hadoop's
 * {@code workers} file lists them. Each name is what the other hosts reach that host by, and what
 * its daemons bind to. Immutable.
 */
public final class ClusterHosts {
  /** A host name or an IPv4 address; IPv6 literals are not supported (Hama's peer names). */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

  private final String master;
  private final List<String> workers;

  public ClusterHosts(String master, List<String> workers) {
    checkNotNull(master, "master");
    checkNotNull(workers, "workers");
    checkArgument(!workers.isEmpty(), "a cluster needs at least one worker host");
    checkHost(master, "the master host");
    Set<String> seen = new LinkedHashSet<>();
    for (String w : workers) {
      checkHost(w, "a worker host");
      checkArgument(seen.add(w), "worker host %s is listed twice", w);
    }
    this.master = master;
    this.workers = Collections.unmodifiableList(new ArrayList<>(workers));
  }

  /**
   * Reads a workers file: one host per line; blank lines and {@code #} comments are skipped.
   *
   * @throws IOException when it cannot be read, names no host, or a line is not a host name
   */
  public static List<String> readWorkers(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such workers file: " + file);
    }
    List<String> hosts = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      int hash = line.indexOf('#');
      String h = (hash >= 0 ? line.substring(0, hash) : line).trim();
      if (h.isEmpty()) {
        continue;
      }
      if (!HOST.matcher(h).matches()) {
        throw new IOException(file + " line " + n + ": '" + h + "' is not a host name or"
            + " address (one host per line)");
      }
      if (hosts.contains(h)) {
        throw new IOException(file + " line " + n + ": host " + h + " is listed twice");
      }
      hosts.add(h);
    }
    if (hosts.isEmpty()) {
      throw new IOException(file + " lists no host");
    }
    return hosts;
  }

  public String master() {
    return master;
  }

  /** The worker hosts, in file order (unmodifiable). */
  public List<String> workers() {
    return workers;
  }

  /** The master host, then the workers not equal to it. */
  public List<String> all() {
    List<String> out = new ArrayList<>();
    out.add(master);
    for (String w : workers) {
      if (!w.equals(master)) {
        out.add(w);
      }
    }
    return out;
  }

  private static void checkHost(String h, String what) {
    checkArgument(HOST.matcher(h).matches(), "%s '%s' is not a host name or IPv4 address", what,
        h);
  }

  @Override
  public String toString() {
    return "master " + master + ", workers " + workers;
  }
}
