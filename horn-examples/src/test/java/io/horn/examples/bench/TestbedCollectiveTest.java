package io.horn.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.bsp.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three member JVMs on three network-namespace "hosts" (each with its own address and a 1 Gbit/s
 * link) form a ring over TCP and all-reduce; each member checks the sums it got. Needs root and
 * iproute2, so it skips, saying why, where those are missing.
 */
@Tag("root")
class TestbedCollectiveTest {

  @Test
  void aRingAcrossThreeHostsSumsExactlyOverTcp() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "needs root to make network namespaces (ip netns)");
    assumeTrue(Files.isExecutable(Paths.get("/usr/sbin/ip"))
        || Files.isExecutable(Paths.get("/sbin/ip")), "needs iproute2 (ip)");
    Testbed made;
    try {
      made = Testbed.up(3, "1gbit");
    } catch (java.io.IOException e) {
      // e.g. root inside a container without CAP_NET_ADMIN
      Assumptions.abort("the network test bed cannot be made here: " + e.getMessage());
      return;
    }
    try (Testbed bed = made;
        MemberGroup g = MemberGroup.start(true, "ring", 3, 65_537, "fp32", 3, 1, "tcp")) {
      g.rendezvous("testbed-secret-0123456789abcdef");
      for (int m = 0; m < 3; m++) {
        // A member prints @ring only after it checked every summed value.
        Map<String, String> r = g.expect(m, "@ring", 60_000);
        assertTrue(Long.parseLong(r.get("median_ns")) > 0, r.toString());
      }
      g.awaitExit(60_000);
    }
    Process p = new ProcessBuilder("ip", "netns", "list").start();
    assertEquals("", new String(p.getInputStream().readAllBytes()).replaceAll(
        "(?m)^(?!horn-tb).*$\\n?", ""), "test-bed namespaces left behind");
  }
}
