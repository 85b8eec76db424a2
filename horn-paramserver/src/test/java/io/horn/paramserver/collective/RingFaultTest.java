package io.horn.paramserver.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real faults: a member's JVM killed with SIGKILL, a connection from another job. */
class RingFaultTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "shm"})
  void aKilledMemberJvmFailsTheGroupPromptlyNamingIt(String transport) throws Exception {
    int p = 3;
    CollectiveOptions options = CollectiveOptions.of(60_000)
        .withSharedMemory(transport.equals("shm"));
    int len = 300_000;
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RingMemberMain.class.getName(), "2", Integer.toString(len), transport)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ExecutorService pool = Executors.newFixedThreadPool(p);
    List<RingEndpoint> endpoints = new ArrayList<>();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      String first = out.readLine();
      assertTrue(first != null && first.startsWith("address "), "child said: " + first);
      List<String> addresses = new ArrayList<>();
      for (int r = 0; r < p - 1; r++) {
        endpoints.add(RingEndpoint.open("127.0.0.1"));
        addresses.add(endpoints.get(r).address());
      }
      addresses.add(first.substring("address ".length()));
      Writer w = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      w.write(String.join(",", addresses) + "\n");
      w.flush();
      List<Future<Long>> runs = new ArrayList<>();
      for (int r = 0; r < p - 1; r++) {
        int rank = r;
        runs.add(pool.submit(() -> {
          try (GroupRing ring = endpoints.get(rank).join(new Handshake(Rings.SECRET), 0, rank,
              addresses, options)) {
            assertTrue(ring.transport().contains(transport), ring.transport());
            float[] buf = new float[len];
            long rounds = 0;
            while (true) {
              ring.allReduce(buf, 0, len);
              rounds++;
            }
          }
        }));
      }
      // Let it train a little, then kill the member's JVM outright.
      for (int i = 0; i < 20; i++) {
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("round"), "child said: " + line);
      }
      long t0 = System.nanoTime();
      child.destroyForcibly();
      for (Future<Long> f : runs) {
        Exception e = assertThrows(Exception.class, () -> f.get(20, TimeUnit.SECONDS));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("member 2"), msg);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      // Far below the 60 s deadline: a dead process's sockets close at once.
      assertTrue(secs < 10, "the group took " + secs + " s to notice");
    } finally {
      child.destroyForcibly();
      pool.shutdownNow();
    }
    long deadline = System.currentTimeMillis() + 3000;
    while (Rings.collectiveThreads() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, Rings.collectiveThreads(), "collective threads left behind");
    // The rings' files were removed as soon as both sides had mapped them.
    try (Stream<Path> left = Files.list(ShmRing.directory())) {
      assertEquals(0, left.filter(f -> f.getFileName().toString().startsWith("horn-ring-"))
          .count(), "shared-memory files left behind");
    }
  }

  @Test
  void aConnectionFromAnotherJobIsRefused() throws Exception {
    RingEndpoint a = RingEndpoint.open("127.0.0.1");
    RingEndpoint b = RingEndpoint.open("127.0.0.1");
    List<String> addresses = List.of(a.address(), b.address());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      // Another job's task claims to be member 1 of group 0, but holds another secret.
      Future<String> intruder = pool.submit(() -> {
        try (SocketChannel ch = SocketChannel.open(new java.net.InetSocketAddress("127.0.0.1",
            Integer.parseInt(a.address().split(":")[1])))) {
          Watchdog wd = new Watchdog("horn-collective-test-watchdog", 5000);
          try {
            Watchdog.Guard g = wd.guard(ch);
            Handshake other = new Handshake("another-jobs-secret-0123456789");
            Handshake.Identity id = new Handshake.Identity(Handshake.RING, 0, 1);
            other.hello(ch, id, g);
            other.prove(ch, id, g);
            other.confirmed(ch, g);
            return "accepted";
          } catch (java.io.IOException e) {
            return "refused: " + e.getMessage();
          } finally {
            wd.close();
          }
        }
      });
      Thread.sleep(200); // the intruder is first in the endpoint's queue
      Future<GroupRing> ja = pool.submit(() -> a.join(new Handshake(Rings.SECRET), 0, 0,
          addresses, CollectiveOptions.of(10_000)));
      Future<GroupRing> jb = pool.submit(() -> b.join(new Handshake(Rings.SECRET), 0, 1,
          addresses, CollectiveOptions.of(10_000)));
      String verdict = intruder.get(20, TimeUnit.SECONDS);
      assertTrue(verdict.startsWith("refused"), verdict);
      try (GroupRing ra = ja.get(20, TimeUnit.SECONDS);
          GroupRing rb = jb.get(20, TimeUnit.SECONDS)) {
        float[] x = {1, 2};
        float[] y = {10, 20};
        Future<?> f = pool.submit(() -> {
          rb.allReduce(y, 0, 2);
          return null;
        });
        ra.allReduce(x, 0, 2);
        f.get(10, TimeUnit.SECONDS);
        assertEquals(11f, x[0]);
        assertEquals(22f, y[1]);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
