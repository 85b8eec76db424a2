package io.horn.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Several "hosts" on this machine, for measuring the collectives over real links: each host is
 * a network namespace with one veth on a private bridge, its own address from 10.213.7.0/24 (a
 * range reserved for this test bed) and its link rate limited by a token bucket ({@code tc tbf}).
 * Traffic stays between the namespaces and the bridge made here. Needs root and iproute2.
 * Leftovers of an earlier run are removed first; {@link #close} removes everything.
 *
 * <p>Confined to one thread.
 */
final class Testbed implements AutoCloseable {
  private static final String PREFIX = "horn-tb";
  private static final String BRIDGE = PREFIX + "-br";
  private final int hosts;

  private Testbed(int hosts) {
    this.hosts = hosts;
  }

  /** Makes {@code hosts} namespaces whose links run at {@code rate} (tc syntax, e.g. 1gbit). */
  static Testbed up(int hosts, String rate) throws IOException, InterruptedException {
    if (!rate.matches("\\d+(k|m|g)?bit")) {
      throw new IllegalArgumentException("link rate '" + rate + "': want e.g. 1gbit or 100mbit");
    }
    cleanUp(8);
    Testbed t = new Testbed(hosts);
    try {
      sh("ip", "link", "add", BRIDGE, "type", "bridge");
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
        sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", veth, "root", "tbf", "rate",
            rate, "burst", "256kb", "latency", "10ms");
      }
      return t;
    } catch (IOException | InterruptedException | RuntimeException e) {
      t.close();
      throw e;
    }
  }

  int hosts() {
    return hosts;
  }

  /** Host {@code i}'s address. */
  static String address(int i) {
    return "10.213.7." + (i + 1);
  }

  /** The command prefix that runs a program on host {@code i}. */
  static List<String> on(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  private static String namespace(int i) {
    return PREFIX + "-h" + i;
  }

  @Override
  public void close() {
    cleanUp(Math.max(hosts, 8));
  }

  private static void cleanUp(int upTo) {
    for (int i = 0; i < upTo; i++) {
      quiet("ip", "netns", "del", namespace(i));
      quiet("ip", "link", "del", PREFIX + i + "-br");
    }
    quiet("ip", "link", "del", BRIDGE);
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("test bed: '" + String.join(" ", cmd) + "' failed: " + out
          + " (the test bed needs root and iproute2)");
    }
  }

  private static void quiet(String... cmd) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd)))
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      // nothing to remove, or no iproute2: either way nothing is left of ours
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
