package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static io.horn.paramserver.ServerFrames.DONE;
import static io.horn.paramserver.ServerFrames.DONE_ACK;
import static io.horn.paramserver.ServerFrames.ERROR;
import static io.horn.paramserver.ServerFrames.FLAG_ALL_DONE;
import static io.horn.paramserver.ServerFrames.FLAG_CHECKPOINT;
import static io.horn.paramserver.ServerFrames.FLAG_FATAL;
import static io.horn.paramserver.ServerFrames.FLAG_STOP;
import static io.horn.paramserver.ServerFrames.HEADER_BYTES;
import static io.horn.paramserver.ServerFrames.MAX_DONE_BYTES;
import static io.horn.paramserver.ServerFrames.MAX_ERROR_BYTES;
import static io.horn.paramserver.ServerFrames.PULL;
import static io.horn.paramserver.ServerFrames.HEARTBEAT;
import static io.horn.paramserver.ServerFrames.PUSH;
import static io.horn.paramserver.ServerFrames.PUSH_CODES;
import static io.horn.paramserver.ServerFrames.STATE;
import static io.horn.paramserver.ServerFrames.STATE_ACK;
import static io.horn.paramserver.ServerFrames.WEIGHTS;
import static io.horn.paramserver.ServerFrames.WELCOME;
import static io.horn.paramserver.ServerFrames.putHeader;

