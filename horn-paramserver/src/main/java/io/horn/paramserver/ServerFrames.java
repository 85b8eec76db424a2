package io.horn.paramserver;

import io.horn.core.checkpoint.GroupState;
import io.horn.core.optimizer.OptimizerState;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ByteBuffer;

/**
 * The frames between a {@link ServerEndpoint} and its {@link RemoteServerClient}s.
 *
 * <p>Frames, both ways, are a 24-byte little-endian header {@code int kind, int flags,
 * int group, int count, long steps} and a payload of {@code count} units:
 * <ul>
 *   <li>requests (flags 0, group = the authenticated group): {@code PULL} (count 0, steps 0),
 *       {@code PUSH} (count = parameter count, steps = this push's steps, payload float32s),
 *       {@code PUSH_CODES} (a threshold-encoded push, {@link ThresholdCodes}: count = the
 *       number of codes, fewer than the parameter count, steps as PUSH; payload a float32
 *       threshold then the int32 codes; answered as PUSH), {@code DONE} (count = payload bytes, steps = the group's total steps; payload
 *       {@code int timingBytes}, timing then history in UTF-8), {@code STATE} (count = payload
 *       bytes, steps = the group's steps; payload {@code int epoch, int cursor, long updates,
 *       int arrays} then {@code arrays} (1, or 3 with Adam's moments) × parameter count
 *       float32s: the group's state for a checkpoint);</li>
 *   <li>replies: {@code WELCOME} (sent once after authentication, count = parameter count),
 *       {@code WEIGHTS} (count = parameter count, flags {@code FLAG_STOP} and {@code
 *       FLAG_CHECKPOINT}: send your state), {@code STATE_ACK}, {@code DONE_ACK}
 *       (flag {@code FLAG_ALL_DONE}), {@code HEARTBEAT} (count 0: a push is still waiting for a
 *       slow group within the staleness bound; sent every quarter of the server's timeout
 *       until the push's own reply), {@code ERROR} (count = UTF-8 bytes of the reason; with
 *       {@code FLAG_FATAL} the server closes the connection after it).</li>
 * </ul>
 * A rejected delta gets a non-fatal ERROR. A header the protocol does not allow (unknown kind,
 * flags, another group, a count that is not the parameter count, an oversized or negative
 * length) gets a fatal ERROR: the stream cannot be trusted past it, and nothing is allocated
 * from such a length.
 */
final class ServerFrames {
  static final int HEADER_BYTES = 24;
  // Request kinds, reply kinds and reply flags; see the class comment.
  static final int PULL = 1, PUSH = 2, DONE = 3, STATE = 4, PUSH_CODES = 5;
  static final int WELCOME = 11, WEIGHTS = 12, DONE_ACK = 13, ERROR = 14, STATE_ACK = 15,
      HEARTBEAT = 16;
  static final int FLAG_STOP = 1, FLAG_ALL_DONE = 2, FLAG_FATAL = 4, FLAG_CHECKPOINT = 8;
  /** The fixed part of a STATE payload: epoch, cursor, updates, array count. */
  static final int STATE_PREFIX = 20;
  /** Cap on a DONE payload: far beyond any real timing and history, small enough to allocate. */
  static final int MAX_DONE_BYTES = 16 << 20;
  /** Cap on an ERROR message; the sender truncates longer reasons. */
  static final int MAX_ERROR_BYTES = 8192;

  private ServerFrames() {}

  /** Writes a frame header at the start of {@code b} (absolute puts; position untouched). */
  static void putHeader(ByteBuffer b, int kind, int flags, int group, int count, long steps) {
    b.putInt(0, kind).putInt(4, flags).putInt(8, group).putInt(12, count).putLong(16, steps);
  }

  /**
   * A DONE payload ({@code int timingBytes}, then timing and history in UTF-8) as {@code
   * {timing, history}}; IOException naming what is wrong.
   */
  static String[] decodeDone(byte[] text) throws IOException {
    int timingBytes = ByteBuffer.wrap(text).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (timingBytes < 0 || timingBytes > text.length - 4) {
      throw new IOException("a done message whose timing claims " + timingBytes + " of its "
          + text.length + " bytes");
    }
    return new String[] {
        new String(text, 4, timingBytes, java.nio.charset.StandardCharsets.UTF_8),
        new String(text, 4 + timingBytes, text.length - 4 - timingBytes,
            java.nio.charset.StandardCharsets.UTF_8)};
  }

  /** The bytes of a STATE payload for {@code n} parameters and {@code arrays} arrays. */
  static long stateBytes(int n, int arrays) {
    return STATE_PREFIX + 4L * n * arrays;
  }

  /** A group's state as a STATE payload (little endian, from position 0). */
  static ByteBuffer encodeState(GroupState s) {
    OptimizerState o = s.optimizer();
    int arrays = o.hasMoments() ? 3 : 1;
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(stateBytes(o.size(), arrays)))
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(s.epoch()).putInt(s.cursor()).putLong(o.updates()).putInt(arrays);
    FloatBuffer f = b.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    f.put(o.prev());
    if (arrays == 3) {
      f.put(o.adamM()).put(o.adamV());
    }
    return b.clear();
  }

  /**
   * Reads a STATE payload of {@code n} parameters for {@code group} at {@code steps}; throws
   * IOException naming what is wrong (the payload's length was checked by the caller).
   */
  static GroupState decodeState(ByteBuffer b, int group, long steps, int n) throws IOException {
    b.order(ByteOrder.LITTLE_ENDIAN);
    int epoch = b.getInt(0);
    int cursor = b.getInt(4);
    long updates = b.getLong(8);
    int arrays = b.getInt(16);
    if (epoch < 0 || cursor < 0 || updates < 0 || steps < 0 || (arrays != 1 && arrays != 3)
        || b.limit() != stateBytes(n, arrays)) {
      throw new IOException("a state with epoch " + epoch + ", cursor " + cursor + ", "
          + updates + " updates, " + steps + " steps and " + arrays + " arrays in "
          + b.limit() + " bytes");
    }
    FloatBuffer f = b.duplicate().position(STATE_PREFIX).slice().order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
    float[] prev = new float[n];
    f.get(prev);
    float[] m = null;
    float[] v = null;
    if (arrays == 3) {
      m = new float[n];
      v = new float[n];
      f.get(m).get(v);
    }
    return new GroupState(group, steps, epoch, cursor, new OptimizerState(updates, prev, m, v));
  }
}
