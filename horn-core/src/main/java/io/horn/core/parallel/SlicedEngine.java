package io.horn.core.parallel;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.ludovic.netlib.blas.BLAS;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.math.Blas;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.Optimizer;
import io.horn.core.optimizer.OptimizerState;
import io.horn.core.optimizer.Optimizers;
import java.util.SplittableRandom;

/**
 * One member's engine in a model-parallel group ({@link NeuronSlices}): it holds only its
 * neurons' parameters, their gradient sums and their optimizer state, and computes, with its
 * peers over a {@link GroupExchange}, exactly what the whole-network engine computes — the
 * same formulas, in BLAS products over its slice ({@code Z = Wᵀ A} for its neurons, {@code
 * G = A Δᵀ} for its gradients, {@code W Δ} for its part of the errors below), so the results
 * differ from one engine's only in the order of float additions.
 *
 * <p>Per step and layer: forward, one all-gather of the layer's outputs ({@code n × B} floats
 * in all); backward, one reduce-scatter of the partial errors of the layer below. The input
 * batch and targets are the same on every member; every member computes the output layer's cost
 * and errors from the gathered outputs.
 *
 * <p>Layers of user-written neurons run the user's code on this member's neurons ({@link
 * SlicedNeuronLayers}, which says what their backward pass costs). Dropout is drawn and applied
 * on the gathered layers, the same on every member and as the whole-network engine draws it.
 *
 * <p>Lifecycle: construct, {@link #setParameters} (and, when resuming, {@link
 * #restoreOptimizerState}), any number of {@link #trainStep}, {@link #predict} and {@link
 * #optimizerState}. Thread-safety: none; one thread per member.
 */
public final class SlicedEngine {
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final NeuronSlices slices;
  private final GroupExchange exchange;
  private final int member;
  private final int maxBatch;
  private final int top;
  private final int[] n;
  private final BLAS blas = Blas.get();
  private final ActivationFunction[] act;
  private final CostFunction cost;
  private final Optimizer optimizer;
  private final float[] params;
  private final float[] prev;
  private final float[] sums;
  private final float[][] acts; // full, (n[l] + 1) x B with a row of ones
  private final float[][] own; // this member's rows of a layer: outputs, then errors
  private final float[] outputDelta;
  /**
   * Per layer with dropout, the whole layer's mask (n × B, 0 or 1) of the current step: every
   * member draws all of it, in the whole-network engine's order from the same seed, so the
   * gathered outputs are dropped alike everywhere and as one engine drops them.
   */
  private final float[][] masks;
  private boolean masked;
  private final SlicedNeuronLayers neurons;
  private final float[] packed; // a layer's chunks in member order (gather out, scatter in)
  private final int[][] counts; // [layer][member]: chunk sizes for the current batch
  private long updates;

  /**
   * @param maxBatch the largest batch one step takes
   */
  public SlicedEngine(NeuronSlices slices, TrainingSettings settings, int maxBatch,
      GroupExchange exchange) {
    this.slices = checkNotNull(slices, "slices");
    this.settings = checkNotNull(settings, "settings");
    this.exchange = checkNotNull(exchange, "exchange");
    checkArgument(exchange.members() == slices.members(), "an exchange of %s members for a "
        + "plan of %s", exchange.members(), slices.members());
    checkArgument(maxBatch > 0, "maxBatch must be > 0");
    this.spec = slices.spec();
    this.member = exchange.member();
    this.maxBatch = maxBatch;
    this.top = spec.depth() - 1;
    n = new int[top + 1];
    act = new ActivationFunction[top + 1];
    for (int l = 0; l <= top; l++) {
      n[l] = spec.size(l);
      act[l] = newInstance(spec.layer(l).activation());
    }
    cost = newInstance(spec.cost());
    int count = slices.parameterCount(member);
    params = new float[count];
    prev = new float[count];
    sums = new float[count];
    optimizer = Optimizers.create(settings, count);
    acts = new float[top + 1][];
    own = new float[top + 1][];
    counts = new int[top + 1][slices.members()];
    int widest = 0;
    for (int l = 0; l <= top; l++) {
      acts[l] = new float[(n[l] + 1) * maxBatch];
      widest = Math.max(widest, n[l]);
      if (l >= 1) {
        own[l] = new float[slices.owned(l, member) * maxBatch];
      }
    }
    neurons = new SlicedNeuronLayers(slices, settings, act, maxBatch, exchange);
    masks = new float[top + 1][];
    for (int l = 0; l <= top; l++) {
      if (spec.layer(l).dropRate() > 0 || neurons.userForward(l)) {
        masks[l] = new float[n[l] * maxBatch];
      }
    }
    outputDelta = new float[n[top] * maxBatch];
    packed = new float[widest * maxBatch];
  }

