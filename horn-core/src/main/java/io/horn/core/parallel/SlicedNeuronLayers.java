package io.horn.core.parallel;

import io.horn.core.NeuronLayerRunner;
import io.horn.core.NeuronRunner;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.engine.LayerPaths;
import io.horn.core.math.Matrices;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The layers of user-written neurons in a model-parallel member ({@link SlicedEngine}): the
 * member runs its own neurons of such a layer with the user's {@code forward} and {@code
 * backward}, one sample at a time, as the whole-network engine's per-neuron path does — the same
 * code on the same values in the same order, so the same bits.
 *
 * <p>Forward needs nothing the built-in path does not have: a neuron's incoming synapses are its
 * member's own, and the layer below is gathered. Backward is where the neuron-centric API costs
 * communication: a unit's {@code backward} reads the synapses <em>out of</em> it, whose weights
 * belong to the neurons of the layer above and so to every member. For a user layer below weight
 * block l the member gathers the whole block (weights and previous changes) and the errors of
 * layer l, runs its own units (the last member also the bias unit), and hands every pushed change
 * to the owner of its weight with one reduce-scatter of the block. That is three block-sized
 * exchanges per such layer and step, and each member holds the block while it runs: keep the
 * widest layers built-in when the model is too large for one task.
 *
 * <p>Thread-safety: none; the member's thread.
 */
final class SlicedNeuronLayers {
  private final NetworkSpec spec;
  private final NeuronSlices slices;
  private final GroupExchange exchange;
  private final int member;
  private final NeuronRunner[] runners;
  private final boolean[] userForward;
  private final boolean[] userBackward;
  // Per weight block l whose lower layer is user-written: the whole block, gathered and
  // transposed (row i = the synapses out of unit i), the pushes, and their sums for the owners.
  private final float[][] block;
  private final float[][] weightsT;
  private final float[][] prevT;
  private final double[][] pushesT;
  private final float[] deltaNext;
  private final float[] deltaOut;
  private final float[] packed;
  private final float[] run;
  private final int[] counts;

  SlicedNeuronLayers(NeuronSlices slices, TrainingSettings settings, ActivationFunction[] act,
      int maxBatch, GroupExchange exchange) {
    this.spec = slices.spec();
    this.slices = slices;
    this.exchange = exchange;
    this.member = exchange.member();
    int depth = spec.depth();
    int top = depth - 1;
    runners = new NeuronRunner[depth];
    userForward = new boolean[depth];
    userBackward = new boolean[depth];
    int widest = 0;
    int largestBlock = 0;
    int largestRun = 0;
    for (int l = 0; l < depth; l++) {
      boolean builtIn = LayerPaths.builtIn(spec, settings, l);
      userForward[l] = l > 0 && !builtIn;
      userBackward[l] = l < top && !builtIn;
      if (userForward[l] || userBackward[l]) {
        runners[l] = new NeuronLayerRunner(spec.layer(l).neuron(), act[l], l);
      }
      widest = Math.max(widest, spec.size(l));
      if (l > 0) {
        largestBlock = Math.max(largestBlock, spec.blockSize(l));
        for (int p = 0; p < slices.members(); p++) {
          largestRun = Math.max(largestRun, slices.owned(l, p) * (spec.size(l - 1) + 1));
        }
      }
    }
    block = new float[depth][];
    weightsT = new float[depth][];
    prevT = new float[depth][];
    pushesT = new double[depth][];
    for (int l = 1; l < depth; l++) {
      if (userBackward[l - 1]) {
        block[l] = new float[spec.blockSize(l)];
        weightsT[l] = new float[spec.blockSize(l)];
        prevT[l] = new float[spec.blockSize(l)];
        pushesT[l] = new double[spec.blockSize(l)];
      }
    }
    boolean any = false;
    for (int l = 0; l < depth; l++) {
      any |= userBackward[l];
    }
    deltaNext = any ? new float[widest * maxBatch] : null;
    deltaOut = any ? new float[widest * maxBatch] : null;
    packed = any ? new float[Math.max(largestBlock, widest * maxBatch)] : null;
    run = any ? new float[largestRun] : null;
    counts = new int[slices.members()];
  }

  boolean userForward(int l) {
    return userForward[l];
  }

  boolean userBackward(int l) {
    return userBackward[l];
  }

