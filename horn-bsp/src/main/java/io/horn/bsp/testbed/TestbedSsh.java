package io.horn.bsp.testbed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * An OpenSSH server on every host of a {@link Testbed}, so that a multi-host cluster on it can
 * be driven over ssh exactly as a real one is ({@code bin/horn testbed up --launcher ssh}): a
 * host key and a client key made for the occasion, root login by key only, each {@code sshd}
 * inside its host's namespace (so that {@link Testbed#down} ends it). Stateless.
 */
final class TestbedSsh {
  private TestbedSsh() {}

  /**
   * Starts {@code sshd} on each host of {@code bed}, its keys and configuration in {@code dir};
   * returns the ssh client options that log in to them.
   *
   * @throws IOException when there is no {@code /usr/sbin/sshd} (package openssh-server), or a
   *     server does not answer within 10 s
   */
  static List<String> start(Testbed bed, Path dir) throws IOException, InterruptedException {
    Path sshd = Paths.get("/usr/sbin/sshd");
    if (!Files.isExecutable(sshd)) {
      throw new IOException("--launcher ssh needs an OpenSSH server (" + sshd + ", package"
          + " openssh-server)");
    }
    Files.createDirectories(dir);
    Files.createDirectories(Paths.get("/run/sshd")); // sshd's privilege-separation directory
    Path hostKey = dir.resolve("ssh_host_ed25519_key");
    Path clientKey = dir.resolve("id_ed25519");
    for (Path key : List.of(hostKey, clientKey)) {
      if (!Files.exists(key)) {
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
      }
    }
    Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "# sshd of a Horn test bed host (generated)",
        "Port 22",
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PidFile none",
        ""), StandardCharsets.UTF_8);
    for (int i = 0; i < bed.hosts(); i++) {
      List<String> cmd = new java.util.ArrayList<>(Testbed.on(i));
      cmd.addAll(List.of(sshd.toString(), "-f", dir.resolve("sshd_config").toString()));
      run(cmd.toArray(new String[0]));
    }
    long end = System.nanoTime() + 10_000_000_000L;
    for (int i = 0; i < bed.hosts(); i++) {
      while (!listening(Testbed.address(i))) {
        if (System.nanoTime() > end) {
          throw new IOException("sshd on test-bed host " + Testbed.address(i)
              + " did not answer within 10 s");
        }
        Thread.sleep(100);
      }
    }
    return List.of("-i", clientKey.toString(), "-o", "StrictHostKeyChecking=no", "-o",
        "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR");
  }

  private static boolean listening(String host) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, 22), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("'" + String.join(" ", cmd) + "' failed: " + out);
    }
  }
}
