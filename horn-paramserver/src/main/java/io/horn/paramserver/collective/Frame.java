package io.horn.paramserver.collective;

/**
 * The frame header on a collective link: {@code int kind, int sequence, int count}, little
 * endian, then the payload. The sequence number counts frames on the link, so a receiver that
 * expects something else than what arrives fails at once instead of summing the wrong values.
 */
final class Frame {
  static final int HEADER_BYTES = 12;
  /** {@code count} float values in the link's wire format. */
  static final int VALUES = 1;
  /** {@code count} doubles (little endian). */
  static final int DOUBLES = 2;
  /** The sender failed; {@code count} bytes of UTF-8 say why. */
  static final int ABORT = 3;
  /**
   * The sender is alive and itself waiting for its own left neighbour; not counted in the
   * sequence. It keeps a stall from being blamed on every member downstream of it: only the
   * member right after the stalled one runs out of time, and its verdict travels on.
   */
  static final int WAITING = 4;
  /**
   * The sender's process is alive (a heartbeat, sent whenever its link is idle); not counted in
   * the sequence. Silence, not even this, means the process is dead or frozen; these alone for a
   * long time, without data and without {@link #WAITING}, mean the sender is alive but stuck.
   */
  static final int ALIVE = 5;

  /** Whether {@code kind} only says the sender lives ({@link #WAITING}, {@link #ALIVE}). */
  static boolean isBeat(int kind) {
    return kind == WAITING || kind == ALIVE;
  }

  private Frame() {}

  static String name(int kind) {
    switch (kind) {
      case VALUES: return "values";
      case DOUBLES: return "doubles";
      case ABORT: return "abort";
      case WAITING: return "waiting";
      case ALIVE: return "alive";
      default: return "unknown frame kind " + kind;
    }
  }
}
