package io.horn.paramserver.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Waits for a shared-memory ring position while watching the link's TCP connection, which stays
 * open beside the ring for what memory cannot say: the other process's death (end of stream),
 * its reasons for giving up ({@link Frame#ABORT}) and that it is alive but waiting ({@link
 * Frame#WAITING}). Spins briefly, then yields for up to {@value #YIELD_NANOS} ns (a piece
 * usually arrives within that, and a parked thread takes ~50 µs to wake), then parks with a
 * growing pause (at most 100 µs), so that a member waiting for a slower one leaves the cores to
 * the computation.
 *
 * <p>Confined to one thread; the connection must be in non-blocking mode.
 */
final class ShmWaiter {
  private static final int SPINS = 64;
  private static final long YIELD_NANOS = 200_000;
  private static final long MAX_PARK_NANOS = 100_000;

  private final SocketChannel control;
  private final Watchdog.Guard guard;
  private final String peer;
  private final ByteBuffer inbox = ByteBuffer.allocate(Frame.HEADER_BYTES + 8192)
      .order(ByteOrder.LITTLE_ENDIAN);

  /** Heartbeats arrive on the control connection all the time; read them at least this often. */
  private static final long POLL_NANOS = 1_000_000_000L;
  private long lastPoll = System.nanoTime();
  /** When the neighbour last said it waits itself: the data deadline restarts then. */
  private long neighbourWaitedAt;

  ShmWaiter(SocketChannel control, Watchdog.Guard guard, String peer) {
    this.control = control;
    this.guard = guard;
    this.peer = peer;
  }

  /** Returns once {@code position} reaches {@code target}. */
  void await(LongSupplier position, long target) throws IOException {
    await(position, target, Long.MAX_VALUE / 2_000_000L, null);
  }

  /**
   * Returns once {@code position} reaches {@code target}; throws what {@code tooLong} makes when
   * that takes more than {@code limitMillis} while the neighbour is alive (beating).
   */
  void await(LongSupplier position, long target, long limitMillis,
      java.util.function.Supplier<? extends IOException> tooLong) throws IOException {
    if (System.nanoTime() - lastPoll > POLL_NANOS) {
      // Pieces that always arrive at once would never poll: keep the connection drained.
      poll();
    }
    if (position.getAsLong() >= target) {
      return;
    }
    guard.begin();
    try {
      long park = 10_000;
      int spins = 0;
      long start = 0;
      while (position.getAsLong() < target) {
        if (++spins < SPINS) {
          Thread.onSpinWait();
          continue;
        }
        if (start == 0) {
          start = System.nanoTime();
        }
        if ((spins & 31) == 0) {
          poll();
          if (guard.expired()) {
            throw new IOException("the deadline passed");
          }
          if (tooLong != null
              && System.nanoTime() - Math.max(start, neighbourWaitedAt) > limitMillis * 1_000_000L) {
            throw tooLong.get();
          }
        }
        if (System.nanoTime() - start < YIELD_NANOS) {
          Thread.yield();
          continue;
        }
        LockSupport.parkNanos(park);
        park = Math.min(park * 2, MAX_PARK_NANOS);
      }
    } finally {
      guard.end();
    }
  }

  /** Reads whatever control frames have arrived. */
  private void poll() throws IOException {
    lastPoll = System.nanoTime();
    if (control.read(inbox) < 0) {
      throw new EOFException("the connection was closed by the other side");
    }
    while (inbox.position() >= Frame.HEADER_BYTES) {
      int kind = inbox.getInt(0);
      int count = inbox.getInt(8);
      if (Frame.isBeat(kind)) {
        guard.begin();
        if (kind == Frame.WAITING) {
          neighbourWaitedAt = System.nanoTime();
        }
        consume(Frame.HEADER_BYTES);
      } else if (kind == Frame.ABORT && count >= 0
          && count <= inbox.capacity() - Frame.HEADER_BYTES) {
        if (inbox.position() < Frame.HEADER_BYTES + count) {
          return; // the rest of the reason is on its way
        }
        byte[] msg = new byte[count];
        inbox.get(Frame.HEADER_BYTES, msg);
        throw new CollectiveException("member " + peer + " gave up: "
            + new String(msg, StandardCharsets.UTF_8));
      } else {
        throw new CollectiveException("member " + peer + " sent " + Frame.name(kind)
            + " on the control connection of a shared-memory link");
      }
    }
  }

  private void consume(int bytes) {
    inbox.flip();
    inbox.position(bytes);
    inbox.compact();
  }
}
