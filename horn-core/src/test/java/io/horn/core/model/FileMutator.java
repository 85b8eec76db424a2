package io.horn.core.model;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded mutations of a valid encoding, the kinds that a torn file, a flipped bit or a hostile
 * peer produce: bit flips, random bytes, truncations, insertions and deletions, and length or
 * count fields overwritten with the values that break readers (0, -1, 2^31-1, 2^24, ...).
 *
 * <p>Deterministic for a given {@link Random}, so a failing input can be reproduced from the
 * seed the fuzz main prints. Test helper for {@link ModelFileFuzzMain}.
 */
public final class FileMutator {
  /** Values a reader may trust as a 4-byte length or count and then allocate from. */
  private static final int[] INTS = {0, 1, -1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x3ff,
      0x400, 0x401, 0x7fff, 0x8000, 0xffff, 0x10000, 1 << 20, (1 << 24) - 1, 1 << 24,
      (1 << 24) + 1, 1 << 28, 1 << 30, Integer.MAX_VALUE - 8, Integer.MAX_VALUE,
      Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -2, -1024};
  private static final short[] SHORTS = {0, 1, -1, 0x7fff, (short) 0x8000, 0x3ff, 0x400, 0x401,
      0xff, 0x100};
  private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE,
      Integer.MAX_VALUE, 1L << 32};

  private FileMutator() {}

  /** One to three mutations of {@code valid} (never changed itself). */
  public static byte[] mutate(byte[] valid, Random r) {
    byte[] b = valid.clone();
    int rounds = 1 + r.nextInt(3);
    for (int i = 0; i < rounds; i++) {
      b = once(b, r);
    }
    return b;
  }

  private static byte[] once(byte[] b, Random r) {
    int kind = b.length == 0 ? 7 : r.nextInt(10);
    switch (kind) {
      case 0: // flip one bit
        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        return b;
      case 1: // a random byte
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        return b;
      case 2: // truncate
        return Arrays.copyOf(b, r.nextInt(b.length));
      case 3: // a 4-byte field set to a hostile value, at a random or a field-aligned offset
        return put(b, r.nextBoolean() ? r.nextInt(b.length) : 4 * r.nextInt(b.length / 4 + 1),
            r.nextInt(4) == 0 ? r.nextInt() : INTS[r.nextInt(INTS.length)], 4);
      case 4: // a 2-byte field
        return put(b, r.nextInt(b.length), SHORTS[r.nextInt(SHORTS.length)], 2);
      case 5: // an 8-byte field
        return put(b, r.nextInt(b.length), LONGS[r.nextInt(LONGS.length)], 8);
      case 6: { // delete a range
        int from = r.nextInt(b.length);
        int to = from + 1 + r.nextInt(Math.min(16, b.length - from));
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
      }
      case 7: { // insert random bytes
        int at = r.nextInt(b.length + 1);
        byte[] ins = new byte[1 + r.nextInt(8)];
        r.nextBytes(ins);
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
      }
      case 8: { // append garbage
        byte[] out = Arrays.copyOf(b, b.length + 1 + r.nextInt(32));
        for (int i = b.length; i < out.length; i++) {
          out[i] = (byte) r.nextInt(256);
        }
        return out;
      }
      default: // a run of random bytes
        for (int i = r.nextInt(b.length), n = 1 + r.nextInt(8); n > 0 && i < b.length; i++, n--) {
          b[i] = (byte) r.nextInt(256);
        }
        return b;
    }
  }

  /** Writes the low {@code width} bytes of {@code v} big-endian at {@code at}, clipped to b. */
  private static byte[] put(byte[] b, int at, long v, int width) {
    for (int i = 0; i < width && at + i < b.length; i++) {
      b[at + i] = (byte) (v >>> (8 * (width - 1 - i)));
    }
    return b;
  }
}
