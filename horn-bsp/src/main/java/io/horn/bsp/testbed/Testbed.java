package io.horn.bsp.testbed;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several "hosts" on this machine: each host is a network namespace ({@code horn-tb-h<i>}) with
 * one veth on a private bridge ({@code horn-tb-br}), its own address {@code 10.213.7.<i+1>} from
 * 10.213.7.0/24 (a range reserved for this test bed) and, unless the rate is {@code none}, its
 * link limited in both directions by a token bucket ({@code tc tbf}), as a NIC of that speed
 * would be. The bridge itself has 10.213.7.254, so that this machine (the "client host") reaches
 * the hosts; the hosts have no route beyond the bridge, so their traffic stays inside it.
 *
 * <p>Needs root and iproute2. {@link #up} removes the leftovers of an earlier test bed first
 * (processes in its namespaces included); {@link #down} removes everything, is idempotent and
 * works after a crash. Confined to one thread.
 */
public final class Testbed implements AutoCloseable {
  static final String PREFIX = "horn-tb";
  static final String BRIDGE = PREFIX + "-br";
  /** The most hosts {@link #down} looks for. */
  static final int MAX_HOSTS = 16;
  /** This machine's address on the test bed's bridge. */
  public static final String CLIENT_ADDRESS = "10.213.7.254";

  private final int hosts;
  private final String rate;

  private Testbed(int hosts, String rate) {
    this.hosts = hosts;
    this.rate = rate;
  }

  /**
   * Makes {@code hosts} namespaces whose links run at {@code rate} (tc syntax, e.g. {@code 1gbit}
   * or {@code 100mbit}; {@code none} for no limit).
   *
   * @throws IOException naming the command that failed (not root, no iproute2, no tbf)
   */
  public static Testbed up(int hosts, String rate) throws IOException, InterruptedException {
    checkArgument(hosts >= 1 && hosts <= MAX_HOSTS, "hosts must be 1..%s, got %s", MAX_HOSTS,
        hosts);
    checkArgument(rate.equals("none") || rate.matches("\\d+(k|m|g)?bit"),
        "link rate '%s': want e.g. 1gbit, 100mbit or none", rate);
    requireRoot();
    down();
    Testbed t = new Testbed(hosts, rate);
    try {
      sh("ip", "link", "add", BRIDGE, "type", "bridge");
      sh("ip", "addr", "add", CLIENT_ADDRESS + "/24", "dev", BRIDGE);
      sh("ip", "link", "set", BRIDGE, "up");
      for (int i = 0; i < hosts; i++) {
        String ns = namespace(i);
        String veth = PREFIX + i;
        sh("ip", "netns", "add", ns);
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "-br");
        sh("ip", "link", "set", veth, "netns", ns);
        sh("ip", "link", "set", veth + "-br", "master", BRIDGE);
        sh("ip", "link", "set", veth + "-br", "up");
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", address(i) + "/24", "dev", veth);
        sh("ip", "netns", "exec", ns, "ip", "link", "set", veth, "up");
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        if (!rate.equals("none")) {
          // Out of the host, and (on the bridge's end) into it: a full-duplex link.
          sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", veth, "root", "tbf",
              "rate", rate, "burst", "256kb", "latency", "10ms");
          sh("tc", "qdisc", "add", "dev", veth + "-br", "root", "tbf", "rate", rate, "burst",
              "256kb", "latency", "10ms");
        }
      }
      return t;
    } catch (IOException | InterruptedException | RuntimeException e) {
      down();
      throw e;
    }
  }

  public int hosts() {
    return hosts;
  }

  /** The link rate, as given to {@link #up}. */
  public String rate() {
    return rate;
  }

  /** Host {@code i}'s address. */
  public static String address(int i) {
    return "10.213.7." + (i + 1);
  }

  /** Host {@code i}'s network namespace. */
  public static String namespace(int i) {
    return PREFIX + "-h" + i;
  }

  /** The command prefix that runs a program on host {@code i}. */
  public static List<String> on(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  /** Address to namespace, for hosts {@code 0..hosts-1}. */
  public Map<String, String> namespaces() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < hosts; i++) {
      m.put(address(i), namespace(i));
    }
    return m;
  }

  @Override
  public void close() {
    down();
  }

  /**
   * Removes every test-bed namespace (after SIGKILLing the processes still in it), veth and the
   * bridge; returns how many namespaces it removed. Safe to call when nothing is there.
   */
  public static int down() {
    int removed = 0;
    for (int i = 0; i < MAX_HOSTS; i++) {
      String ns = namespace(i);
      String pids = output("ip", "netns", "pids", ns);
      if (pids == null) {
        quiet("ip", "link", "del", PREFIX + i + "-br");
        continue;
      }
      for (String pid : pids.split("\\s+")) {
        if (!pid.isEmpty()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      awaitEmpty(ns);
      if (quiet("ip", "netns", "del", ns)) {
        removed++;
      }
      quiet("ip", "link", "del", PREFIX + i + "-br");
    }
    quiet("ip", "link", "del", BRIDGE);
    return removed;
  }

  /** The namespaces of a test bed that exist now. */
  public static List<String> existing() {
    List<String> out = new ArrayList<>();
    String list = output("ip", "netns", "list");
    if (list != null) {
      for (String line : list.split("\n")) {
        String name = line.trim().split(" ")[0];
        if (name.startsWith(PREFIX + "-h")) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /** Fails with a clear message unless this process runs as root. */
  static void requireRoot() throws IOException {
    requireRoot(output("id", "-u"));
  }

  /** Fails unless {@code uid} (what {@code id -u} printed; null if it failed) is root's. */
  static void requireRoot(String uid) throws IOException {
    if (uid == null || !uid.trim().equals("0")) {
      throw new IOException("the test bed needs root (it makes network namespaces, a bridge and"
          + " rate limits with ip and tc); this process runs as uid " + (uid == null ? "?"
          : uid.trim()));
    }
  }

  private static void awaitEmpty(String ns) {
    for (int k = 0; k < 50; k++) {
      String pids = output("ip", "netns", "pids", ns);
      if (pids == null || pids.isBlank()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("test bed: '" + String.join(" ", cmd) + "' failed: " + out
          + " (the test bed needs root, iproute2 and tc's tbf)");
    }
  }

  /** The command's output when it exits 0, else null. */
  private static String output(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static boolean quiet(String... cmd) {
    return output(cmd) != null;
  }
}
