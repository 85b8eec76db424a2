package io.horn.core.lanes;

/**
 * The generated code of one widened method ({@link LaneCodegen}): runs it for {@code f.lanes}
 * samples. Generated subclasses keep no state; one instance serves every thread.
 */
abstract class LaneCode {
  abstract void run(LaneFrame f);

  /** Synapses per tile of the push reduction: a tile's pushes (8 × 64 doubles) stay in L1. */
  private static final int TILE = 8;

  /**
   * Adds a loop's pushes ({@code pushBuf[synapse * LANES + lane]}) to the unit's row of summed
   * pushes: per synapse in lane (sample) order, as the per-neuron path adds them. Tiles of
   * synapses keep the reads in L1 while the lanes of a tile are added one after another, each
   * along the tile's independent synapse sums.
   */
  static void reducePushes(LaneFrame f) {
    double[] dst = f.pushesT;
    double[] src = f.pushBuf;
    int base = f.rowBase;
    int count = f.count;
    int lanes = f.lanes;
    for (int k0 = 0; k0 < count; k0 += TILE) {
      int k1 = Math.min(count, k0 + TILE);
      for (int lane = 0; lane < lanes; lane++) {
        for (int k = k0; k < k1; k++) {
          dst[base + k] += src[k * LaneFrame.LANES + lane];
        }
      }
    }
  }
}
