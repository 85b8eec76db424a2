package io.horn.paramserver.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The receiving half of a link from one neighbour: reads frames on the caller's thread into one
 * direct buffer and decodes (or decodes and adds) them into the caller's array. Every read runs
 * under the watchdog, and every header is checked against what the protocol expects next.
 *
 * <p>Thread-safety: confined to the collective's calling thread; {@link #close} from any thread.
 */
final class InLink implements AutoCloseable {
  private final SocketChannel channel;
  private final Watchdog.Guard guard;
  private final String peer;
  private final long timeoutMillis;
  private final long heartbeatMillis;
  private final ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER_BYTES)
      .order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer payload;
  private int frames;
  private ShmRing shm;
  private ByteBuffer ring;
  private ShmWaiter arrivals;
  /** The writer's position in the ring, read through one supplier made once. */
  private java.util.function.LongSupplier written;
  private long read;
  private long next;

  /**
   * @param guard its deadline is the heartbeat's: any frame, heartbeats included, resets it
   * @param timeoutMillis how long a live neighbour may send heartbeats but no data
   */
  InLink(SocketChannel channel, Watchdog.Guard guard, String peer, int maxPieceValues,
      long timeoutMillis, long heartbeatMillis) {
    this.channel = channel;
    this.guard = guard;
    this.peer = peer;
    this.timeoutMillis = timeoutMillis;
    this.heartbeatMillis = heartbeatMillis;
    this.payload = ByteBuffer.allocateDirect(maxPieceValues * 8).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Receives frames through {@code r} from now on; the TCP connection (non-blocking from now on)
   * only carries the neighbour's {@link Frame#ABORT}, heartbeats and end of stream.
   */
  void useSharedMemory(ShmRing r) throws IOException {
    channel.configureBlocking(false);
    this.ring = r.data();
    this.arrivals = new ShmWaiter(channel, guard, peer);
    this.written = r::writePosition;
    this.shm = r;
  }

  /**
   * Reads the next frame, {@code n} values in {@code f}, into {@code dst[off, off+n)}: added to
   * what is there when {@code add}, else written over it.
   */
  void read(float[] dst, int off, int n, WireFormat f, boolean add, Object during)
      throws CollectiveException {
    ByteBuffer src = frame(Frame.VALUES, n, n * f.bytesPerValue(), during);
    if (add) {
      f.decodeAdd(src, dst, off, n);
    } else {
      f.decode(src, dst, off, n);
    }
    release();
  }

  /** Reads the next frame, {@code n} doubles, into {@code dst[off, off+n)}. */
  void read(double[] dst, int off, int n, Object during) throws CollectiveException {
    ByteBuffer src = frame(Frame.DOUBLES, n, n * 8, during);
    for (int i = 0; i < n; i++) {
      dst[off + i] = src.getDouble();
    }
    release();
  }

  String transport() {
    return shm != null ? "shm" : "tcp";
  }

  /** Frees the frame just decoded (its room in the shared ring). */
  private void release() {
    if (shm != null) {
      read = next;
      shm.publishRead(read);
    }
  }

  /** Waits for the next frame, checks its header and returns its payload, positioned. */
  private ByteBuffer frame(int kind, int count, int bytes, Object during)
      throws CollectiveException {
    try {
      if (shm != null) {
        return sharedFrame(kind, count, bytes, during);
      }
      int k;
      int seq;
      int c;
      // The data deadline runs while the neighbour only says it lives: one that waits itself
      // (WAITING) leaves the verdict to the member next to the stall.
      long began = System.nanoTime();
      while (true) {
        header.clear();
        Io.readFully(channel, header, guard);
        header.flip();
        k = header.getInt();
        seq = header.getInt();
        c = header.getInt();
        if (!Frame.isBeat(k)) {
          break;
        }
        if (k == Frame.WAITING) {
          began = System.nanoTime();
        } else if (System.nanoTime() - began > timeoutMillis * 1_000_000L) {
          throw aliveButSilent(during);
        }
      }
      if (k == Frame.ABORT && c >= 0 && c <= payload.capacity()) {
        payload.clear().limit(c);
        Io.readFully(channel, payload, guard);
        payload.flip();
        byte[] msg = new byte[c];
        payload.get(msg);
        throw new CollectiveException("member " + peer + " gave up during " + during + ": "
            + new String(msg, StandardCharsets.UTF_8));
      }
      if (k != kind || seq != frames || c != count) {
        throw new CollectiveException("member " + peer + " sent frame #" + seq + " ("
            + Frame.name(k) + ", " + c + ") where frame #" + frames + " (" + Frame.name(kind)
            + ", " + count + ") was due during " + during + "; the members are out of step");
      }
      frames++;
      payload.clear().limit(bytes);
      Io.readFully(channel, payload, guard);
      payload.flip();
      return payload;
    } catch (CollectiveException e) {
      throw e;
    } catch (IOException e) {
      if (guard.expired()) {
        throw new CollectiveException("nothing from member " + peer + ", not even a heartbeat, "
            + "for " + heartbeatMillis + " ms during " + during + "; its process is dead or "
            + "frozen, or its host unreachable", e);
      }
      throw new CollectiveException("member " + peer + " closed the connection during "
          + during + " (" + e.getMessage() + "); its task has probably died", e);
    }
  }

  private ByteBuffer sharedFrame(int kind, int count, int bytes, Object during)
      throws IOException {
    int cap = shm.capacity();
    long at = read;
    while (true) {
      arrivals.await(written, at + ShmFrames.HEADER, timeoutMillis,
          () -> aliveButSilent(during));
      int off = (int) (at & (cap - 1));
      ring.limit(cap);
      if (ring.getInt(off) == ShmFrames.PAD) {
        at += cap - off;
        continue;
      }
      int k = ring.getInt(off);
      int seq = ring.getInt(off + 4);
      int c = ring.getInt(off + 8);
      if (k != kind || seq != frames || c != count) {
        throw new CollectiveException("member " + peer + " sent frame #" + seq + " ("
            + Frame.name(k) + ", " + c + ") where frame #" + frames + " (" + Frame.name(kind)
            + ", " + count + ") was due during " + during + "; the members are out of step");
      }
      frames++;
      next = at + ShmFrames.size(bytes);
      ring.limit(off + Frame.HEADER_BYTES + bytes).position(off + Frame.HEADER_BYTES);
      return ring;
    }
  }

  private CollectiveException aliveButSilent(Object during) {
    return new CollectiveException("member " + peer + " is alive (its heartbeats arrive) but "
        + "sent no data for " + timeoutMillis + " ms during " + during + "; it is stuck");
  }

  @Override
  public void close() {
    Watchdog.closeQuietly(channel);
    if (shm != null) {
      shm.close();
    }
  }
}
