package io.horn.core.lanes;

/**
 * The generated code of one widened method ({@link LaneCodegen}): runs it for {@code f.lanes}
 * samples. Generated subclasses keep no state; one instance serves every thread.
 */
abstract class LaneCode {
  abstract void run(LaneFrame f);

  /**
   * Adds a loop's pushes ({@code pushBuf[synapse * LANES + lane]}) to the unit's row of summed
   * pushes: per synapse in lane (sample) order, as the per-neuron path adds them. Eight synapses
   * at a time, each summed in a register: eight independent chains of additions keep the core
   * busy where one would wait on each addition.
   */
  static void reducePushes(LaneFrame f) {
    double[] dst = f.pushesT;
    double[] src = f.pushBuf;
    int base = f.rowBase;
    int count = f.count;
    int lanes = f.lanes;
    final int l = LaneFrame.LANES;
    int k = 0;
    for (; k + 8 <= count; k += 8) {
      int o = k * l;
      double s0 = dst[base + k];
      double s1 = dst[base + k + 1];
      double s2 = dst[base + k + 2];
      double s3 = dst[base + k + 3];
      double s4 = dst[base + k + 4];
      double s5 = dst[base + k + 5];
      double s6 = dst[base + k + 6];
      double s7 = dst[base + k + 7];
      for (int lane = 0; lane < lanes; lane++) {
        s0 += src[o + lane];
        s1 += src[o + l + lane];
        s2 += src[o + 2 * l + lane];
        s3 += src[o + 3 * l + lane];
        s4 += src[o + 4 * l + lane];
        s5 += src[o + 5 * l + lane];
        s6 += src[o + 6 * l + lane];
        s7 += src[o + 7 * l + lane];
      }
      dst[base + k] = s0;
      dst[base + k + 1] = s1;
      dst[base + k + 2] = s2;
      dst[base + k + 3] = s3;
      dst[base + k + 4] = s4;
      dst[base + k + 5] = s5;
      dst[base + k + 6] = s6;
      dst[base + k + 7] = s7;
    }
    for (; k < count; k++) {
      double s = dst[base + k];
      for (int lane = 0; lane < lanes; lane++) {
        s += src[k * l + lane];
      }
      dst[base + k] = s;
    }
  }
}
