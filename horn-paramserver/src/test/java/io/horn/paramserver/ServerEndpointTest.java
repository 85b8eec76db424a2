package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.Io;
import io.horn.paramserver.collective.Watchdog;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The parameter server over real loopback sockets: round trips, refusals, faults, shutdown. */
class ServerEndpointTest {
  private static final String HOST = "127.0.0.1";
  private static final Handshake HS = new Handshake("the-job-secret-0123456789");
  private static final long TIMEOUT = 500;

  private static float[] model(int n, float scale) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = scale * ((i % 1013) - 506) / 7f;
    }
    return w;
  }

  @AfterEach
  void noServerThreadIsLeftBehind() {
    List<String> alive = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("horn-paramserver"))
        .map(Thread::getName).collect(Collectors.toList());
    assertEquals(List.of(), alive);
  }

  @Test
  void pullPushAndDoneRoundTripALargeModelExactly() throws Exception {
    int n = 650_000;
    float[] initial = model(n, 1);
    ParameterServer ps = new ParameterServer(initial, 2, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 2, TIMEOUT);
        RemoteServerClient c = RemoteServerClient.connect(server.address(), HS, 1, n, TIMEOUT)) {
      float[] w = new float[n];
      c.pull(w);
      assertArrayEquals(initial, w);
      float[] delta = model(n, 0.001f);
      float[] expected = new float[n];
      for (int i = 0; i < n; i++) {
        expected[i] = initial[i] + delta[i];
      }
      assertFalse(c.pushAndPull(3, delta, delta), "no budget: never stop");
      assertArrayEquals(expected, delta, "the reply overwrote the delta array in place");
      assertArrayEquals(expected, ps.weights());
      c.done(3, "compute 1s", "0.5:3:0.25:0.9;1.0:6:0.2:0.95 \u00e9\u4e2d");
      assertEquals("compute 1s", ps.stats().get("group.1.leader.timing"));
      assertEquals("0.5:3:0.25:0.9;1.0:6:0.2:0.95 \u00e9\u4e2d", ps.stats().get("history.group.1"));
      assertEquals("3", ps.stats().get("ps.group.1.steps"));
      assertFalse(ps.awaitAllDone(0), "group 0 has not finished");
    }
  }

  @Test
  void twoGroupsPushConcurrentlyAndTheBudgetStopsThem() throws Exception {
    int n = 20_000;
    int pushes = 50;
    ParameterServer ps = new ParameterServer(new float[n], 2, 2 * pushes);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 2, TIMEOUT)) {
      Future<?>[] runs = new Future<?>[2];
      for (int g = 0; g < 2; g++) {
        int group = g;
        runs[g] = pool.submit(() -> {
          try (ParameterServerClient c =
              RemoteServerClient.connect(server.address(), HS, group, n, TIMEOUT)) {
            float[] buf = new float[n];
            boolean stop = false;
            for (int p = 0; p < pushes; p++) {
              Arrays.fill(buf, group + 1);
              stop = c.pushAndPull(1, buf, buf);
            }
            c.done(pushes, "", "");
            return stop;
          }
        });
      }
      boolean anyStop = false;
      for (Future<?> r : runs) {
        anyStop |= (Boolean) r.get();
      }
      assertTrue(anyStop, "the last push spent the budget");
      float[] expected = new float[n];
      Arrays.fill(expected, 3 * pushes);
      assertArrayEquals(expected, ps.weights());
      assertTrue(ps.awaitAllDone(1000));
      assertEquals(Integer.toString(pushes), ps.stats().get("ps.group.0.pushes"));
    } finally {
      pool.shutdownNow();
    }
  }

  /** A leader that goes away before it finished ends the server's wait at once, naming it. */
  @Test
  void aLostLeaderEndsTheServersWaitAtOnceNamingTheGroup() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 2, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 2, TIMEOUT)) {
      RemoteServerClient finished = RemoteServerClient.connect(server.address(), HS, 0, 3,
          TIMEOUT);
      finished.done(1, "", "");
      finished.close(); // after its done: harmless
      RemoteServerClient lost = RemoteServerClient.connect(server.address(), HS, 1, 3, TIMEOUT);
      lost.pull(new float[3]);
      lost.close(); // as its process would when killed: the connection closes
      long t0 = System.nanoTime();
      IOException e = assertThrows(IOException.class, () -> ps.awaitAllDone(600_000));
      assertTrue(e.getMessage().contains("group 1"), e.getMessage());
      assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the server noticed late");
    }
  }

  @Test
  void aRejectedPushNamesTheReasonAndLeavesTheWeights() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, TIMEOUT);
        RemoteServerClient c = RemoteServerClient.connect(server.address(), HS, 0, 3, TIMEOUT)) {
      IOException e = assertThrows(IOException.class,
          () -> c.pushAndPull(1, new float[] {0, Float.NaN, 0}, new float[3]));
      assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
      assertTrue(e.getMessage().contains(server.address()), e.getMessage());
      assertArrayEquals(new float[] {1, 2, 3}, ps.weights());
      float[] w = new float[3];
      c.pull(w); // a rejection does not break the connection
      assertArrayEquals(new float[] {1, 2, 3}, w);
      assertEquals("1", ps.stats().get("ps.rejected"));
    }
  }

  @Test
  void aClientOfAnotherJobOrAnUnknownGroupIsRefusedAndTheServerGoesOn() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {7}, 2, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 2, TIMEOUT)) {
      Handshake other = new Handshake("another-job-secret-987654");
      IOException e = assertThrows(IOException.class,
          () -> RemoteServerClient.connect(server.address(), other, 0, 1, TIMEOUT));
      assertTrue(e.getMessage().contains(server.address())
          && e.getMessage().contains("refused"), e.getMessage());
      e = assertThrows(IOException.class,
          () -> RemoteServerClient.connect(server.address(), HS, 2, 1, TIMEOUT));
      assertTrue(e.getMessage().contains("refused"), e.getMessage());
      e = assertThrows(IOException.class,
          () -> RemoteServerClient.connect(server.address(), HS, 0, 2, TIMEOUT));
      assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());
      try (RemoteServerClient good = RemoteServerClient.connect(server.address(), HS, 1, 1,
          TIMEOUT)) {
        float[] w = new float[1];
        good.pull(w);
        assertEquals(7f, w[0]);
      }
    }
  }

  @Test
  void aServerThatNeverAnswersFailsTheConnectWithinTheTimeout() throws Exception {
    try (ServerSocketChannel mute = ServerSocketChannel.open()) {
      mute.bind(new InetSocketAddress(HOST, 0));
      String address = HOST + ":" + ((InetSocketAddress) mute.getLocalAddress()).getPort();
      long t0 = System.nanoTime();
      IOException e = assertThrows(IOException.class,
          () -> RemoteServerClient.connect(address, HS, 0, 10, TIMEOUT));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(e.getMessage().contains("the parameter server at " + address
          + " did not answer within " + TIMEOUT + " ms"), e.getMessage());
      assertTrue(ms >= TIMEOUT - 50 && ms < TIMEOUT + 1500, ms + " ms");
    }
  }

  @Test
  void aStuckParameterServerFailsThePushWithinTheTimeout() throws Exception {
    int n = 1000;
    ParameterServer ps = new ParameterServer(new float[n], 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, TIMEOUT);
        RemoteServerClient c = RemoteServerClient.connect(server.address(), HS, 0, n, TIMEOUT)) {
      float[] w = new float[n];
      IOException e;
      long ms;
      synchronized (ps) { // the handler cannot enter the server while this test holds it
        long t0 = System.nanoTime();
        e = assertThrows(IOException.class, () -> c.pushAndPull(1, new float[n], w));
        ms = (System.nanoTime() - t0) / 1_000_000;
      }
      assertTrue(e.getMessage().contains("the parameter server at " + server.address()
          + " did not answer within " + TIMEOUT + " ms"), e.getMessage());
      assertTrue(ms < TIMEOUT + 1500, ms + " ms");
      IOException again = assertThrows(IOException.class, () -> c.pull(w));
      assertTrue(again.getMessage().contains("broke earlier"), again.getMessage());
      try (RemoteServerClient next = RemoteServerClient.connect(server.address(), HS, 0, n,
          TIMEOUT)) {
        next.pull(w); // the server itself is fine once unblocked
      }
    }
  }

  @Test
  void aDeadServerIsReportedAsSuch() throws Exception {
    ParameterServer ps = new ParameterServer(new float[4], 1, 0);
    ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, TIMEOUT);
    try (RemoteServerClient c = RemoteServerClient.connect(server.address(), HS, 0, 4, TIMEOUT)) {
      server.close();
      IOException e = assertThrows(IOException.class, () -> c.pull(new float[4]));
      assertTrue(e.getMessage().contains("the parameter server at " + server.address()
          + " closed the connection; its task has probably died"), e.getMessage());
    }
  }

  /** An authenticated connection speaking raw frames; the welcome frame already read. */
  private static SocketChannel raw(String address, int group, Watchdog wd) throws IOException {
    int colon = address.lastIndexOf(':');
    SocketChannel ch = SocketChannel.open(new InetSocketAddress(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1))));
    Watchdog.Guard g = wd.guard(ch);
    Handshake.Identity me = new Handshake.Identity(Handshake.PARAMSERVER, group, 0);
    HS.hello(ch, me, g);
    HS.prove(ch, me, g);
    HS.confirmed(ch, g);
    ByteBuffer welcome = ByteBuffer.allocate(ServerFrames.HEADER_BYTES);
    Io.readFully(ch, welcome, g);
    return ch;
  }

  /** Sends {@code request}, expects a fatal error naming {@code reason}, then the close. */
  private static void expectDropped(String address, ByteBuffer request, String reason,
      Watchdog wd) throws IOException {
    try (SocketChannel ch = raw(address, 0, wd)) {
      Watchdog.Guard g = wd.guard(ch);
      Io.writeFully(ch, request.flip(), g);
      ByteBuffer h = ByteBuffer.allocate(ServerFrames.HEADER_BYTES)
          .order(ByteOrder.LITTLE_ENDIAN);
      Io.readFully(ch, h, g);
      assertEquals(ServerFrames.ERROR, h.getInt(0));
      assertEquals(ServerFrames.FLAG_FATAL, h.getInt(4));
      ByteBuffer msg = ByteBuffer.allocate(h.getInt(12));
      Io.readFully(ch, msg, g);
      String text = new String(msg.array(), StandardCharsets.UTF_8);
      assertTrue(text.contains(reason), text);
      assertThrows(EOFException.class, () -> Io.readFully(ch, ByteBuffer.allocate(1), g),
          "the server closed the connection");
    }
  }

  private static ByteBuffer header(int kind, int flags, int group, int count, long steps) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    ServerFrames.putHeader(b, kind, flags, group, count, steps);
    return b.position(ServerFrames.HEADER_BYTES);
  }

  @Test
  void malformedRequestsAreRefusedWithoutAllocatingAndTheServerGoesOn() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {5, 6}, 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, TIMEOUT);
        Watchdog wd = new Watchdog("test-raw-client-watchdog", 2000)) {
      String a = server.address();
      expectDropped(a, header(ServerFrames.PUSH, 0, 0, Integer.MAX_VALUE, 1), "shape mismatch",
          wd);
      expectDropped(a, header(ServerFrames.PUSH, 0, 0, -5, 1), "shape mismatch", wd);
      expectDropped(a, header(ServerFrames.DONE, 0, 0, Integer.MAX_VALUE, 1), "done message",
          wd);
      expectDropped(a, header(ServerFrames.DONE, 0, 0, 8, 1).putInt(100).putInt(0),
          "timing claims 100", wd);
      expectDropped(a, header(99, 0, 0, 0, 0), "unknown request kind 99", wd);
      expectDropped(a, header(ServerFrames.PULL, 0, 3, 0, 0), "authenticated as group 0", wd);
      ByteBuffer garbage = ByteBuffer.allocate(ServerFrames.HEADER_BYTES);
      while (garbage.hasRemaining()) {
        garbage.put((byte) 0x7f);
      }
      expectDropped(a, garbage, "request flags", wd);
      // Half a header, then silence: dropped once the request stalls past the timeout.
      try (SocketChannel ch = raw(a, 0, wd)) {
        Watchdog.Guard g = wd.guard(ch);
        Io.writeFully(ch, ByteBuffer.wrap(new byte[10]), g);
        long t0 = System.nanoTime();
        assertThrows(EOFException.class, () -> Io.readFully(ch, ByteBuffer.allocate(1), g));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < TIMEOUT + 1500);
      }
      // The watchdog closed that socket; group 0's place is freed when its handler thread ends,
      // a moment later, and until then a new connection of group 0 is a duplicate: retry.
      RemoteServerClient good = null;
      long deadline = System.currentTimeMillis() + 5_000;
      while (good == null) {
        try {
          good = RemoteServerClient.connect(a, HS, 0, 2, TIMEOUT);
        } catch (IOException e) {
          if (System.currentTimeMillis() > deadline) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      try (RemoteServerClient c = good) {
        float[] w = new float[2];
        c.pull(w);
        assertArrayEquals(new float[] {5, 6}, w);
      }
    }
  }
}