import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.Io;
import io.horn.paramserver.collective.Watchdog;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link ParameterServer} to the groups' {@link RemoteServerClient}s over plain TCP.
 *
 * <p>Connections are authenticated with the job's secret by a {@link ServerAdmission} (each on
 * its own thread under an absolute deadline; one connection per group; refusals logged and
 * counted, {@link #refusedConnections}), and the server goes on. Each admitted connection is served by its own thread ({@code horn-paramserver-g<group>})
 * with one direct buffer of the model's size, allocated once: a push's delta is received into
 * it and the reply's weights are written over it, so a push allocates nothing model-sized.
 *
 * <p>The wire format is {@link ServerFrames}'s.
 *
 * <p>Deadlines: a handler waits for the next request without one (groups compute between
 * pushes), but every read inside a request and every write is under a {@link Watchdog}, so a
 * client that stalls mid-request loses its connection instead of holding a thread forever.
 *
 * <p>Lifecycle: {@link #open} starts serving; {@link #close} stops the threads and closes every
 * socket. Thread-safe.
 */
public final class ServerEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerEndpoint.class);

  /** How long {@link #close} waits for the threads it stopped. */
  private static final long JOIN_MILLIS = 5000;

  private final ParameterServer ps;
  private final String host;
  private final int groups;
  private final long timeoutMillis;
  private final ServerSocketChannel server;
  private final int port;
  private final ServerAdmission admission;
  private final Object lock = new Object();
  private final Set<Connection> connections = new HashSet<>(); // guarded by lock
  /**
   * Connections whose thread may not have ended yet: a connection leaves {@link #connections} as
   * soon as its group's place is free, but {@link #close} must still wait for its thread. Ended
   * ones are dropped at the next admission.
   */
  private final Set<Connection> running = new HashSet<>(); // guarded by lock
  private volatile boolean closed;

  private ServerEndpoint(ParameterServer ps, String host, Handshake handshake, int groups,
      long timeoutMillis, ServerSocketChannel server) throws IOException {
    this.ps = ps;
    this.host = host;
    this.groups = groups;
    this.timeoutMillis = timeoutMillis;
    this.server = server;
    this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    this.admission = new ServerAdmission(server, host + ":" + port, handshake, groups,
        timeoutMillis, this::admit);
  }

  /**
   * Listens on an ephemeral port of {@code host} (an address the groups can reach) and starts
   * serving {@code ps}.
   *
   * @param groups the job's number of groups; must match the server's
   * @param timeoutMillis how long a started exchange may stall before the connection is dropped
   */
  public static ServerEndpoint open(ParameterServer ps, String host, Handshake hs, int groups,
      long timeoutMillis) throws IOException {
    checkNotNull(ps, "ps");
    checkNotNull(host, "host");
    checkNotNull(hs, "hs");
    checkArgument(groups == ps.groups(), "%s groups, but the parameter server has %s", groups,
        ps.groups());
    checkArgument(timeoutMillis > 0, "timeoutMillis must be positive, got %s", timeoutMillis);
    ServerSocketChannel s = ServerSocketChannel.open();
    ServerEndpoint e;
    try {
      s.bind(new InetSocketAddress(host, 0), 64);
      e = new ServerEndpoint(ps, host, hs, groups, timeoutMillis, s);
    } catch (IOException ex) {
      s.close();
      throw new IOException("the parameter server cannot listen on " + host + ": "
          + ex.getMessage(), ex);
    }
    e.admission.start();
    LOG.info("parameter server listening at {} for {} groups", e.address(), groups);
    return e;
  }

  /** {@code host:port} for the groups' {@link RemoteServerClient#connect}. */
  public String address() {
    return host + ":" + port;
  }

  /** Takes an authenticated connection for {@code group}; false when it has one already. */
  private boolean admit(SocketChannel c, Watchdog watchdog, Watchdog.Guard guard, int group,
      String peer) {
    Connection conn = new Connection(c, watchdog, guard, group, peer);
    synchronized (lock) {
      if (closed) {
        return false;
      }
      for (Connection other : connections) {
        if (other.group == group) {
          return false;
        }
      }
      connections.add(conn);
      running.removeIf(r -> !r.thread.isAlive());
      running.add(conn);
      conn.thread.start();
    }
    LOG.info("parameter server at {}: group {} connected from {}", address(), group, peer);
    return true;
  }

  /** Connections refused so far (failed or late authentication, duplicates, overflow). */
  public long refusedConnections() {
    return admission.refused();
  }

  /** A request the protocol does not allow: answered with a fatal ERROR, then closed. */
  private static final class BadRequest extends IOException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  /** One authenticated group's connection and the thread that serves it. */
  private final class Connection {
    final SocketChannel ch;
    final Watchdog watchdog;
    final Watchdog.Guard guard;
    final int group;
    final String peer;
    final Thread thread;
    private ByteBuffer buf; // header then parameterCount float32s; reused by every request
    private FloatBuffer floats; // view of buf's payload
    private float[] scratch; // the dense form of an encoded push, allocated at the first

    Connection(SocketChannel ch, Watchdog watchdog, Watchdog.Guard guard, int group,
        String peer) {
      this.ch = ch;
      this.watchdog = watchdog;
      this.guard = guard;
      this.group = group;
      this.peer = peer;
      this.thread = new Thread(this::serve, "horn-paramserver-g" + group);
      thread.setDaemon(true);
    }

    private void serve() {
      try {
        int n = ps.parameterCount();
        buf = ByteBuffer.allocateDirect(HEADER_BYTES + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        // slice() forgets the byte order, so set it again before taking the float view
        floats = buf.duplicate().clear().position(HEADER_BYTES).slice()
            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        reply(WELCOME, 0, n, HEADER_BYTES);
        while (!closed && serveOne()) {
          // one request per round
        }
      } catch (BadRequest e) {
        LOG.warn("parameter server at {}: dropping group {}'s connection from {}: {}",
            address(), group, peer, e.getMessage());
        try {
          sendError(e.getMessage(), FLAG_FATAL);
        } catch (IOException ignored) {
          // it is being dropped anyway; the reason is logged above
        }
      } catch (IOException e) {
        if (!closed) {
          String why = guard.expired()
              ? "it stalled for more than " + timeoutMillis + " ms inside a request"
              : e instanceof EOFException ? "it closed the connection in the middle of a request"
              : e.toString();
          LOG.warn("parameter server at {}: lost group {}'s connection from {}: {}",
              address(), group, peer, why);
          ps.groupLost(group, why);
        }
      } catch (RuntimeException | OutOfMemoryError e) {
        LOG.error("parameter server at {}: serving group {} failed", address(), group, e);
      } finally {
        // The group's place is free before the client can see the close: a group that
        // reconnects after a dropped connection is not taken for a duplicate.
        synchronized (lock) {
          connections.remove(this);
        }
        Watchdog.closeQuietly(ch);
        watchdog.close();
      }
    }

    /** Serves one request; false when the client closed the connection between requests. */
    private boolean serveOne() throws IOException {
      buf.clear().limit(HEADER_BYTES);
      // No deadline until the first byte: the group computes for as long as it needs.
      while (buf.position() == 0) {
        if (ch.read(buf) < 0) {
          LOG.info("parameter server at {}: group {} disconnected", address(), group);
          // Harmless after the group's done; before it, the group's leader is gone.
          ps.groupLost(group, "its connection from " + peer + " closed");
          return false;
        }
      }
      Io.readFully(ch, buf, guard);
      int kind = buf.getInt(0);
      int flags = buf.getInt(4);
      int claimed = buf.getInt(8);
      int count = buf.getInt(12);
      long steps = buf.getLong(16);
      if (flags != 0) {
        throw new BadRequest("request flags " + flags + " (requests have none)");
      }
      if (claimed != group) {
        throw new BadRequest("the request says group " + claimed
            + ", the connection authenticated as group " + group);
      }
      int n = ps.parameterCount();
      switch (kind) {
        case PULL:
          if (count != 0 || steps != 0) {
            throw new BadRequest("a pull with count " + count + " and steps " + steps);
          }
          ps.pull(group, floats);
          reply(WEIGHTS, 0, n, HEADER_BYTES + 4 * n);
          return true;
        case PUSH:
        case PUSH_CODES:
          boolean coded = kind == PUSH_CODES;
          if (coded ? count < 0 || count >= n : count != n) {
            throw new BadRequest("model shape mismatch: the push carries " + count
                + (coded ? " codes" : " values") + ", the server holds " + n);
          }
          if (steps < Integer.MIN_VALUE || steps > Integer.MAX_VALUE) {
            throw new BadRequest("a push of " + steps + " steps");
          }
          buf.clear().position(HEADER_BYTES).limit(HEADER_BYTES + 4 * (coded ? count + 1 : n));
          Io.readFully(ch, buf, guard);
          FloatBuffer delta = floats;
          if (coded) {
            scratch = scratch == null ? new float[n] : scratch;
            String bad = ThresholdCodes.decodeFrame(buf, HEADER_BYTES, count, scratch);
            if (bad != null) {
              throw new BadRequest("an encoded push with " + bad);
            }
            delta = FloatBuffer.wrap(scratch);
          }
          // Safe on one buffer: the server reads the whole delta before writing the weights.
          ParameterServer.PushResult r = ps.push(group, (int) steps, delta, floats);
          if (r == null) {
            String turn;
            while ((turn = ps.awaitTurn(group, Math.max(1, timeoutMillis / 4)))
                == ParameterServer.STILL_WAITING) {
              reply(HEARTBEAT, 0, 0, HEADER_BYTES);
            }
            r = ps.finishPush(group, turn, floats);
          }
          if (r.accepted()) {
            reply(WEIGHTS, (r.stop() ? FLAG_STOP : 0) | (r.checkpoint() ? FLAG_CHECKPOINT : 0),
                n, HEADER_BYTES + 4 * n);
          } else {
            sendError(r.error(), 0);
          }
          return true;
        case DONE:
          reply(DONE_ACK, done(count, steps) ? FLAG_ALL_DONE : 0, 0, HEADER_BYTES);
          return true;
        case STATE:
          state(count, steps, n);
          return true;
        default:
          throw new BadRequest("unknown request kind " + kind);
      }
    }

    private boolean done(int count, long steps) throws IOException {
      if (count < 4 || count > MAX_DONE_BYTES) {
        throw new BadRequest("a done message of " + count + " bytes (4.." + MAX_DONE_BYTES
            + " allowed)");
      }
      if (steps < 0) {
        throw new BadRequest("a done message with " + steps + " total steps");
      }
      byte[] text = new byte[count]; // bounded by the check above; once per group and job
      Io.readFully(ch, ByteBuffer.wrap(text), guard);
      String[] timingAndHistory;
      try {
        timingAndHistory = ServerFrames.decodeDone(text);
      } catch (IOException e) {
        throw new BadRequest(e.getMessage());
      }
      return ps.done(group, steps, timingAndHistory[0], timingAndHistory[1]);
    }

    /** A group's state for a checkpoint: its size is checked before anything is allocated. */
    private void state(int count, long steps, int n) throws IOException {
      if (count != ServerFrames.stateBytes(n, 1) && count != ServerFrames.stateBytes(n, 3)) {
        throw new BadRequest("a state of " + count + " bytes for " + n + " parameters");
      }
      ByteBuffer in = ByteBuffer.allocate(count); // rare: once per checkpoint and group
      Io.readFully(ch, in, guard);
      String refused;
      try {
        refused = ps.state(group, ServerFrames.decodeState(in, group, steps, n));
      } catch (IOException | IllegalArgumentException e) {
        throw new BadRequest(e.getMessage());
      }
      if (refused != null) {
        sendError(refused, FLAG_FATAL);
        throw new IOException("refused group " + group + "'s state: " + refused);
      }
      reply(STATE_ACK, 0, 0, HEADER_BYTES);
    }

    /** Sends the first {@code bytes} of buf (the payload already in place) under a header. */
    private void reply(int kind, int flags, int count, int bytes) throws IOException {
      putHeader(buf, kind, flags, group, count, 0);
      buf.clear().limit(bytes);
      Io.writeFully(ch, buf, guard);
    }

    private void sendError(String reason, int flags) throws IOException {
      // Cut long reasons to fit MAX_ERROR_BYTES: at most 3 UTF-8 bytes per UTF-16 char.
      String r = reason.length() > MAX_ERROR_BYTES / 3
          ? reason.substring(0, MAX_ERROR_BYTES / 3 - 3) + "..." : reason;
      byte[] msg = r.getBytes(StandardCharsets.UTF_8);
      reply(ERROR, flags, msg.length, HEADER_BYTES);
      Io.writeFully(ch, ByteBuffer.wrap(msg), guard);
    }
  }


  /**
   * Stops accepting, closes every connection and waits (a bounded time) for the threads to end.
   * A handler blocked on the {@link ParameterServer}'s monitor ends once it gets it; if that
   * takes longer than the wait, it is logged. Idempotent.
   */
  @Override
  public void close() {
    List<Connection> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(running);
    }
    long end = System.currentTimeMillis() + JOIN_MILLIS;
    admission.close(JOIN_MILLIS);
    for (Connection c : open) {
      Watchdog.closeQuietly(c.ch);
    }
    for (Connection c : open) {
      join(c.thread, end);
      c.watchdog.close();
    }
  }

  private void join(Thread t, long end) {
    try {
      t.join(Math.max(1, end - System.currentTimeMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("parameter server at {}: thread {} did not stop within {} ms", address(),
          t.getName(), JOIN_MILLIS);
    }
  }
}
