package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.Io;
import io.horn.paramserver.collective.Watchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live parameter server under attack from raw sockets while an authenticated group trains.
 *
 * <p>Each test starts a real {@link ServerEndpoint} over a real {@link ParameterServer} and a
 * {@link Trainer}: group 0's {@link RemoteServerClient}, pushing on its own thread and checking
 * after every push that the weights it gets back are exactly the initial ones plus its own
 * deltas, so a single value changed by anyone else fails it. Then the test attacks, and asserts
 * that the attacker's connection is closed in bounded time, that the honest group kept pushing
 * through the attack and finishes, and that the server's weights and step count are what the
 * honest pushes alone produce.
 *
 * <p>The endpoint has no counter of refused connections (it logs them); {@code ps.rejected}
 * counts rejected pushes, and staying 0 shows that no attacker's push even reached validation.
 */
class ServerEndpointAttackTest {
  private static final String HOST = "127.0.0.1";
  private static final String SECRET = "the-job-secret-0123456789";
  private static final Handshake HS = new Handshake(SECRET);
  /** The server's deadline for a stalled read, the handshake's included. */
  private static final long SERVER_TIMEOUT = 500;
  private static final long CLIENT_TIMEOUT = 5000;
  /** Scheduling slack on top of a deadline, for a loaded build machine. */
  private static final long SLACK = 1500;
  private static final int N = 10_000;
  /** The wire's handshake constants (Handshake.MAGIC, VERSION), little-endian like the rest. */
  private static final int MAGIC = 0x484f524e;
  private static final int VERSION = 1;

