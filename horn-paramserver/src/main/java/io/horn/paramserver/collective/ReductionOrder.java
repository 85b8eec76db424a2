package io.horn.paramserver.collective;

/**
 * The one order in which a group adds its members' values, so that every member, and the
 * in-process and TCP implementations, produce the same bits.
 *
 * <ul>
 *   <li>One member: the values themselves.
 *   <li>Two members (a direct exchange): {@code r(x0) + r(x1)}, where {@code r} rounds to the
 *       wire format (the identity for fp32).
 *   <li>{@code P > 2} (a ring): the range is cut into P chunks, chunk {@code c} covering
 *       {@code [off + len*c/P, off + len*(c+1)/P)}; chunk {@code c} is summed starting at member
 *       {@code c+1} and going round the ring to its owner {@code c}: {@code s = r(x[c+1]);
 *       s = r(s + x[c+2]); ... ; s = r(s + x[c])} (member indices modulo P).
 * </ul>
 * Floating-point addition is commutative, so the side on which a partial sum meets a member's
 * values does not matter; the association above does.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReductionOrder {
  private ReductionOrder() {}

  /** First value of chunk {@code c} of {@code [off, off+len)} cut into {@code p} chunks. */
  public static int chunkStart(int off, int len, int p, int c) {
    return off + (int) ((long) len * c / p);
  }

  /**
   * Writes into {@code out[off, off+len)} the group sum of {@code parts[m][off, off+len)} (one
   * array per member, rank order) as defined above. {@code out} may be one of the parts.
   */
  public static void sum(float[][] parts, float[] out, int off, int len, WireFormat f) {
    int p = parts.length;
    for (int c = 0; c < p; c++) {
      sumChunk(parts, off, len, c, f, out);
    }
  }

  /**
   * Sums chunk {@code c} of {@code [off, off+len)} and writes the result into every array of
   * {@code targets}, element by element (an element is read from every part before any target
   * is written, so the targets may be the parts themselves).
   */
  static void sumChunk(float[][] parts, int off, int len, int c, WireFormat f,
      float[]... targets) {
    int p = parts.length;
    int from = chunkStart(off, len, p, c);
    int to = chunkStart(off, len, p, c + 1);
    for (int i = from; i < to; i++) {
      float s;
      if (p == 1) {
        s = parts[0][i];
      } else if (p == 2) {
        s = f.round(parts[0][i]) + f.round(parts[1][i]);
      } else {
        s = f.round(parts[(c + 1) % p][i]);
        for (int k = 2; k <= p; k++) {
          s = f.round(s + parts[(c + k) % p][i]);
        }
      }
      for (float[] t : targets) {
        t[i] = s;
      }
    }
  }
}
