package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each launcher runs. ssh joins its arguments into one line for the remote login shell, so
 * the ssh launcher's last argument is run here by {@code sh -c}, as that shell would: a script
 * full of quotes, dollars, backslashes and newlines must come out unchanged.
 */
class HostLauncherTest {
  private static final String NASTY = "printf '%s|' \"it's\" '$HOME' \"a\\\\b\" 'x\"y'\n"
      + "echo; echo \"two words\" $((1+2))\n";

  private static String runLocally(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void sshQuotesTheScriptForTheRemoteShell() throws Exception {
    List<String> cmd = HostLauncher.ssh(List.of("-p", "2222")).command("node-7", NASTY);
    assertEquals(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", "2222",
        "node-7"), cmd.subList(0, cmd.size() - 1));
    String remote = runLocally(List.of("sh", "-c", cmd.get(cmd.size() - 1)));
    String direct = runLocally(List.of("sh", "-c", NASTY));
    assertEquals(direct, remote);
    assertTrue(direct.startsWith("it's|$HOME|a\\b|x\"y|"), direct);
  }

  @Test
  void netnsRunsInTheHostsNamespaceAndKnowsOnlyItsHosts() {
    HostLauncher l = HostLauncher.netns(Map.of("10.213.7.2", "horn-tb-h1"));
    assertEquals(List.of("ip", "netns", "exec", "horn-tb-h1", "sh", "-c", "true"),
        l.command("10.213.7.2", "true"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> l.command("10.213.7.9", "true"));
    assertTrue(e.getMessage().contains("10.213.7.9"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HostLauncher.of("telnet", Map.of(),
        List.of()));
  }

  @Test
  void runReturnsOutputAndStatusAndEndsAStuckCommandInTime() throws IOException {
    HostLauncher local = HostLauncher.local();
    HostLauncher.Result r = local.run("anyhost", "echo out; echo err >&2; exit 7", 10_000);
    assertEquals(7, r.exitCode);
    assertTrue(r.output.contains("out") && r.output.contains("err"), r.output);
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> local.run("slow", "sleep 30", 500));
    assertTrue(e.getMessage().contains("slow") && e.getMessage().contains("500 ms"),
        e.getMessage());
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "not ended in time");
  }
}
