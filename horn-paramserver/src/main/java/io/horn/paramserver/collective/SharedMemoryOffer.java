package io.horn.paramserver.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a link's handshake, its two ends agree on how its bytes travel: through a {@link
 * ShmRing} when both run on the same host, else through the TCP connection itself. The receiving
 * end offers a ring it created (its path and token) when the connection's two addresses are the
 * same; the sending end maps it and answers whether the token matched. Either side falls back to
 * TCP on any doubt (another host with the same address, no shared-memory directory, no room).
 *
 * <p>The steps are ordered like the handshake: every member first offers to its left
 * neighbour, then answers its right one's offer, then reads its left one's answer, so no member
 * waits on another in a cycle.
 */
final class SharedMemoryOffer {
  private static final Logger LOG = LoggerFactory.getLogger(SharedMemoryOffer.class);
  /** 4 MiB: a whole 2.6 MB gradient fits, so a sender rarely waits for room. */
  static final int CAPACITY = 1 << 22;

  private SharedMemoryOffer() {}

  /** Receiving end: makes and offers a ring when the sender is on this host; null otherwise. */
  static ShmRing offer(SocketChannel fromSender, boolean allowed, Watchdog.Guard g)
      throws IOException {
    ShmRing ring = null;
    if (allowed && sameHost(fromSender)) {
      try {
        ring = ShmRing.create(CAPACITY);
      } catch (IOException | RuntimeException e) {
        LOG.info("no shared memory for a group link ({}); using TCP", e.toString());
      }
    }
    byte[] path = ring == null ? new byte[0]
        : ring.path().toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + path.length + ShmRing.TOKEN_BYTES);
    b.putShort((short) path.length).put(path);
    b.put(ring == null ? new byte[ShmRing.TOKEN_BYTES] : ring.token()).flip();
    Io.writeFully(fromSender, b, g);
    return ring;
  }

  /** Sending end: maps the offered ring if it can; answers; returns it or null for TCP. */
  static ShmRing answer(SocketChannel toReceiver, Watchdog.Guard g) throws IOException {
    ByteBuffer len = ByteBuffer.allocate(2);
    Io.readFully(toReceiver, len, g);
    int n = len.getShort(0);
    if (n < 0 || n > 4096) {
      throw new IOException("bad shared-memory offer (path of " + n + " bytes)");
    }
    ByteBuffer rest = ByteBuffer.allocate(n + ShmRing.TOKEN_BYTES);
    Io.readFully(toReceiver, rest, g);
    ShmRing ring = null;
    if (n > 0) {
      byte[] path = new byte[n];
      byte[] token = new byte[ShmRing.TOKEN_BYTES];
      rest.flip();
      rest.get(path).get(token);
      try {
        ring = ShmRing.open(Paths.get(new String(path, StandardCharsets.UTF_8)), token,
            CAPACITY);
      } catch (IOException | RuntimeException e) {
        LOG.info("could not map the offered ring ({}); using TCP", e.toString());
      }
    }
    Io.writeFully(toReceiver, ByteBuffer.wrap(new byte[] {(byte) (ring != null ? 1 : 0)}), g);
    return ring;
  }

  /** Receiving end: whether the sender mapped the ring; the ring's file is removed either way. */
  static ShmRing accepted(SocketChannel fromSender, ShmRing offered, Watchdog.Guard g)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    Io.readFully(fromSender, b, g);
    if (offered == null) {
      return null;
    }
    offered.unlink();
    return b.get(0) == 1 ? offered : null;
  }

  private static boolean sameHost(SocketChannel ch) throws IOException {
    return ((InetSocketAddress) ch.getRemoteAddress()).getAddress()
        .equals(((InetSocketAddress) ch.getLocalAddress()).getAddress());
  }
}
