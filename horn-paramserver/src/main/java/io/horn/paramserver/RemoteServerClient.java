package io.horn.paramserver;

import io.horn.core.checkpoint.GroupState;
import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static io.horn.paramserver.ServerFrames.DONE;
import static io.horn.paramserver.ServerFrames.DONE_ACK;
import static io.horn.paramserver.ServerFrames.ERROR;
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

import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.Io;
import io.horn.paramserver.collective.Watchdog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A {@link ParameterServerClient} talking to a {@link ServerEndpoint} over TCP (the frame format
 * is described there). {@link #connect} authenticates with the job's secret and checks that the
 * server holds a model of the same size; every call then moves the weights through one direct
 * little-endian buffer allocated at connect time, so floats go to and from the caller's arrays
 * by bulk copies and nothing model-sized is allocated per call.
 *
 * <p>Deadlines: every read and write, including the wait for a reply, is under a
 * {@link Watchdog}: a server that stalls or dies makes the call fail within about the timeout
 * with an {@link IOException} naming the server's address. Such a failure breaks the client
 * (the stream can no longer be trusted) and later calls fail at once; a rejected push does not.
 *
 * <p>Lifecycle: {@link #connect}, calls, {@link #close} (closes the socket and stops the
 * watchdog thread). Thread-safety: one thread per client; {@link #close} may be called from
 * another thread to abort a call.
 */
public final class RemoteServerClient implements ParameterServerClient {
  private final String address;
  private final int group;
  private final int n;
  private final long timeoutMillis;
  private final Watchdog watchdog;
  private final Watchdog.Guard guard;
  private final SocketChannel ch;
  private final ByteBuffer buf; // header then n float32s, little endian
  private final FloatBuffer floats; // view of buf's payload
  private final IntBuffer ints; // view of an encoded push's codes, after its threshold
  private volatile boolean closed;
  private IOException broken; // the failure that made the client unusable
  private boolean checkpointWanted;

  /** An error reply from the server: a rejected push, or (fatal) a dropped connection. */
  private static final class ServerError extends IOException {
    private static final long serialVersionUID = 1L;
    final boolean fatal;

    ServerError(String message, boolean fatal) {
      super(message);
      this.fatal = fatal;
    }
  }

  /** The server sent something the protocol does not allow; the message says what. */
  private static final class Garbled extends IOException {
    private static final long serialVersionUID = 1L;

    Garbled(String message) {
      super(message);
    }
  }

  private RemoteServerClient(String address, int group, int n, long timeoutMillis,
      Watchdog watchdog, Watchdog.Guard guard, SocketChannel ch, ByteBuffer buf) {
    this.address = address;
    this.group = group;
    this.n = n;
    this.timeoutMillis = timeoutMillis;
    this.watchdog = watchdog;
    this.guard = guard;
    this.ch = ch;
    this.buf = buf;
    // slice() forgets the byte order, so set it again before taking the float view
    this.floats = buf.duplicate().clear().position(HEADER_BYTES).slice()
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    this.ints = buf.duplicate().clear().position(HEADER_BYTES + 4).slice()
        .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
  }

  /**
   * Connects {@code group}'s client to the server at {@code hostPort}, authenticates, and checks
   * that the server holds {@code parameterCount} weights. Every step is under the timeout.
   */
  public static RemoteServerClient connect(String hostPort, Handshake hs, int group,
      int parameterCount, long timeoutMillis) throws IOException {
    checkNotNull(hostPort, "hostPort");
    checkNotNull(hs, "hs");
    int colon = hostPort.lastIndexOf(':');
    checkArgument(colon > 0, "bad parameter-server address '%s' (want host:port)", hostPort);
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad parameter-server address '" + hostPort + "'", e);
    }
    checkArgument(group >= 0, "group must be >= 0, got %s", group);
    checkArgument(parameterCount > 0 && parameterCount <= (Integer.MAX_VALUE - HEADER_BYTES) / 4,
        "parameterCount %s out of range", parameterCount);
    checkArgument(timeoutMillis > 0, "timeoutMillis must be positive, got %s", timeoutMillis);
    // Allocated first: if the model does not fit, nothing else has been opened yet.
    ByteBuffer buf = ByteBuffer.allocateDirect(HEADER_BYTES + 4 * parameterCount)
        .order(ByteOrder.LITTLE_ENDIAN);
    Watchdog watchdog = new Watchdog("horn-psclient-g" + group + "-watchdog", timeoutMillis);
    SocketChannel ch = null;
    Watchdog.Guard g = null;
    String stage = "connecting";
    try {
      ch = SocketChannel.open();
      g = watchdog.guard(ch);
      g.begin();
      try {
        ch.connect(new InetSocketAddress(hostPort.substring(0, colon), port));
      } finally {
        g.end();
      }
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      stage = "authenticating";
      Handshake.Identity me = new Handshake.Identity(Handshake.PARAMSERVER, group, 0);
      hs.hello(ch, me, g);
      hs.prove(ch, me, g);
      hs.confirmed(ch, g);
      stage = "waiting for its welcome";
      buf.limit(HEADER_BYTES);
      Io.readFully(ch, buf, g);
      if (buf.getInt(0) != WELCOME || buf.getInt(8) != group) {
        throw new Garbled("the parameter server at " + hostPort + " did not welcome group " + group
            + " (reply kind " + buf.getInt(0) + ")");
      }
      if (buf.getInt(12) != parameterCount) {
        throw new Garbled("model shape mismatch: the parameter server at " + hostPort
            + " holds " + buf.getInt(12) + " parameters, group " + group + "'s model has "
            + parameterCount);
      }
      return new RemoteServerClient(hostPort, group, parameterCount, timeoutMillis, watchdog,
          g, ch, buf);
    } catch (IOException | RuntimeException e) {
      boolean expired = g != null && g.expired();
      Watchdog.closeQuietly(ch);
      watchdog.close();
      if (e instanceof Garbled || e instanceof RuntimeException) {
        throw e;
      }
      throw connectFailure(hostPort, group, timeoutMillis, stage, expired, (IOException) e);
    }
  }

  private static IOException connectFailure(String hostPort, int group, long timeoutMillis,
      String stage, boolean expired, IOException e) {
    String who = "the parameter server at " + hostPort;
    if (expired) {
      return new IOException(who + " did not answer within " + timeoutMillis + " ms (group "
          + group + ", " + stage + ")", e);
    }
    if (stage.equals("connecting")) {
      return new IOException("cannot connect to " + who + " (group " + group + "): " + e, e);
    }
    if (stage.equals("authenticating")) {
      return new IOException(who + " closed the connection while authenticating group " + group
          + ": it refused this client (not this job's secret? its log says why) or its task "
          + "died (" + e.getMessage() + ")", e);
    }
    return new IOException(who + " closed the connection; its task has probably died (group "
        + group + ", " + stage + ": " + e.getMessage() + ")", e);
  }

  @Override
  public void pull(float[] weights) throws IOException {
    checkLength(weights, "weights");
    usable();
    try {
      ServerFrames.putHeader(buf, PULL, 0, group, 0, 0);
      send(HEADER_BYTES);
      receiveWeights(weights);
    } catch (IOException e) {
      throw failed(e, "pull");
    }
  }

  @Override
  public boolean pushAndPull(int steps, float[] delta, float[] weights) throws IOException {
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkLength(delta, "delta");
    checkLength(weights, "weights");
    usable();
    try {
      floats.put(0, delta);
      ServerFrames.putHeader(buf, PUSH, 0, group, n, steps);
      send(HEADER_BYTES + 4 * n);
      int flags = receiveWeights(weights);
      checkpointWanted = (flags & FLAG_CHECKPOINT) != 0;
      return (flags & FLAG_STOP) != 0;
    } catch (IOException e) {
      throw failed(e, "push");
    }
  }

  @Override
  public boolean pushEncodedAndPull(int steps, int[] codes, int count, float threshold,
      float[] weights) throws IOException {
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkNotNull(codes, "codes");
    checkLength(weights, "weights");
    String bad = ThresholdCodes.check(java.nio.IntBuffer.wrap(codes), count, n, threshold);
    checkArgument(bad == null, "group %s's encoded push: %s", group, bad);
    if (count >= n) {
      // No smaller than dense: send it dense (the frame holds n values at most).
      float[] dense = new float[n];
      ThresholdCodes.decode(java.nio.IntBuffer.wrap(codes), count, threshold, dense);
      return pushAndPull(steps, dense, weights);
    }
    usable();
    try {
      buf.clear().putFloat(HEADER_BYTES, threshold);
      ints.put(0, codes, 0, count);
      ServerFrames.putHeader(buf, PUSH_CODES, 0, group, count, steps);
      send(HEADER_BYTES + 4 + 4 * count);
      int flags = receiveWeights(weights);
      checkpointWanted = (flags & FLAG_CHECKPOINT) != 0;
      return (flags & FLAG_STOP) != 0;
    } catch (IOException e) {
      throw failed(e, "push");
    }
  }

  @Override
  public boolean checkpointWanted() {
    return checkpointWanted;
  }

  @Override
  public void sendState(GroupState state) throws IOException {
    checkNotNull(state, "state");
    checkArgument(state.optimizer().size() == n, "the state covers %s parameters, the model has %s",
        state.optimizer().size(), n);
    usable();
    checkpointWanted = false;
    try {
      ByteBuffer payload = ServerFrames.encodeState(state);
      ServerFrames.putHeader(buf, STATE, 0, group, payload.limit(), state.steps());
      send(HEADER_BYTES);
      Io.writeFully(ch, payload, guard);
      receiveHeader(STATE_ACK);
    } catch (IOException e) {
      throw failed(e, "state");
    }
  }

  @Override
  public void done(long totalSteps, String timing, String history) throws IOException {
    checkArgument(totalSteps >= 0, "totalSteps must be >= 0, got %s", totalSteps);
    byte[] t = (timing == null ? "" : timing).getBytes(StandardCharsets.UTF_8);
    byte[] h = (history == null ? "" : history).getBytes(StandardCharsets.UTF_8);
    long bytes = 4L + t.length + h.length;
    checkArgument(bytes <= MAX_DONE_BYTES, "timing and history take %s bytes; at most %s fit",
        bytes, MAX_DONE_BYTES);
    usable();
    try {
      ServerFrames.putHeader(buf, DONE, 0, group, (int) bytes, totalSteps);
      send(HEADER_BYTES);
      ByteBuffer payload = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      payload.putInt(t.length).put(t).put(h).flip();
      Io.writeFully(ch, payload, guard);
      receiveHeader(DONE_ACK);
    } catch (IOException e) {
      throw failed(e, "done");
    }
  }

  private void send(int bytes) throws IOException {
    buf.clear().limit(bytes);
    Io.writeFully(ch, buf, guard);
  }

  /** Reads a WEIGHTS reply into {@code weights}; returns its flags. */
  private int receiveWeights(float[] weights) throws IOException {
    int flags = receiveHeader(WEIGHTS);
    if (buf.getInt(12) != n) {
      throw new Garbled("the parameter server at " + address + " sent " + buf.getInt(12)
          + " weights, the model has " + n);
    }
    buf.clear().position(HEADER_BYTES).limit(HEADER_BYTES + 4 * n);
    Io.readFully(ch, buf, guard);
    floats.get(0, weights);
    return flags;
  }

  /** Reads a reply header of {@code kind} (an ERROR reply becomes a ServerError); its flags. */
  private int receiveHeader(int kind) throws IOException {
    // A push waiting for a slow group is answered by heartbeats first, each under the deadline.
    do {
      buf.clear().limit(HEADER_BYTES);
      Io.readFully(ch, buf, guard);
    } while (buf.getInt(0) == HEARTBEAT && kind == WEIGHTS && buf.getInt(8) == group
        && buf.getInt(12) == 0);
    int got = buf.getInt(0);
    int flags = buf.getInt(4);
    int count = buf.getInt(12);
    if (got == ERROR) {
      if (count < 0 || count > MAX_ERROR_BYTES) {
        throw new Garbled("the parameter server at " + address + " sent an error reply of "
            + count + " bytes");
      }
      ByteBuffer msg = ByteBuffer.allocate(count);
      Io.readFully(ch, msg, guard);
      boolean fatal = (flags & FLAG_FATAL) != 0;
      throw new ServerError("the parameter server at " + address
          + (fatal ? " dropped group " + group + "'s connection: " : " rejected group " + group
          + "'s push: ") + new String(msg.array(), StandardCharsets.UTF_8), fatal);
    }
    if (got != kind || buf.getInt(8) != group) {
      throw new Garbled("the parameter server at " + address + " sent a reply of kind " + got
          + " for group " + buf.getInt(8) + ", expected kind " + kind + " for group " + group);
    }
    return flags;
  }

  /**
   * Turns a failed call's exception into what the caller sees, and breaks the client unless
   * the server merely rejected a push (then the stream is still in step).
   */
  private IOException failed(IOException e, String call) {
    if (e instanceof ServerError && !((ServerError) e).fatal) {
      return e;
    }
    IOException f;
    if (closed) {
      f = new IOException("group " + group + "'s client of the parameter server at " + address
          + " was closed during a " + call, e);
    } else if (guard.expired()) {
      f = new IOException("the parameter server at " + address + " did not answer within "
          + timeoutMillis + " ms (group " + group + ", " + call + ")", e);
    } else if (e instanceof ServerError || e instanceof Garbled) {
      f = e;
    } else {
      f = new IOException("the parameter server at " + address + " closed the connection; its "
          + "task has probably died (group " + group + ", " + call + ": " + e.getMessage() + ")",
          e);
    }
    broken = f;
    Watchdog.closeQuietly(ch);
    return f;
  }

  private void usable() throws IOException {
    if (closed) {
      throw new IOException("group " + group + "'s client of the parameter server at " + address
          + " is closed");
    }
    if (broken != null) {
      throw new IOException("group " + group + "'s connection to the parameter server at "
          + address + " broke earlier: " + broken.getMessage(), broken);
    }
  }

  private void checkLength(float[] a, String name) {
    checkNotNull(a, name);
    checkArgument(a.length == n, "%s holds %s values, the model has %s", name, a.length, n);
  }

  /** The server's {@code host:port}. */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    closed = true;
    Watchdog.closeQuietly(ch);
    watchdog.close();
  }
}
