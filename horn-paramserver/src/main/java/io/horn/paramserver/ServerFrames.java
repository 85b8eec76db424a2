package io.horn.paramserver;

import java.nio.ByteBuffer;

/**
 * The frames between a {@link ServerEndpoint} and its {@link RemoteServerClient}s.
 *
 * <p>Frames, both ways, are a 24-byte little-endian header {@code int kind, int flags,
 * int group, int count, long steps} and a payload of {@code count} units:
 * <ul>
 *   <li>requests (flags 0, group = the authenticated group): {@code PULL} (count 0, steps 0),
 *       {@code PUSH} (count = parameter count, steps = this push's steps, payload float32s),
 *       {@code DONE} (count = payload bytes, steps = the group's total steps; payload
 *       {@code int timingBytes}, timing then history in UTF-8);</li>
 *   <li>replies: {@code WELCOME} (sent once after authentication, count = parameter count),
 *       {@code WEIGHTS} (count = parameter count, flag {@code FLAG_STOP}), {@code DONE_ACK}
 *       (flag {@code FLAG_ALL_DONE}), {@code ERROR} (count = UTF-8 bytes of the reason; with
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
  static final int PULL = 1, PUSH = 2, DONE = 3;
  static final int WELCOME = 11, WEIGHTS = 12, DONE_ACK = 13, ERROR = 14;
  static final int FLAG_STOP = 1, FLAG_ALL_DONE = 2, FLAG_FATAL = 4;
  /** Cap on a DONE payload: far beyond any real timing and history, small enough to allocate. */
  static final int MAX_DONE_BYTES = 16 << 20;
  /** Cap on an ERROR message; the sender truncates longer reasons. */
  static final int MAX_ERROR_BYTES = 8192;

  private ServerFrames() {}

  /** Writes a frame header at the start of {@code b} (absolute puts; position untouched). */
  static void putHeader(ByteBuffer b, int kind, int flags, int group, int count, long steps) {
    b.putInt(0, kind).putInt(4, flags).putInt(8, group).putInt(12, count).putLong(16, steps);
  }
}
