package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.ludovic.netlib.blas.BLAS;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.engine.StepPhases.Phase;
import io.horn.core.math.Blas;
import io.horn.core.math.GradientBlocks;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Classes;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.Optimizer;
import io.horn.core.optimizer.OptimizerState;
import io.horn.core.optimizer.Optimizers;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The CPU engine. Layers of built-in neurons run as whole mini-batch matrix products through BLAS
 * ({@code Z = Wᵀ A} forward, {@code G = A Δᵀ} and {@code Δ' = W Δ} backward), with the bias folded
 * in as a row of ones under every activation block; layers of user-written neurons run on the
 * per-neuron path ({@link NeuronLayers}). Both meet in the same buffers, so a network may mix
 * them.
 *
 * <p>Buffers (column-major, one sample per column): {@code acts[l]} is {@code (n_l + 1) × B} with
 * a last row of ones; {@code deltas[l]} is {@code n_l × B}; {@code masks[l]} is {@code n_l × B}
 * holding 0 for a dropped unit and 1 for a kept one (the keep probability in inference).
 *
 * <p>Gradient readiness: backward finishes weight block {@code l}'s sums (the BLAS product or the
 * neurons' pushes) before it moves to layer {@code l-1} and never touches them again, so {@link
 * #computeGradients(float[], float[], int, long, Gradients, GradientListener)} reports each block
 * right there, top layer first, on the calling thread.
 *
 * <p>Thread-safety: none, as for every {@link NetworkEngine}; the per-neuron path uses its own
 * worker threads inside a call.
 */
final class CpuNetworkEngine implements NetworkEngine {
  /** The listener of the five-argument call: one shared instance, so no allocation per step. */
  private static final GradientListener IGNORE = (offset, length) -> { };

  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final int maxBatch;
  private final int top;
  private final int[] n;
  private final BLAS blas = Blas.get();
  private final float[] params;
  private final float[] prev;
  private final float[][] acts;
  private final float[][] deltas;
  private final float[][] masks;
  private final boolean[] maskActive;
  private final ActivationFunction[] act;
  private final CostFunction cost;
  private final Optimizer optimizer;
  private final ParameterUpdate update;
  private final boolean[] userForward;
  private final boolean[] userBackward;
  private final NeuronLayers neurons;
  private final StepPhases phases = new StepPhases();
  private long updates;

  CpuNetworkEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch) {
    checkArgument(maxBatch > 0, "maxBatch must be positive");
    this.spec = spec;
    this.settings = settings;
    this.maxBatch = maxBatch;
    this.top = spec.depth() - 1;
    int depth = spec.depth();
    n = new int[depth];
    act = new ActivationFunction[depth];
    userForward = new boolean[depth];
    userBackward = new boolean[depth];
    acts = new float[depth][];
    deltas = new float[depth][];
    masks = new float[depth][];
    maskActive = new boolean[depth];
    for (int l = 0; l < depth; l++) {
      n[l] = spec.size(l);
      act[l] = Classes.instantiate(spec.layer(l).activation());
      boolean builtIn = LayerPaths.builtIn(spec, settings, l);
      userForward[l] = l > 0 && !builtIn;
      userBackward[l] = l < top && !builtIn;
      float drop = spec.layer(l).dropRate();
      checkArgument(drop == 0 || (l < top && !act[l].isLayerWise()),
          "layer %s: dropout is not supported on the output layer or a layer-wise function", l);
      acts[l] = new float[(n[l] + 1) * maxBatch];
      for (int s = 0; s < maxBatch; s++) {
        acts[l][n[l] + s * (n[l] + 1)] = 1f;
      }
      if (l > 0) {
        // One spare column: the BLAS binding checks a block of rows of the errors (a column
        // block of the gradient, see backward) as if it started at the matrix's first row.
        deltas[l] = new float[n[l] * (maxBatch + 1)];
      }
      if (drop > 0 || userForward[l]) {
        masks[l] = new float[n[l] * maxBatch];
      }
    }
    cost = Classes.instantiate(spec.cost());
    params = new float[spec.parameterCount()];
    prev = new float[spec.parameterCount()];
    optimizer = Optimizers.create(settings, spec.parameterCount());
    boolean[] pushes = new boolean[depth];
    for (int l = 1; l < depth; l++) {
      pushes[l] = userBackward[l - 1];
    }
    update = new ParameterUpdate(spec, optimizer, pushes, settings.learningRate,
        settings.regularizationWeight, settings.threads);
    boolean anyUser = false;
    for (int l = 0; l < depth; l++) {
      anyUser |= userForward[l] || userBackward[l];
    }
    neurons = anyUser ? new NeuronLayers(spec, settings, act, userForward, userBackward) : null;
  }

  @Override
  public NetworkSpec spec() {
    return spec;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public void setParameters(float[] p) {
    checkArgument(p.length == params.length, "expected %s parameters, got %s", params.length,
        p.length);
    System.arraycopy(p, 0, params, 0, p.length);
  }

  @Override
  public void getParameters(float[] dst) {
    checkArgument(dst.length == params.length, "expected room for %s parameters, got %s",
        params.length, dst.length);
    System.arraycopy(params, 0, dst, 0, params.length);
  }

  /** Nanoseconds spent inside BLAS calls since the engine was made (for benchmarks). */
  long blasNanos() {
    return phases.get(StepPhases.Phase.BLAS);
  }

  /** Nanoseconds per {@link StepPhases.Phase} since the engine was made (for benchmarks). */
  long[] phaseNanos() {
    return phases.snapshot();
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out) {
    computeGradients(x, t, batch, step, out, IGNORE);
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out,
      GradientListener ready) {
    checkNotNull(ready, "ready listener is null; pass (offset, length) -> {} to ignore reports");
    checkBatch(x, batch);
    checkArgument(t.length >= n[top] * batch, "targets hold %s floats, need %s", t.length,
        n[top] * batch);
    checkArgument(out.size() == params.length, "gradient buffer has %s entries, need %s",
        out.size(), params.length);
    forward(x, batch, true, step);
    // Freshly cleared sums are overwritten (beta = 0) rather than zero-filled and then added to.
    boolean overwrite = out.isZeroPending();
    double c = backward(t, batch, overwrite ? out.sumsToOverwrite() : out.sums(), overwrite,
        ready);
    // Count and cost are no part of the reported ranges (GradientListener's contract).
    out.addSamples(batch, c);
  }

  @Override
  public void predict(float[] x, int count, float[] y) {
    checkArgument(y.length >= n[top] * count, "output buffer too small");
    int in = n[0];
    float[] chunk = new float[in * Math.min(count, maxBatch)];
    for (int from = 0; from < count; from += maxBatch) {
      int b = Math.min(maxBatch, count - from);
      System.arraycopy(x, from * in, chunk, 0, b * in);
      forward(chunk, b, false, 0);
      for (int s = 0; s < b; s++) {
        System.arraycopy(acts[top], s * (n[top] + 1), y, (from + s) * n[top], n[top]);
      }
    }
  }

  private void checkBatch(float[] x, int batch) {
    checkArgument(batch > 0 && batch <= maxBatch, "batch of %s samples, engine takes 1..%s",
        batch, maxBatch);
    checkArgument(x.length >= n[0] * batch, "features hold %s floats, need %s (%s × %s)",
        x.length, n[0] * batch, n[0], batch);
  }

  private void forward(float[] x, int batch, boolean training, long step) {
    phases.start();
    int in = n[0];
    for (int s = 0; s < batch; s++) {
      System.arraycopy(x, s * in, acts[0], s * (in + 1), in);
    }
    if (neurons != null) {
      neurons.configure(training, settings);
    }
    SplittableRandom rnd = training ? new SplittableRandom(settings.seed ^ (step * 0x9E37L)) : null;
    applyDropout(0, batch, rnd);
    phases.charge(Phase.INPUT);
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      if (userForward[l]) {
        maskActive[l] = rnd != null && spec.layer(l).dropRate() > 0;
        fillMask(l, batch, rnd);
        neurons.forward(l, acts[l - 1], params, prev, acts[l], masks[l], batch);
        phases.charge(Phase.NEURONS);
        if (act[l].isLayerWise()) {
          act[l].forward(acts[l], 0, n[l], batch, n[l] + 1);
        }
        phases.charge(Phase.ACTIVATE);
        continue;
      }
      blas.sgemm("T", "N", n[l], batch, k, 1f, params, spec.offset(l), k, acts[l - 1], 0, k, 0f,
          acts[l], 0, n[l] + 1);
      phases.charge(Phase.BLAS);
      act[l].forward(acts[l], 0, n[l], batch, n[l] + 1);
      if (l < top) {
        applyDropout(l, batch, rnd);
      }
      phases.charge(Phase.ACTIVATE);
    }
  }

  /**
   * Dropout as Srivastava et al. (JMLR 2014) state it: in training a unit is kept (×1) or dropped
   * (×0); in inference every unit is scaled by the keep probability. Kept units thus carry their
   * true output, so a user neuron's {@code applyDerivative(getOutput())} stays exact.
   */
  private void applyDropout(int l, int batch, SplittableRandom rnd) {
    float rate = spec.layer(l).dropRate();
    maskActive[l] = rnd != null && rate > 0;
    if (rate == 0 || userForward[l]) {
      return;
    }
    int ld = n[l] + 1;
    float[] a = acts[l];
    if (!maskActive[l]) {
      scaleRows(a, n[l], ld, batch, 1f - rate);
      return;
    }
    fillMask(l, batch, rnd);
    float[] m = masks[l];
    for (int s = 0; s < batch; s++) {
      for (int i = 0; i < n[l]; i++) {
        a[i + s * ld] *= m[i + s * n[l]];
      }
    }
  }

  private static void scaleRows(float[] a, int rows, int ld, int cols, float f) {
    for (int s = 0; s < cols; s++) {
      for (int i = s * ld; i < s * ld + rows; i++) {
        a[i] *= f;
      }
    }
  }

  /** 0 or 1 per unit while training; the keep probability in inference; 1 without dropout. */
  private void fillMask(int l, int batch, SplittableRandom rnd) {
    float rate = spec.layer(l).dropRate();
    float[] m = masks[l];
    int len = n[l] * batch;
    if (rnd == null || rate == 0) {
      Arrays.fill(m, 0, len, 1f - rate);
      return;
    }
    for (int i = 0; i < len; i++) {
      m[i] = rnd.nextFloat() < rate ? 0f : 1f;
    }
  }

  /**
   * Backward over every layer, top first, adding block {@code l}'s gradient or pushes into
   * {@code sums} and then reporting that block to {@code ready}: block {@code l} is written only
   * by the iteration for {@code l} (the sgemm at {@code spec.offset(l)}, or {@link
   * NeuronLayers#backward}'s transposeAdd over exactly that block), so it is final there.
   */
  private double backward(float[] t, int batch, float[] sums, boolean overwrite,
      GradientListener ready) {
    float beta = overwrite ? 0f : 1f;
    phases.start();
    int no = n[top];
    int ld = no + 1;
    double c = 0;
    for (int s = 0; s < batch; s++) {
      c += cost.cost(acts[top], s * ld, t, s * no, no, act[top]);
    }
    cost.outputDelta(acts[top], 0, ld, t, 0, deltas[top], no, batch, act[top]);
    phases.charge(Phase.COST);
    for (int l = top; l >= 1; l--) {
      int lo = l - 1;
      int in = n[lo];
      int k = in + 1;
      float[] deltaOut = lo >= 1 ? deltas[lo] : null;
      if (userBackward[lo]) {
        float[] mask = userForward[lo] || maskActive[lo] ? masks[lo] : null;
        if (overwrite) {
          Arrays.fill(sums, spec.offset(l), spec.offset(l) + spec.blockSize(l), 0f);
        }
        neurons.backward(l, acts[lo], mask, params, prev, deltas[l], deltaOut, sums, batch);
        phases.charge(Phase.NEURONS);
        // Its worker threads are joined (invokeAll + get) and the pushes added: block l is final.
        ready.ready(spec.offset(l), spec.blockSize(l));
        continue;
      }
      // Column blocks of whole neurons (GradientBlocks): each is reported before the next is
      // computed, and the whole layer before the errors of layer l-1, so sending overlaps both.
      // The same blocks with or without a listener: the sums' bits never depend on who listens.
      int step = GradientBlocks.neuronsPerBlock(spec, l);
      for (int c0 = 0; c0 < n[l]; c0 += step) {
        int cols = Math.min(step, n[l] - c0);
        blas.sgemm("N", "T", k, cols, batch, 1f, acts[lo], 0, k, deltas[l], c0, n[l], beta, sums,
            spec.offset(l) + c0 * k, k);
        phases.charge(Phase.BLAS);
        ready.ready(spec.offset(l) + c0 * k, cols * k);
        phases.start();
      }
      if (deltaOut != null) {
        blas.sgemm("N", "N", in, batch, n[l], 1f, params, spec.offset(l), k, deltas[l], 0, n[l],
            0f, deltaOut, 0, in);
        phases.charge(Phase.BLAS);
      }
      if (deltaOut != null) {
        act[lo].backward(acts[lo], 0, k, deltaOut, 0, in, in, batch);
        if (maskActive[lo]) {
          float[] m = masks[lo];
          for (int i = 0; i < in * batch; i++) {
            deltaOut[i] *= m[i];
          }
        }
        phases.charge(Phase.DERIVATIVE);
      }
    }
    return c;
  }

  @Override
  public void applyUpdate(Gradients g) {
    checkArgument(g.count() > 0, "no samples in the gradients to apply");
    phases.start();
    update.apply(params, g.sums(), prev, 1f / g.count());
    updates++;
    phases.charge(Phase.UPDATE);
  }

  @Override
  public OptimizerState optimizerState() {
    Optimizer.Snapshot s = optimizer.snapshot();
    return new OptimizerState(updates, prev, s.adamM(), s.adamV());
  }

  @Override
  public void restoreOptimizerState(OptimizerState state) {
    checkArgument(state.size() == prev.length,
        "the saved optimizer state covers %s parameters, this network has %s", state.size(),
        prev.length);
    optimizer.restore(state.hasMoments()
        ? new Optimizer.Snapshot(state.updates(), state.adamM(), state.adamV())
        : new Optimizer.Snapshot(state.updates(), null, null));
    state.copyPrev(prev);
    updates = state.updates();
  }

  @Override
  public void close() {
    update.close();
    if (neurons != null) {
      neurons.close();
    }
  }
}