  private static <T> T newInstance(Class<? extends T> c) {
    try {
      return c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot instantiate " + c.getName() + ": " + e, e);
    }
  }

  public NeuronSlices slices() {
    return slices;
  }

  /** Replaces this member's parameters ({@link NeuronSlices#parameterCount} floats). */
  public void setParameters(float[] mine) {
    checkArgument(mine.length == params.length, "member %s holds %s parameters, got %s",
        member, params.length, mine.length);
    System.arraycopy(mine, 0, params, 0, params.length);
  }

  /** Copies this member's parameters into {@code dst}. */
  public void getParameters(float[] dst) {
    checkArgument(dst.length == params.length, "member %s holds %s parameters, dst has %s",
        member, params.length, dst.length);
    System.arraycopy(params, 0, dst, 0, params.length);
  }

  /**
   * A copy of this member's optimizer state: its neurons' previous changes and Adam's moments,
   * in this member's layout ({@link NeuronSlices#place} puts each part into the whole vector's
   * layout), and the updates applied, which are the same on every member.
   */
  public OptimizerState optimizerState() {
    Optimizer.Snapshot s = optimizer.snapshot();
    return new OptimizerState(updates, prev, s.adamM(), s.adamV());
  }

  /**
   * Puts back this member's slice of an optimizer state (as {@link #optimizerState} returns
   * it), so that the next step makes the update the saved engine would have made.
   *
   * @throws IllegalArgumentException if the state covers another parameter count or comes from
   *     another training method, before anything changes
   */
  public void restoreOptimizerState(OptimizerState state) {
    checkNotNull(state, "state");
    checkArgument(state.size() == prev.length, "the saved optimizer state covers %s parameters, "
        + "member %s holds %s", state.size(), member, prev.length);
    optimizer.restore(state.hasMoments()
        ? new Optimizer.Snapshot(state.updates(), state.adamM(), state.adamV())
        : new Optimizer.Snapshot(state.updates(), null, null));
    state.copyPrev(prev);
    updates = state.updates();
  }

  /**
   * One training step over {@code batch} samples (column-major {@code x}: inputSize × batch,
   * {@code t}: outputSize × batch), the same on every member; returns the summed cost. {@code
   * seed} picks the dropout masks as the whole-network engine's {@code step} argument does.
   */
  public double trainStep(float[] x, float[] t, int batch, long seed) {
    checkArgument(batch > 0 && batch <= maxBatch, "batch %s outside 1..%s", batch, maxBatch);
    checkArgument(x.length >= n[0] * batch && t.length >= n[top] * batch,
        "x or t too short for %s samples", batch);
    // The whole-network engine's dropout stream for a step of this seed.
    forward(x, batch, new SplittableRandom(settings.seed ^ (seed * 0x9E37L)));
    double c = 0;
    int ld = n[top] + 1;
    for (int s = 0; s < batch; s++) {
      c += cost.cost(acts[top], s * ld, t, s * n[top], n[top], act[top]);
    }
    java.util.Arrays.fill(sums, 0f);
    backward(t, batch);
    update(batch);
    return c;
  }

