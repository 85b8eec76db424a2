package io.horn.paramserver.collective;

/**
 * Frames in a {@link ShmRing}: the link's usual header and payload, padded to a multiple of 8
 * bytes; a frame that would cross the ring's end is preceded by a {@link #PAD} marker that sends
 * the reader to the start. A header is published together with its payload, so a reader that
 * sees a header may read the whole frame.
 */
final class ShmFrames {
  /** Skip to the ring's start. Distinct from every {@link Frame} kind. */
  static final int PAD = 0x7061640a;
  static final int HEADER = Frame.HEADER_BYTES;

  private ShmFrames() {}

  /** Bytes a frame with {@code payload} bytes takes in the ring. */
  static int size(int payload) {
    return (HEADER + payload + 7) & ~7;
  }
}
