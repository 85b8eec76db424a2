package io.horn.paramserver.collective;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Puts a deadline on blocking socket calls. A blocking {@link java.nio.channels.SocketChannel}
 * ignores socket timeouts, so instead each guarded call marks when it started waiting; a daemon
 * thread closes the channel of a wait that made no progress for the timeout, which wakes the
 * blocked thread with an {@link java.nio.channels.AsynchronousCloseException}, and the guard
 * then tells the caller that it expired rather than that the peer closed.
 *
 * <p>Thread-safe. One thread per watchdog, stopped by {@link #close()}.
 */
public final class Watchdog implements AutoCloseable {
  private final long timeoutNanos;
  private final CopyOnWriteArrayList<Guard> guards = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Periodic> periodic = new CopyOnWriteArrayList<>();

  /** A task the watchdog's thread runs every {@code periodNanos}. */
  private static final class Periodic {
    final long periodNanos;
    final Runnable task;
    long last = System.nanoTime();

    Periodic(long periodNanos, Runnable task) {
      this.periodNanos = periodNanos;
      this.task = task;
    }
  }
  private final Thread thread;
  private volatile boolean closed;

  /** One guarded channel; {@link #begin}/{@link #end} bracket each blocking call on it. */
  public final class Guard {
    private final Closeable target;
    private final Runnable whileWaiting;
    private final long limitNanos;
    private volatile long since;
    private volatile long lastNudge;
    private volatile boolean expired;

    private Guard(Closeable target, Runnable whileWaiting, long limitNanos) {
      this.target = target;
      this.whileWaiting = whileWaiting;
      this.limitNanos = limitNanos;
    }

    /** A blocking call starts (or made progress and goes on waiting). */
    public void begin() {
      since = System.nanoTime() | 1L;
    }

    public void end() {
      since = 0;
    }

    /** True once the watchdog closed the channel because a wait outlived the timeout. */
    public boolean expired() {
      return expired;
    }

    private void check(long now) {
      long s = since;
      if (s == 0) {
        return;
      }
      if (now - s > limitNanos && !expired) {
        expired = true;
        closeQuietly(target);
      } else if (whileWaiting != null && now - lastNudge > limitNanos / 4) {
        // Counted from the last nudge, not from the last progress: a neighbour's heartbeats are
        // progress on this wait, and when they come faster than a quarter of the limit a nudge
        // counted from them would never go out, so the member after this one would blame it
        // for a stall that lies further up the ring.
        lastNudge = now;
        whileWaiting.run();
      }
    }
  }

  public Watchdog(String name, long timeoutMillis) {
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    long tick = Math.max(5, Math.min(100, timeoutMillis / 10));
    thread = new Thread(() -> {
      while (!closed) {
        long now = System.nanoTime();
        for (Guard g : guards) {
          g.check(now);
        }
        for (Periodic p : periodic) {
          if (now - p.last >= p.periodNanos) {
            p.last = now;
            p.task.run();
          }
        }
        try {
          Thread.sleep(tick);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
  }

  public Guard guard(Closeable target) {
    return guard(target, null);
  }

  /**
   * A guard with its own deadline, {@code timeoutMillis} instead of the watchdog's (the
   * watchdog's thread still ticks at the pace its own timeout set).
   */
  public Guard guard(Closeable target, Runnable whileWaiting, long timeoutMillis) {
    Guard g = new Guard(target, whileWaiting, timeoutMillis * 1_000_000L);
    guards.add(g);
    return g;
  }

  /**
   * A guard that also runs {@code whileWaiting} (on the watchdog's thread, so it must not block)
   * every quarter of the timeout that a call waits on it.
   */
  public Guard guard(Closeable target, Runnable whileWaiting) {
    Guard g = new Guard(target, whileWaiting, timeoutNanos);
    guards.add(g);
    return g;
  }

  /**
   * Runs {@code task} on the watchdog's thread every {@code periodMillis} (at the watchdog's
   * tick): it must not block. Heartbeats go out this way, so that they stop only when the whole
   * process stops.
   */
  public void every(long periodMillis, Runnable task) {
    periodic.add(new Periodic(periodMillis * 1_000_000L, task));
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      // closing is best effort: the channel is being abandoned anyway
    }
  }
}
