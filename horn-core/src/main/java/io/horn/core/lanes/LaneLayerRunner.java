package io.horn.core.lanes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.NeuronRunner;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import java.util.Arrays;

/**
 * Runs a layer of a widened neuron ({@link NeuronCompiler}) over a mini-batch, {@link
 * LaneFrame#LANES} samples per pass: the samples of a pass are transposed so that each synapse's
 * values for them lie contiguous, and every operation of the neuron runs over all of them before
 * the next. Per sample the operations and their order are the per-neuron path's, and so are the
 * order of the pushed sums (sample order per synapse) and the float roundings of the results.
 *
 * <p>Confined to one thread (see {@link NeuronRunner}); its buffers grow to the largest layer it
 * has served and are then reused, so steps allocate nothing.
 */
public final class LaneLayerRunner implements NeuronRunner {
  /** Samples per pass. */
  public static final int LANES = LaneFrame.LANES;
  private static final int L = LANES;

  private final LaneProgram forward;
  private final LaneProgram backward;
  private final LaneFrame f;
  private double[][] transposed = new double[0][];

  /**
   * @param compiled a successful {@link NeuronCompiler#compile} result
   * @param function the layer's squashing function; a layer-wise one is replaced by the identity
   */
  public LaneLayerRunner(NeuronCompiler.Result compiled, ActivationFunction function) {
    checkArgument(compiled.compiled(), "not compiled: %s", compiled.reason());
    checkNotNull(function, "function");
    this.forward = compiled.forward();
    this.backward = compiled.backward();
    f = new LaneFrame(Math.max(forward.slots(), backward.slots()));
    f.function = function.isLayerWise() ? new Identity() : function;
  }

  @Override
  public void configure(boolean training, double learningRate, double momentumWeight,
      double regularizationWeight) {
    f.learningRate = learningRate;
    f.momentumWeight = momentumWeight;
    f.regularizationWeight = regularizationWeight;
  }

  /** Room for {@code count} synapses' values of a pass, widened to double once for all units. */
  private double[][] transposedOf(int count) {
    if (transposed.length < count) {
      transposed = new double[count][L];
    }
    return transposed;
  }

  @Override
  public void forward(float[] acts, int nIn, float[] params, int off, float[] prev,
      float[] result, int resultLd, float[] mask, int n, int from, int to, int batch) {
    int count = nIn + 1;
    double[][] inT = transposedOf(count);
    f.inputsT = inT;
    f.weights = params;
    f.prevUpdates = prev;
    f.count = count;
    double[] out = f.buf[LaneFrame.OUTPUT];
    for (int c0 = 0; c0 < batch; c0 += L) {
      int lanes = Math.min(L, batch - c0);
      f.lanes = lanes;
      for (int lane = 0; lane < lanes; lane++) {
        int src = (c0 + lane) * count;
        for (int k = 0; k < count; k++) {
          inT[k][lane] = acts[src + k];
        }
      }
      for (int j = from; j < to; j++) {
        f.weightBase = off + j * count;
        clearRegisters();
        forward.run(f);
        for (int lane = 0; lane < lanes; lane++) {
          int s = c0 + lane;
          int m = j + s * n;
          int r = j + s * resultLd;
          // As on the per-neuron path: a dropped unit outputs 0, a kept one its float output
          // times the mask's factor.
          result[r] = mask[m] == 0f ? 0f : (float) out[lane] * mask[m];
        }
      }
    }
  }

  @Override
  public void backward(float[] acts, int n, float[] mask, float[] weightsT, float[] prevT,
      double[] pushesT, float[] deltaNext, int nNext, float[] deltaOut, int from, int to,
      int batch) {
    double[][] dT = transposedOf(nNext);
    if (f.pushBuf.length < L * nNext) {
      f.pushBuf = new double[L * nNext];
    }
    if (f.weightRow.length < nNext) {
      f.weightRow = new double[nNext];
      f.prevRow = new double[nNext];
      f.pushRow = new double[nNext];
      for (int lane = 0; lane < L; lane++) {
        f.deltaRows[lane] = new double[nNext];
      }
    }
    double[][] rows = f.deltaRows;
    f.deltasT = dT;
    f.weightsT = weightsT;
    f.prevUpdatesT = prevT;
    f.pushesT = pushesT;
    f.count = nNext;
    double[] self = f.buf[LaneFrame.SELF];
    double[] out = f.buf[LaneFrame.OUTPUT];
    double[] delta = f.buf[LaneFrame.DELTA];
    for (int c0 = 0; c0 < batch; c0 += L) {
      int lanes = Math.min(L, batch - c0);
      f.lanes = lanes;
      for (int lane = 0; lane < lanes; lane++) {
        int src = (c0 + lane) * nNext;
        double[] row = rows[lane];
        for (int k = 0; k < nNext; k++) {
          row[k] = deltaNext[src + k];
          dT[k][lane] = row[k];
        }
      }
      for (int i = from; i < to; i++) {
        f.rowBase = i * nNext;
        clearRegisters();
        for (int lane = 0; lane < lanes; lane++) {
          self[lane] = acts[i + (c0 + lane) * (n + 1)];
          out[lane] = self[lane];
        }
        backward.run(f);
        if (deltaOut != null && i != n) {
          for (int lane = 0; lane < lanes; lane++) {
            int s = c0 + lane;
            float scale = mask == null ? 1f : mask[i + s * n];
            deltaOut[i + s * n] = (float) delta[lane] * scale;
          }
        }
      }
    }
  }

  /** A neuron's output and error start at 0 for each sample, as on the per-neuron path. */
  private void clearRegisters() {
    Arrays.fill(f.buf[LaneFrame.OUTPUT], 0d);
    Arrays.fill(f.buf[LaneFrame.DELTA], 0d);
  }
}