  @AfterEach
  void noServerThreadIsLeftBehind() {
    List<String> alive = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("horn-paramserver"))
        .map(Thread::getName).collect(Collectors.toList());
    assertEquals(List.of(), alive);
  }

  private static float[] initial() {
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = i % 100;
    }
    return w;
  }

  /** Group 0's honest delta: small integers, so that every sum is exact in float32. */
  private static float[] delta() {
    float[] d = new float[N];
    for (int i = 0; i < N; i++) {
      d[i] = (i % 7) + 1;
    }
    return d;
  }

  private static float[] expected(long pushes) {
    float[] w = initial();
    float[] d = delta();
    for (int i = 0; i < N; i++) {
      w[i] += pushes * d[i];
    }
    return w;
  }

  /** Group 0 training: pushes until told to stop, then done; checks every reply exactly. */
  private static final class Trainer implements AutoCloseable {
    final Thread thread;
    volatile boolean stop;
    volatile long pushes;
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Trainer(String address) throws InterruptedException {
      thread = new Thread(() -> {
        try (RemoteServerClient c =
            RemoteServerClient.connect(address, HS, 0, N, CLIENT_TIMEOUT)) {
          float[] d = delta();
          float[] w = new float[N];
          while (!stop) {
            assertFalse(c.pushAndPull(1, d, w), "no budget: never stop");
            pushes++;
            float[] want = expected(pushes);
            for (int i = 0; i < N; i++) {
              if (w[i] != want[i]) {
                throw new AssertionError("after " + pushes + " honest pushes weight " + i
                    + " is " + w[i] + ", not " + want[i] + ": someone else changed it");
              }
            }
            Thread.sleep(2);
          }
          c.done(pushes, "honest timing", "honest history");
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "honest-group-0");
      thread.start();
      awaitProgress(5); // connected and training before any attack
    }

    /** Waits until this group pushed {@code more} times more than now, or fails. */
    void awaitProgress(int more) throws InterruptedException {
      long from = pushes;
      long end = System.currentTimeMillis() + 10_000;
      while (pushes < from + more) {
        if (failure.get() != null) {
          throw new AssertionError("the honest group failed", failure.get());
        }
        if (System.currentTimeMillis() > end) {
          fail("the honest group made " + (pushes - from) + " pushes in 10 s, not " + more);
        }
        Thread.sleep(5);
      }
    }

    /** Stops the loop; the group sends done. */
    long finish() throws InterruptedException {
      stop = true;
      thread.join(CLIENT_TIMEOUT * 2);
      assertFalse(thread.isAlive(), "the honest group did not finish");
      if (failure.get() != null) {
        throw new AssertionError("the honest group failed", failure.get());
      }
      return pushes;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(CLIENT_TIMEOUT * 2);
    }
  }

  /** After the attacks: the honest group goes on, finishes, and alone made the weights. */
  private static void assertOnlyTheHonestGroupCounted(ParameterServer ps, Trainer honest)
      throws Exception {
    honest.awaitProgress(20);
    assertFalse(ps.awaitAllDone(0), "group 0 is still training: not done, and not lost");
    assertNull(ps.stats().get("group.0.leader.timing"), "no done was recorded for it");
    long pushes = honest.finish();
    assertTrue(ps.awaitAllDone(1000));
    assertArrayEquals(expected(pushes), ps.weights());
    assertEquals(Long.toString(pushes), ps.stats().get("ps.steps"));
    assertEquals(Long.toString(pushes), ps.stats().get("ps.group.0.pushes"));
    assertEquals("0", ps.stats().get("ps.rejected"), "no attacker's push reached validation");
    assertEquals("honest timing", ps.stats().get("group.0.leader.timing"));
  }

  private static Socket connect(ServerEndpoint server) throws IOException {
    String a = server.address();
    int colon = a.lastIndexOf(':');
    Socket s = new Socket();
    s.connect(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon
        + 1))), (int) CLIENT_TIMEOUT);
    return s;
  }

  /**
   * Reads whatever the server still sends until it closes the connection (end of stream or a
   * reset), and returns how many bytes came; fails if it is still open after {@code millis}.
   */
  private static int awaitClosedByServer(Socket s, long millis) throws IOException {
    long end = System.currentTimeMillis() + millis;
    InputStream in = s.getInputStream();
    byte[] b = new byte[1 << 16];
    int got = 0;
    while (true) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        fail("the server kept the attacker's connection open for " + millis + " ms");
      }
      s.setSoTimeout((int) left);
      try {
        int k = in.read(b);
        if (k < 0) {
          return got;
        }
        got += k;
      } catch (SocketTimeoutException e) {
        fail("the server kept the attacker's connection open for " + millis + " ms");
      } catch (SocketException e) {
        return got; // reset: the server closed with our bytes unread
      }
    }
  }

  /** Writes {@code b}; the server may already have closed, which is the point, not a failure. */
  private static void sendQuietly(Socket s, byte[] b) {
    try {
      OutputStream out = s.getOutputStream();
      out.write(b);
      out.flush();
    } catch (IOException e) {
      // refused before we finished sending
    }
  }

  private static byte[] hello(int purpose, int group, int member) {
    return ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(VERSION)
        .put((byte) purpose).putInt(group).putInt(member).array();
  }

  private static byte[] frame(int kind, int group, int count, long steps, int payloadBytes) {
    ByteBuffer b = ByteBuffer.allocate(ServerFrames.HEADER_BYTES + payloadBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    ServerFrames.putHeader(b, kind, 0, group, count, steps);
    b.position(ServerFrames.HEADER_BYTES);
    while (b.hasRemaining() && payloadBytes >= 4) {
      b.putFloat(1e6f); // a delta that would be plain to see in the weights
    }
    return b.array();
  }

  private static byte[] push(int group) {
    return frame(ServerFrames.PUSH, group, N, 1, 4 * N);
  }

  /** A connection authenticated with the job's secret as group {@code group}, welcomed. */
  private static SocketChannel insider(ServerEndpoint server, int group, Watchdog wd)
      throws IOException {
    String a = server.address();
    int colon = a.lastIndexOf(':');
    SocketChannel ch = SocketChannel.open(new InetSocketAddress(a.substring(0, colon),
        Integer.parseInt(a.substring(colon + 1))));
    Watchdog.Guard g = wd.guard(ch);
    Handshake.Identity me = new Handshake.Identity(Handshake.PARAMSERVER, group, 0);
    HS.hello(ch, me, g);
    HS.prove(ch, me, g);
    HS.confirmed(ch, g);
    ByteBuffer welcome = ByteBuffer.allocate(ServerFrames.HEADER_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    Io.readFully(ch, welcome, g);
    assertEquals(ServerFrames.WELCOME, welcome.getInt(0));
    return ch;
  }

  /** (a) Frame headers announcing 2^31-1 bytes, before the handshake and after it. */
  @Test
  void hugeLengthsAreRefusedWithAndWithoutAHandshake() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address());
        Watchdog wd = new Watchdog("attacker-watchdog", CLIENT_TIMEOUT)) {
      // No handshake: the header is read as a hello with a bad magic, and nothing is answered.
      for (int kind : new int[] {ServerFrames.PUSH, ServerFrames.DONE, ServerFrames.PULL}) {
        try (Socket s = connect(server)) {
          sendQuietly(s, frame(kind, 0, Integer.MAX_VALUE, Long.MAX_VALUE, 0));
          sendQuietly(s, new byte[4096]); // and the start of the "payload"
          long t0 = System.currentTimeMillis();
          assertEquals(0, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK), "not even a nonce");
          assertTrue(System.currentTimeMillis() - t0 < SERVER_TIMEOUT + SLACK);
        }
      }
      // A valid hello, then the huge header where the proof belongs: the proof is wrong.
      try (Socket s = connect(server)) {
        sendQuietly(s, hello(Handshake.PARAMSERVER, 0, 0));
        sendQuietly(s, frame(ServerFrames.PUSH, 0, Integer.MAX_VALUE, 1, 8));
        assertEquals(16, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK),
            "the nonce and no confirmation");
      }
      // Authenticated (a task holding the secret): the huge header gets a fatal error, and
      // nothing is allocated from it; the connection is closed.
      // (Another server: group 0 of this one is connected, and a group connects once.)
      try (ServerEndpoint other = ServerEndpoint.open(new ParameterServer(initial(), 2, 0), HOST,
          HS, 2, SERVER_TIMEOUT)) {
        for (byte[] header : new byte[][] {
            frame(ServerFrames.PUSH, 1, Integer.MAX_VALUE, 1, 0),
            frame(ServerFrames.DONE, 1, Integer.MAX_VALUE, 1, 0),
            frame(ServerFrames.PUSH, 1, -1, Integer.MAX_VALUE + 1L, 0),
            // Encoded pushes: more codes than values, and codes (1e6f's bits) out of range.
            frame(ServerFrames.PUSH_CODES, 1, Integer.MAX_VALUE, 1, 0),
            frame(ServerFrames.PUSH_CODES, 1, 2, 1, 12)}) {
          try (SocketChannel ch = insider(other, 1, wd)) {
            Io.writeFully(ch, ByteBuffer.wrap(header), wd.guard(ch));
            Socket s = ch.socket();
            ByteBuffer reply = ByteBuffer.allocate(ServerFrames.HEADER_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
            Io.readFully(ch, reply, wd.guard(ch));
            assertEquals(ServerFrames.ERROR, reply.getInt(0));
            assertEquals(ServerFrames.FLAG_FATAL, reply.getInt(4));
            int text = awaitClosedByServer(s, SERVER_TIMEOUT + SLACK);
            assertEquals(reply.getInt(12), text, "the reason, then the close");
          }
        }
      }
      assertOnlyTheHonestGroupCounted(ps, honest);
    }
  }

  /** (b) No secret: a wrong HMAC, a garbage hello, or no proof at all, each followed by a push. */
  @Test
  void pushesWithoutTheSecretAreNeverApplied() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    Random r = new Random(42);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address())) {
      for (int attempt = 0; attempt < 3; attempt++) {
        // A valid hello, the nonce read, a random 32-byte "HMAC", then a push.
        try (Socket s = connect(server)) {
          sendQuietly(s, hello(Handshake.PARAMSERVER, 0, 0));
          s.setSoTimeout((int) CLIENT_TIMEOUT);
          s.getInputStream().readNBytes(16);
          byte[] mac = new byte[32];
          r.nextBytes(mac);
          sendQuietly(s, mac);
          sendQuietly(s, push(0));
          assertEquals(0, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK), "no OK byte");
        }
        // Garbage from the first byte, then a push.
        try (Socket s = connect(server)) {
          byte[] junk = new byte[17];
          r.nextBytes(junk);
          sendQuietly(s, junk);
          sendQuietly(s, push(0));
          assertEquals(0, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK));
        }
        // A valid hello, then the push at once, as if authentication were optional.
        try (Socket s = connect(server)) {
          sendQuietly(s, hello(Handshake.PARAMSERVER, 0, 0));
          sendQuietly(s, push(0));
          assertEquals(16, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK), "the nonce only");
        }
        // Claims the server cannot accept whatever the proof: a ring member, another group.
        for (byte[] claim : new byte[][] {hello(Handshake.RING, 0, 0),
            hello(Handshake.PARAMSERVER, 5, 0), hello(Handshake.PARAMSERVER, 0, 3)}) {
          try (Socket s = connect(server)) {
            sendQuietly(s, claim);
            sendQuietly(s, new byte[32]);
            sendQuietly(s, push(0));
            assertEquals(16, awaitClosedByServer(s, SERVER_TIMEOUT + SLACK));
          }
        }
        honest.awaitProgress(3); // trains on between the attacks
      }
      assertOnlyTheHonestGroupCounted(ps, honest);
    }
  }

  /** (c) A task of another job (a wrong secret) cannot end group 0's training with a done. */
  @Test
  void aDoneWithAWrongSecretIsNotRecorded() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    Handshake other = new Handshake("another-job-secret-987654");
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address());
        Watchdog wd = new Watchdog("attacker-watchdog", CLIENT_TIMEOUT)) {
      IOException refused = assertThrows(IOException.class,
          () -> RemoteServerClient.connect(server.address(), other, 0, N, CLIENT_TIMEOUT));
      assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
      // The same by hand: prove with the wrong key, ignore the refusal, send a done anyway.
      String a = server.address();
      int colon = a.lastIndexOf(':');
      try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(a.substring(0, colon),
          Integer.parseInt(a.substring(colon + 1))))) {
        Watchdog.Guard g = wd.guard(ch);
        Handshake.Identity me = new Handshake.Identity(Handshake.PARAMSERVER, 0, 0);
        other.hello(ch, me, g);
        other.prove(ch, me, g);
        assertThrows(IOException.class, () -> other.confirmed(ch, g), "refused");
        byte[] text = "attacker timing".getBytes(StandardCharsets.UTF_8);
        ByteBuffer done = ByteBuffer.allocate(ServerFrames.HEADER_BYTES + 4 + text.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        ServerFrames.putHeader(done, ServerFrames.DONE, 0, 0, 4 + text.length, 1);
        done.position(ServerFrames.HEADER_BYTES);
        done.putInt(text.length).put(text).flip();
        try {
          Io.writeFully(ch, done, g);
        } catch (IOException e) {
          // already closed by the server
        }
        assertEquals(0, awaitClosedByServer(ch.socket(), SERVER_TIMEOUT + SLACK));
      }
      assertOnlyTheHonestGroupCounted(ps, honest);
    }
  }

  /** (d) Connections that send nothing are all dropped, and the honest group trains on. */
  @Test
  void silentConnectionsAreDroppedAndTheHonestGroupTrainsOn() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    int k = 12;
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address())) {
      List<Socket> silent = new ArrayList<>();
      try {
        for (int i = 0; i < k; i++) {
          silent.add(connect(server));
        }
        honest.awaitProgress(20); // its own connection is served meanwhile
        // Handshakes run one at a time on the accept thread, each under its own deadline, so
        // the last waits for those before it: bounded, but by k deadlines (see the disabled
        // test below).
        long bound = k * SERVER_TIMEOUT + 2 * SLACK;
        long t0 = System.currentTimeMillis();
        for (Socket s : silent) {
          long left = Math.max(1, bound - (System.currentTimeMillis() - t0));
          assertEquals(0, awaitClosedByServer(s, left), "no byte was sent to them");
        }
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
      assertOnlyTheHonestGroupCounted(ps, honest);
    }
  }

  @Test
  void eachSilentConnectionIsDroppedWithinTheHandshakeDeadline() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 2, 0);
    int k = 12;
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 2, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address())) {
      List<Socket> silent = new ArrayList<>();
      try {
        long t0 = System.currentTimeMillis();
        for (int i = 0; i < k; i++) {
          silent.add(connect(server));
        }
        // Group 1 connects during the flood, with a timeout twice the server's.
        long c0 = System.currentTimeMillis();
        try (RemoteServerClient late =
            RemoteServerClient.connect(server.address(), HS, 1, N, 2 * SERVER_TIMEOUT)) {
          late.pull(new float[N]);
        }
        assertTrue(System.currentTimeMillis() - c0 < 2 * SERVER_TIMEOUT);
        for (Socket s : silent) {
          awaitClosedByServer(s, Math.max(1, SERVER_TIMEOUT + SLACK
              - (System.currentTimeMillis() - t0)));
        }
      } finally {
        for (Socket s : silent) {
          s.close();
        }
      }
      honest.finish();
    }
  }

  @Test
  void aTricklingHandshakeIsDroppedWithinTheDeadline() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Socket s = connect(server)) {
      long t0 = System.currentTimeMillis();
      byte[] hello = hello(Handshake.PARAMSERVER, 0, 0);
      boolean dropped = false;
      for (int i = 0; i < hello.length && !dropped; i++) {
        try {
          s.getOutputStream().write(hello[i]);
          s.getOutputStream().flush();
        } catch (IOException e) {
          dropped = true;
        }
        Thread.sleep(SERVER_TIMEOUT / 2);
        if (System.currentTimeMillis() - t0 > SERVER_TIMEOUT + SLACK) {
          break;
        }
      }
      try {
        awaitClosedByServer(s, Math.max(100, SERVER_TIMEOUT + SLACK
            - (System.currentTimeMillis() - t0)));
      } catch (AssertionError e) {
        fail("a handshake trickling one byte per " + SERVER_TIMEOUT / 2 + " ms was still open "
            + (System.currentTimeMillis() - t0) + " ms after connecting (timeout "
            + SERVER_TIMEOUT + " ms)");
      }
    }
  }

  @Test
  void aDuplicateConnectionHangingUpDoesNotCondemnTheLiveGroup() throws Exception {
    ParameterServer ps = new ParameterServer(initial(), 1, 0);
    try (ServerEndpoint server = ServerEndpoint.open(ps, HOST, HS, 1, SERVER_TIMEOUT);
        Trainer honest = new Trainer(server.address());
        Watchdog wd = new Watchdog("attacker-watchdog", CLIENT_TIMEOUT)) {
      // Holding the secret is not enough to take a connected group's place: refused at once.
      assertThrows(IOException.class, () -> insider(server, 0, wd).close());
      assertTrue(server.refusedConnections() >= 1);
      Thread.sleep(200);
      assertOnlyTheHonestGroupCounted(ps, honest);
    }
  }
}
