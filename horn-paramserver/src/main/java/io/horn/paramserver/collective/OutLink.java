package io.horn.paramserver.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The sending half of a link to one neighbour. A dedicated thread drains a queue of pieces into
 * the socket, so that a member can receive from its left neighbour while its right neighbour is
 * still taking data: with blocking sends on the receiving thread, two members writing large
 * buffers to each other would deadlock once the socket buffers filled.
 *
 * <p>A piece is a reference to a range of the caller's array, encoded only when its turn comes;
 * the caller must not write the range until {@link #awaitSent} says the piece left. Nothing is
 * allocated per piece: the queue is a fixed ring of slots.
 *
 * <p>Thread-safety: one producer thread (the collective's caller) plus the sender thread.
 */
final class OutLink implements AutoCloseable {
  private static final int SLOTS = 1 << 12;
  /** Marks a queue slot that holds a {@link Frame#WAITING} frame. */
  private static final Object WAITING = new Object();
  /** Marks a queue slot that holds a {@link Frame#ALIVE} frame. */
  private static final Object ALIVE = new Object();

  private final SocketChannel channel;
  private final Watchdog.Guard guard;
  private final String peer;
  private final Consumer<String> onFailure;
  private final ByteBuffer buffer;
  private final Object[] arrays = new Object[SLOTS];
  private final int[] offsets = new int[SLOTS];
  private final int[] counts = new int[SLOTS];
  private final WireFormat[] formats = new WireFormat[SLOTS];
  private final Thread thread;
  private ShmRing shm;
  private ByteBuffer ring;
  private ShmWaiter space;
  /** Where the reader frees room up to: its position plus the capacity; made once. */
  private java.util.function.LongSupplier room;
  private long written;
  private long tail;
  private long head;
  private int frames;
  private String abortReason;
  private boolean closing;
  private volatile String failure;

  OutLink(SocketChannel channel, Watchdog.Guard guard, String peer, int maxPieceValues,
      String threadName, Consumer<String> onFailure) {
    this.channel = channel;
    this.guard = guard;
    this.peer = peer;
    this.onFailure = onFailure;
    this.buffer = ByteBuffer.allocateDirect(Frame.HEADER_BYTES + maxPieceValues * 8)
        .order(ByteOrder.LITTLE_ENDIAN);
    this.thread = new Thread(this::drain, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Sends frames through {@code r} from now on; the TCP connection (non-blocking from now on)
   * only carries {@link Frame#ABORT} and heartbeats. Call before the first frame.
   */
  void useSharedMemory(ShmRing r) throws IOException {
    channel.configureBlocking(false);
    this.ring = r.data();
    this.space = new ShmWaiter(channel, guard, peer);
    this.room = () -> r.readPosition() + r.capacity();
    this.shm = r;
  }

  String transport() {
    return shm != null ? "shm" : "tcp";
  }

  /** Queues {@code a[off, off+n)} as one frame in {@code f}; returns its sequence number. */
  long submit(float[] a, int off, int n, WireFormat f) throws CollectiveException {
    return enqueue(a, off, n, f);
  }

  /** Queues {@code a[off, off+n)} as one frame of doubles. */
  long submit(double[] a, int off, int n) throws CollectiveException {
    return enqueue(a, off, n, null);
  }

  private synchronized long enqueue(Object a, int off, int n, WireFormat f)
      throws CollectiveException {
    while (tail - head == SLOTS && failure == null && abortReason == null) {
      waitBriefly();
    }
    checkHealthy();
    int s = (int) (tail & (SLOTS - 1));
    arrays[s] = a;
    offsets[s] = off;
    counts[s] = n;
    formats[s] = f;
    if (shm != null && head == tail && writeSharedNow(s, n)) {
      // Nothing queued and room in the ring: the caller writes, sparing a thread hand-off.
      arrays[s] = null;
      head++;
      return tail++;
    }
    notifyAll();
    return tail++;
  }

  /** Writes slot {@code s} into the ring if it fits now; false (nothing written) if not. */
  private boolean writeSharedNow(int s, int n) {
    int bytes = arrays[s] instanceof float[] ? n * formats[s].bytesPerValue() : n * 8;
    int need = ShmFrames.size(bytes);
    int cap = shm.capacity();
    int off = (int) (written & (cap - 1));
    int pad = off + need > cap ? cap - off : 0;
    if (written + pad + need > shm.readPosition() + cap) {
      return false;
    }
    placeShared(s, n, off, pad, need);
    return true;
  }

  /**
   * Tells the neighbour that this member is alive and waiting, when nothing else is on its way
   * (from the watchdog's thread: never blocks).
   */
  synchronized void waiting() {
    beat(WAITING);
  }

  /**
   * Tells the neighbour that this process is alive, when nothing else is on its way (a
   * heartbeat, from the watchdog's thread: never blocks).
   */
  synchronized void alive() {
    beat(ALIVE);
  }

  private void beat(Object kind) {
    if (head == tail && failure == null && abortReason == null && !closing) {
      arrays[(int) (tail & (SLOTS - 1))] = kind;
      tail++;
      notifyAll();
    }
  }

  /** Waits until frame {@code seq} has been handed to the socket. */
  synchronized void awaitSent(long seq) throws CollectiveException {
    while (head <= seq && failure == null && abortReason == null) {
      waitBriefly();
    }
    checkHealthy();
  }

  /** Waits until every queued frame has been handed to the socket. */
  void flush() throws CollectiveException {
    long last;
    synchronized (this) {
      last = tail - 1;
    }
    if (last >= 0) {
      awaitSent(last);
    }
  }

  /**
   * Tells the neighbour why this member gives up (after the piece being written, if any), then
   * lets the sender thread end. Queued pieces are dropped.
   */
  synchronized void abort(String reason) {
    if (abortReason == null) {
      abortReason = reason;
      notifyAll();
    }
  }

  private void checkHealthy() throws CollectiveException {
    String f = failure;
    if (f != null) {
      throw new CollectiveException(f);
    }
    if (abortReason != null) {
      throw new CollectiveException(abortReason);
    }
  }

  private void waitBriefly() {
    try {
      wait(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort("interrupted");
    }
  }

  private void drain() {
    try {
      while (true) {
        int s;
        synchronized (this) {
          while (head == tail && abortReason == null && !closing) {
            wait();
          }
          if (abortReason != null) {
            break;
          }
          if (head == tail) {
            return;
          }
          s = (int) (head & (SLOTS - 1));
        }
        write(s);
        synchronized (this) {
          arrays[s] = null;
          head++;
          notifyAll();
        }
      }
      sendAbort();
    } catch (IOException e) {
      String why = guard.expired()
          ? "member " + peer + " took no data for longer than the deadline; it is stalled or "
              + "unreachable"
          : "could not send to member " + peer + " (" + e.getMessage()
              + "); its task has probably died";
      synchronized (this) {
        failure = why;
        notifyAll();
      }
      onFailure.accept(why);
    } catch (InterruptedException e) {
      synchronized (this) {
        failure = "the sender to member " + peer + " was interrupted";
        notifyAll();
      }
    } catch (RuntimeException | Error e) {
      String why = "the sender to member " + peer + " failed: " + e;
      synchronized (this) {
        failure = why;
        notifyAll();
      }
      onFailure.accept(why);
      throw e;
    }
  }

  private void write(int s) throws IOException {
    Object a = arrays[s];
    buffer.clear();
    if (a == WAITING || a == ALIVE) {
      buffer.putInt(a == WAITING ? Frame.WAITING : Frame.ALIVE).putInt(-1).putInt(0).flip();
      Io.writeFully(channel, buffer, guard);
      return;
    }
    int n = counts[s];
    int bytes = a instanceof float[] ? n * formats[s].bytesPerValue() : n * 8;
    if (shm != null) {
      writeShared(s, n, bytes);
      return;
    }
    fill(buffer, s, n);
    buffer.flip();
    Io.writeFully(channel, buffer, guard);
  }

  /** Header and payload of slot {@code s} at {@code dst}'s position. */
  private void fill(ByteBuffer dst, int s, int n) {
    Object a = arrays[s];
    dst.putInt(a instanceof float[] ? Frame.VALUES : Frame.DOUBLES).putInt(frames++).putInt(n);
    if (a instanceof float[]) {
      formats[s].encode((float[]) a, offsets[s], n, dst);
    } else {
      double[] d = (double[]) a;
      for (int i = 0; i < n; i++) {
        dst.putDouble(d[offsets[s] + i]);
      }
    }
  }

  /**
   * Writes one frame into the shared ring: waits for room (the reader frees it as it decodes),
   * pads to the end when the frame would cross it, then publishes header and payload at once.
   */
  private void writeShared(int s, int n, int bytes) throws IOException {
    int need = ShmFrames.size(bytes);
    int cap = shm.capacity();
    int off = (int) (written & (cap - 1));
    int pad = off + need > cap ? cap - off : 0;
    space.await(room, written + pad + need);
    placeShared(s, n, off, pad, need);
  }

  private void placeShared(int s, int n, int off, int pad, int need) {
    ring.limit(shm.capacity());
    if (pad > 0) {
      ring.putInt(off, ShmFrames.PAD);
      off = 0;
    }
    ring.limit(off + need).position(off);
    fill(ring, s, n);
    written += pad + need;
    shm.publishWrite(written);
  }

  private void sendAbort() {
    byte[] msg;
    synchronized (this) {
      msg = abortReason.getBytes(StandardCharsets.UTF_8);
    }
    int n = Math.min(msg.length, buffer.capacity() - Frame.HEADER_BYTES);
    buffer.clear();
    buffer.putInt(Frame.ABORT).putInt(frames++).putInt(n).put(msg, 0, n).flip();
    try {
      Io.writeFully(channel, buffer, guard);
    } catch (IOException e) {
      // the neighbour is gone too; it learns of the failure from its own side
    }
  }

  /** Ends the sender thread once the queue is empty (or at once after a failure). */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
      notifyAll();
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Watchdog.closeQuietly(channel);
    if (thread.isAlive()) {
      thread.interrupt();
    }
    if (shm != null) {
      shm.close();
    }
  }
}