  /** Inference: the outputs ({@code outputSize × batch}) of {@code batch} samples into y. */
  public void predict(float[] x, int batch, float[] y) {
    checkArgument(batch > 0 && batch <= maxBatch, "batch %s outside 1..%s", batch, maxBatch);
    forward(x, batch, null);
    int ld = n[top] + 1;
    for (int s = 0; s < batch; s++) {
      System.arraycopy(acts[top], s * ld, y, s * n[top], n[top]);
    }
  }

  /** {@code rnd}: the step's dropout stream in training, null in inference. */
  private void forward(float[] x, int batch, SplittableRandom rnd) {
    masked = rnd != null;
    int ld0 = n[0] + 1;
    for (int s = 0; s < batch; s++) {
      System.arraycopy(x, s * n[0], acts[0], s * ld0, n[0]);
      acts[0][s * ld0 + n[0]] = 1f;
    }
    neurons.configure(rnd != null, settings);
    dropout(0, batch, rnd);
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      int m = slices.owned(l, member);
      if (neurons.userForward(l)) {
        // The user's neurons squash and drop themselves; the mask first, as one engine draws it.
        fillMask(l, batch, rnd);
        neurons.forward(l, acts[l - 1], params, prev, acts[l], masks[l], batch);
        int from = slices.from(l, member);
        for (int s = 0; s < batch; s++) {
          System.arraycopy(acts[l], s * (n[l] + 1) + from, own[l], s * m, m);
        }
        gatherRows(l, batch);
        if (act[l].isLayerWise()) {
          act[l].forward(acts[l], 0, n[l], batch, n[l] + 1);
        }
        continue;
      }
      blas.sgemm("T", "N", m, batch, k, 1f, params, slices.offset(l, member), k, acts[l - 1], 0,
          k, 0f, own[l], 0, m);
      if (!act[l].isLayerWise()) {
        act[l].forward(own[l], 0, m, batch, m);
      }
      gatherRows(l, batch);
      if (act[l].isLayerWise()) {
        act[l].forward(acts[l], 0, n[l], batch, n[l] + 1);
      }
      if (l < top) {
        dropout(l, batch, rnd);
      }
    }
  }

  /**
   * Dropout of the whole (gathered) layer {@code l} as the whole-network engine does it: in
   * training each unit kept (×1) or dropped (×0) by a draw of {@code rnd}, all n × B in order;
   * in inference every unit scaled by the keep probability.
   */
  /** 0 or 1 per unit in training (drawn), the keep probability in inference, 1 without. */
  private void fillMask(int l, int batch, SplittableRandom rnd) {
    float rate = spec.layer(l).dropRate();
    float[] m = masks[l];
    for (int i = 0; i < n[l] * batch; i++) {
      m[i] = rnd == null || rate == 0 ? 1f - rate : rnd.nextFloat() < rate ? 0f : 1f;
    }
  }

  private void dropout(int l, int batch, SplittableRandom rnd) {
    float rate = spec.layer(l).dropRate();
    if (rate == 0) {
      return;
    }
    int ld = n[l] + 1;
    float[] a = acts[l];
    float[] m = masks[l];
    fillMask(l, batch, rnd);
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < n[l]; i++) {
        a[i + s * ld] *= m[i + s * n[l]];
      }
    }
  }

  /** All-gathers layer l's member rows ({@code own[l]}) into {@code acts[l]} with its ones. */
  private void gatherRows(int l, int batch) {
    int[] c = chunkSizes(l, batch);
    exchange.allGather(own[l], c, packed);
    int ld = n[l] + 1;
    float[] a = acts[l];
    int off = 0;
    for (int p = 0; p < slices.members(); p++) {
      int lo = slices.from(l, p);
      int rows = slices.owned(l, p);
      for (int s = 0; s < batch; s++) {
        System.arraycopy(packed, off + s * rows, a, s * ld + lo, rows);
      }
      off += c[p];
    }
    for (int s = 0; s < batch; s++) {
      a[s * ld + n[l]] = 1f;
    }
  }

  private int[] chunkSizes(int l, int batch) {
    int[] c = counts[l];
    for (int p = 0; p < c.length; p++) {
      c[p] = slices.owned(l, p) * batch;
    }
    return c;
  }

  private void backward(float[] t, int batch) {
    cost.outputDelta(acts[top], 0, n[top] + 1, t, 0, outputDelta, n[top], batch, act[top]);
    int mTop = slices.owned(top, member);
    int loTop = slices.from(top, member);
    for (int s = 0; s < batch; s++) {
      System.arraycopy(outputDelta, s * n[top] + loTop, own[top], s * mTop, mTop);
    }
    for (int l = top; l >= 1; l--) {
      int in = n[l - 1];
      int k = in + 1;
      int m = slices.owned(l, member);
      int off = slices.offset(l, member);
      if (neurons.userBackward(l - 1)) {
        // The user's units of layer l-1: their pushes are block l's changes, their own
        // backpropagated values the errors below (mask and derivative included).
        float[] mask = neurons.userForward(l - 1) || (masked && masks[l - 1] != null)
            ? masks[l - 1] : null;
        neurons.backward(l, acts[l - 1], mask, params, prev, own[l], l > 1 ? own[l - 1] : null,
            sums, batch);
        continue;
      }
      blas.sgemm("N", "T", k, m, batch, 1f, acts[l - 1], 0, k, own[l], 0, m, 1f, sums, off, k);
      if (l == 1) {
        break;
      }
      // This member's part of the errors of layer l-1, for all its neurons: W_mine Δ_mine.
      float[] partial = scratch(in * batch);
      blas.sgemm("N", "N", in, batch, m, 1f, params, off, k, own[l], 0, m, 0f, partial, 0, in);
      // Packed in member order of layer l-1's rows, then summed over the members.
      int[] c = chunkSizes(l - 1, batch);
      int poff = 0;
      for (int p = 0; p < slices.members(); p++) {
        int lo = slices.from(l - 1, p);
        int rows = slices.owned(l - 1, p);
        for (int s = 0; s < batch; s++) {
          System.arraycopy(partial, s * in + lo, packed, poff + s * rows, rows);
        }
        poff += c[p];
      }
      exchange.reduceScatter(packed, c, own[l - 1]);
      int mb = slices.owned(l - 1, member);
      int lo = slices.from(l - 1, member);
      act[l - 1].backward(acts[l - 1], lo, in + 1, own[l - 1], 0, mb, mb, batch);
      float[] mask = masks[l - 1];
      if (mask != null && masked) {
        // A dropped unit passes no error down: this member's rows of the layer's mask.
        for (int s = 0; s < batch; s++) {
          for (int j = 0; j < mb; j++) {
            own[l - 1][s * mb + j] *= mask[lo + j + s * in];
          }
        }
      }
    }
  }

  private float[] scratchBuf = new float[0]; // grows to the widest hidden layer x batch once

  private float[] scratch(int len) {
    if (scratchBuf.length < len) {
      scratchBuf = new float[len];
    }
    return scratchBuf;
  }

  private void update(int batch) {
    float inv = 1f / batch;
    float decay = settings.regularizationWeight;
    optimizer.beginStep();
    updates++;
    for (int l = 1; l <= top; l++) {
      int in = n[l - 1];
      int off = slices.offset(l, member);
      for (int j = 0; j < slices.owned(l, member); j++) {
        int col = off + j * (in + 1);
        if (neurons.userBackward(l - 1)) {
          // The user's pushed changes, averaged, plus L2 decay of the weights, as one engine.
          float lrDecay = settings.learningRate * decay;
          for (int i = col; i <= col + in; i++) {
            float d = sums[i] * inv - (i < col + in ? lrDecay * params[i] : 0f);
            prev[i] = d;
            params[i] += d;
          }
          continue;
        }
        optimizer.update(params, sums, prev, col, in, inv, decay);
        optimizer.update(params, sums, prev, col + in, 1, inv, 0f);
      }
    }
  }
}
