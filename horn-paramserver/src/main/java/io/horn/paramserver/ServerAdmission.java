package io.horn.paramserver;

import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.Io;
import io.horn.paramserver.collective.Watchdog;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the parameter server's connections and authenticates each ({@link Handshake}, purpose
 * {@link Handshake#PARAMSERVER}, a group in range, member 0) before handing it to the endpoint.
 *
 * <p>Each handshake runs on a thread of its own, under an absolute deadline: a connection that
 * has not proven the job's secret within the timeout is closed, however it trickles its bytes,
 * and a silent one does not hold up the next. At most {@link #MAX_PENDING} handshakes run at
 * once; connections beyond that are closed at once. A second connection for a group that is
 * connected already is refused (a group has one leader, connected once). Every refusal is logged
 * with its reason and counted ({@link #refused()}); the endpoint keeps serving.
 *
 * <p>Thread-safe.
 */
final class ServerAdmission {
  private static final Logger LOG = LoggerFactory.getLogger(ServerAdmission.class);
  /** More unauthenticated connections than any job's groups need at once. */
  static final int MAX_PENDING = 32;

  /** What the endpoint does with an authenticated connection. */
  interface Admit {
    /** Takes {@code c} for {@code group}; false if the group is connected already. */
    boolean admit(SocketChannel c, Watchdog watchdog, Watchdog.Guard guard, int group,
        String peer);
  }

  private final ServerSocketChannel server;
  private final String address;
  private final Handshake handshake;
  private final int groups;
  private final long timeoutMillis;
  private final Admit admit;
  private final Thread acceptThread;
  /** The deadline executor's thread(s), joined by close. */
  private final java.util.List<Thread> deadlineThreads =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ScheduledExecutorService deadlines;
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final Set<SocketChannel> pending = new HashSet<>(); // guarded by itself
  private final Set<Thread> handshakes = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ServerAdmission(ServerSocketChannel server, String address, Handshake handshake, int groups,
      long timeoutMillis, Admit admit) {
    this.server = server;
    this.address = address;
    this.handshake = handshake;
    this.groups = groups;
    this.timeoutMillis = timeoutMillis;
    this.admit = admit;
    this.acceptThread = new Thread(this::acceptLoop, "horn-paramserver-accept");
    acceptThread.setDaemon(true);
    this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "horn-paramserver-handshake-deadlines");
      t.setDaemon(true);
      deadlineThreads.add(t);
      return t;
    });
  }

  void start() {
    acceptThread.start();
  }

  /** Connections refused so far: failed or late handshakes, duplicates, overflow. */
  long refused() {
    return refused.get();
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (ClosedChannelException e) {
        return; // close() did it
      } catch (IOException e) {
        // e.g. out of file descriptors: keep serving the connected groups, retry shortly
        LOG.warn("parameter server at {}: accept failed: {}", address, e.toString());
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          return;
        }
        continue;
      }
      synchronized (pending) {
        if (closed || pending.size() >= MAX_PENDING) {
          if (!closed) {
            refuse(c, Io.remote(c), MAX_PENDING + " connections are already authenticating");
          } else {
            Watchdog.closeQuietly(c);
          }
          continue;
        }
        pending.add(c);
      }
      Thread t = new Thread(() -> {
        try {
          authenticate(c);
        } finally {
          handshakes.remove(Thread.currentThread());
        }
      }, "horn-paramserver-handshake-" + connectionIds.incrementAndGet());
      t.setDaemon(true);
      handshakes.add(t);
      t.start();
    }
  }

  private void authenticate(SocketChannel c) {
    String peer = Io.remote(c);
    // A watchdog per connection: its guards (and thread) end with the connection.
    Watchdog watchdog = new Watchdog("horn-paramserver-c" + connectionIds.get() + "-watchdog",
        timeoutMillis);
    Watchdog.Guard guard = watchdog.guard(c);
    // The whole handshake, not each read, has the deadline.
    boolean[] late = new boolean[1];
    ScheduledFuture<?> deadline = deadlines.schedule(() -> {
      late[0] = true;
      Watchdog.closeQuietly(c);
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    Handshake.Identity who;
    try {
      Handshake.Challenge ch = handshake.challenge(c, guard);
      who = ch.claim();
      if (who.purpose() != Handshake.PARAMSERVER) {
        throw new IOException("it claimed to be " + who + ", not a parameter-server client");
      }
      if (who.group() < 0 || who.group() >= groups || who.member() != 0) {
        throw new IOException("it claimed to be group " + who.group() + " member "
            + who.member() + ", but the job has groups 0.." + (groups - 1) + " (member 0)");
      }
      handshake.verify(c, who, ch.nonce(), guard);
      if (!deadline.cancel(false)) {
        throw new IOException("late");
      }
      c.setOption(StandardSocketOptions.TCP_NODELAY, true);
    } catch (IOException | RuntimeException e) {
      deadline.cancel(false);
      String why = late[0] || guard.expired()
          ? "it did not complete authentication within " + timeoutMillis + " ms"
          : e.getMessage();
      if (!closed) {
        refuse(c, peer, why);
      }
      watchdog.close();
      forget(c);
      return;
    }
    forget(c);
    if (closed || !admit.admit(c, watchdog, guard, who.group(), peer)) {
      if (!closed) {
        refuse(c, peer, "group " + who.group() + " is connected already");
      }
      Watchdog.closeQuietly(c);
      watchdog.close();
    }
  }

  private void refuse(SocketChannel c, String peer, String why) {
    long n = refused.incrementAndGet();
    LOG.warn("parameter server at {}: refused a connection from {} ({} refused so far): {}",
        address, peer, n, why);
    Watchdog.closeQuietly(c);
  }

  private void forget(SocketChannel c) {
    synchronized (pending) {
      pending.remove(c);
    }
  }

  /** Stops accepting, closes every connection still authenticating; waits for the acceptor. */
  void close(long joinMillis) {
    closed = true;
    Watchdog.closeQuietly(server);
    synchronized (pending) {
      for (SocketChannel c : pending) {
        Watchdog.closeQuietly(c);
      }
    }
    deadlines.shutdownNow();
    long end = System.currentTimeMillis() + joinMillis;
    try {
      acceptThread.join(joinMillis);
      for (Thread t : handshakes) {
        t.join(Math.max(1, end - System.currentTimeMillis()));
      }
      deadlines.awaitTermination(Math.max(1, end - System.currentTimeMillis()),
          TimeUnit.MILLISECONDS);
      // Terminated is signalled before the executor's thread has quite ended: wait for it too,
      // so that a closed endpoint leaves no thread behind.
      for (Thread t : deadlineThreads) {
        t.join(Math.max(1, end - System.currentTimeMillis()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