  void configure(boolean training, TrainingSettings s) {
    for (NeuronRunner r : runners) {
      if (r != null) {
        r.configure(training, s.learningRate, s.momentumWeight, s.regularizationWeight);
      }
    }
  }

  /**
   * Forward pass of this member's neurons of user layer {@code l} from the whole layer below:
   * their outputs go to their rows of {@code out} ({@code (n + 1) × batch}).
   */
  void forward(int l, float[] in, float[] params, float[] prev, float[] out, float[] mask,
      int batch) {
    int nIn = spec.size(l - 1);
    int n = spec.size(l);
    int from = slices.from(l, member);
    // The runner finds neuron j at off + j * (nIn + 1): this member's run starts at its first.
    int off = slices.offset(l, member) - from * (nIn + 1);
    try {
      runners[l].forward(in, nIn, params, off, prev, out, n + 1, mask, n, from,
          slices.to(l, member), batch);
    } catch (IOException e) {
      throw new UncheckedIOException("a neuron failed: " + e.getMessage(), e);
    }
  }

  /**
   * Backward pass of this member's units of user layer {@code l - 1} over weight block {@code
   * l}: {@code ownDelta} holds this member's errors of layer l ({@code owned × batch}); the
   * pushed changes of this member's weights of block l go to {@code sums}, and this member's
   * errors of layer l - 1 to {@code ownOut} unless it is null.
   */
  void backward(int l, float[] acts, float[] mask, float[] params, float[] prev,
      float[] ownDelta, float[] ownOut, float[] sums, int batch) {
    int n = spec.size(l - 1);
    int nNext = spec.size(l);
    int k = n + 1;
    // The whole block, its previous changes, and the errors of layer l, from every member.
    gatherBlock(l, params, block[l]);
    Matrices.transpose(block[l], 0, k, k, nNext, weightsT[l], 0, nNext);
    gatherBlock(l, prev, block[l]);
    Matrices.transpose(block[l], 0, k, k, nNext, prevT[l], 0, nNext);
    int[] c = chunks(l, batch, 1);
    exchange.allGather(ownDelta, c, packed);
    int off = 0;
    for (int p = 0; p < slices.members(); p++) {
      int lo = slices.from(l, p);
      int rows = slices.owned(l, p);
      for (int s = 0; s < batch; s++) {
        System.arraycopy(packed, off + s * rows, deltaNext, s * nNext + lo, rows);
      }
      off += c[p];
    }
    double[] push = pushesT[l];
    Arrays.fill(push, 0d);
    int from = slices.from(l - 1, member);
    // The bias unit (index n) pushes the bias weights: the last member runs it.
    int to = slices.to(l - 1, member) + (member == slices.members() - 1 ? 1 : 0);
    try {
      runners[l - 1].backward(acts, n, mask, weightsT[l], prevT[l], push, deltaNext, nNext,
          ownOut != null ? deltaOut : null, from, to, batch);
    } catch (IOException e) {
      throw new UncheckedIOException("a neuron failed: " + e.getMessage(), e);
    }
    if (ownOut != null) {
      int mb = slices.owned(l - 1, member);
      for (int s = 0; s < batch; s++) {
        System.arraycopy(deltaOut, s * n + from, ownOut, s * mb, mb);
      }
    }
    // Only this member's rows of the pushes are set: summed over the members, each weight
    // gets exactly the pushes of the unit it leaves, as the whole engine's transposeAdd.
    float[] all = block[l];
    Arrays.fill(all, 0f);
    Matrices.transposeAdd(push, 0, nNext, nNext, k, all, 0, k);
    exchange.reduceScatter(all, chunks(l, 1, k), packed);
    int mine = slices.owned(l, member) * k;
    int at = slices.offset(l, member);
    for (int i = 0; i < mine; i++) {
      sums[at + i] += packed[i];
    }
  }

  /** Every member's run of weight block {@code l} out of {@code vector}, in the block's layout. */
  private void gatherBlock(int l, float[] vector, float[] whole) {
    int k = spec.size(l - 1) + 1;
    int[] c = chunks(l, 1, k);
    System.arraycopy(vector, slices.offset(l, member), run, 0, c[member]);
    exchange.allGather(run, c, whole);
  }

  private int[] chunks(int l, int batch, int k) {
    for (int p = 0; p < counts.length; p++) {
      counts[p] = slices.owned(l, p) * batch * k;
    }
    return counts;
  }
}
