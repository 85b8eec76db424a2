package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.engine.StepPhases.Phase;
import io.horn.core.math.BlasThreads;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.MomentumSgd;
import io.horn.core.optimizer.Optimizer;
import io.horn.core.optimizer.OptimizerState;
import io.horn.core.optimizer.Optimizers;
import java.lang.ref.Cleaner;

/**
 * The CPU engine. Layers of built-in neurons run as whole mini-batch matrix products through BLAS
 * ({@code Z = Wᵀ A} forward, {@code G = A Δᵀ} and {@code Δ' = W Δ} backward), with the bias folded
 * in as a row of ones under every activation block; layers of user-written neurons run on the
 * per-neuron path ({@link NeuronLayers}). Both meet in the same buffers, so a network may mix
 * them.
 *
 * <p>Buffers (column-major, one sample per column, in {@link StepPasses}): {@code acts[l]} is
 * {@code (n_l + 1) × B} with a last row of ones; {@code deltas[l]} is {@code n_l × B}; dropout
 * masks ({@link DropoutMasks}) are {@code n_l × B}.
 *
 * <p>Threads: each step is split over {@code horn.threads} threads (a {@link Team}, the caller
 * being one) where every BLAS call runs on its caller ({@link BlasThreads}); the update runs on
 * the same team; {@link #trainStep} fuses momentum descent into the gradient products.
 *
 * <p>Gradient readiness: weight block {@code l}'s sums (the BLAS products or the neurons' pushes)
 * are final once every thread's share of them is done, and nothing touches them afterwards, so
 * {@link #computeGradients(float[], float[], int, long, Gradients, GradientListener)} reports each
 * block then, top layer first, in order, on the calling thread.
 *
 * <p>Thread-safety: none, as for every {@link NetworkEngine}: one caller at a time, which runs
 * part of every step itself. {@link #close()} ends the engine's threads; an engine dropped
 * without it has them ended when it is collected.
 */
final class CpuNetworkEngine implements NetworkEngine {
  /** The listener of the five-argument call: one shared instance, so no allocation per step. */
  private static final GradientListener IGNORE = (offset, length) -> { };
  /** Closes a team whose engine was dropped without {@link #close()}: its threads end. */
  private static final Cleaner CLEANER = Cleaner.create();

  private final NetworkSpec spec;
  private final int maxBatch;
  private final int top;
  private final int[] n;
  private final float[] params;
  private final float[] prev;
  private final Optimizer optimizer;
  private final ParameterUpdate update;
  private final StepPasses passes;
  private final Team team;
  private final Cleaner.Cleanable cleanable;
  private final StepPhases phases = new StepPhases();
  /** Whether {@link #trainStep} fuses the update into the gradient products (momentum SGD). */
  private final boolean fuses;
  private final float learningRate;
  private final float momentum;
  private long updates;

  CpuNetworkEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch) {
    checkArgument(maxBatch > 0, "maxBatch must be positive");
    this.spec = spec;
    this.maxBatch = maxBatch;
    this.top = spec.depth() - 1;
    int depth = spec.depth();
    n = new int[depth];
    boolean[] pushes = new boolean[depth];
    for (int l = 0; l < depth; l++) {
      n[l] = spec.size(l);
      if (l > 0) {
        pushes[l] = l - 1 < top && !LayerPaths.builtIn(spec, settings, l - 1);
      }
    }
    params = new float[spec.parameterCount()];
    prev = new float[spec.parameterCount()];
    optimizer = Optimizers.create(settings, spec.parameterCount());
    team = new Team(Math.max(1, settings.threads), "horn-engine");
    // The passes split over the team only where each BLAS call runs on its caller's thread;
    // otherwise the library's own threads do the products and one thread drives them.
    // A network of user neurons alone has no products to split (its layers have their threads).
    boolean products = false;
    for (int l = 1; l < depth; l++) {
      products |= LayerPaths.builtIn(spec, settings, l) || !pushes[l];
    }
    int parts = products && team.size() > 1 && BlasThreads.runOnCallers() ? team.size() : 1;
    passes = new StepPasses(spec, settings, maxBatch, team, parts, phases);
    cleanable = CLEANER.register(this, new CloseTeams(team, passes.neuronTeam()));
    update = new ParameterUpdate(spec, optimizer, pushes, settings.learningRate,
        settings.regularizationWeight, team);
    // Momentum descent without decay over layers of built-in neurons only: its change is one
    // scaled product plus the previous change, which BLAS's beta adds for free.
    boolean allBuiltIn = true;
    for (int l = 0; l < depth; l++) {
      allBuiltIn &= LayerPaths.builtIn(spec, settings, l);
    }
    fuses = allBuiltIn && optimizer instanceof MomentumSgd && settings.regularizationWeight == 0f;
    learningRate = settings.learningRate;
    momentum = settings.momentumWeight;
  }

  /** Ends the engine's threads; holds the teams only, never the engine. */
  private static final class CloseTeams implements Runnable {
    private final Team engine;
    private final Team neurons;

    CloseTeams(Team engine, Team neurons) {
      this.engine = engine;
      this.neurons = neurons;
    }

    @Override
    public void run() {
      engine.close();
      if (neurons != null) {
        neurons.close();
      }
    }
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

  /** Threads a step's products and element-wise work are split over (for benchmarks). */
  int stepThreads() {
    return passes.parts();
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
    passes.forward(x, params, prev, batch, true, step);
    // Freshly cleared sums are overwritten (beta = 0) rather than zero-filled and then added to.
    boolean overwrite = out.isZeroPending();
    double c = passes.backward(t, overwrite ? out.sumsToOverwrite() : out.sums(), overwrite,
        ready);
    // Count and cost are no part of the reported ranges (GradientListener's contract).
    out.addSamples(batch, c);
  }

  /**
   * One local step. For momentum descent over built-in layers the update is fused into the
   * backward pass ({@link StepPasses#backwardFused}): the gradient is never written out, and
   * {@code scratch} is only cleared. Otherwise {@link #computeGradients} then {@link
   * #applyUpdate}.
   */
  @Override
  public double trainStep(float[] x, float[] t, int batch, long step, Gradients scratch) {
    if (!fuses) {
      return NetworkEngine.super.trainStep(x, t, batch, step, scratch);
    }
    checkBatch(x, batch);
    checkArgument(t.length >= n[top] * batch, "targets hold %s floats, need %s", t.length,
        n[top] * batch);
    scratch.clear();
    passes.forward(x, params, prev, batch, true, step);
    double c = passes.backwardFused(t, -learningRate / batch, momentum);
    if (Double.isFinite(c)) {
      updates++;
    }
    return c;
  }

  @Override
  public void predict(float[] x, int count, float[] y) {
    checkArgument(y.length >= n[top] * count, "output buffer too small");
    int in = n[0];
    float[] chunk = new float[in * Math.min(count, maxBatch)];
    float[] out = passes.acts[top];
    for (int from = 0; from < count; from += maxBatch) {
      int b = Math.min(maxBatch, count - from);
      System.arraycopy(x, from * in, chunk, 0, b * in);
      passes.forward(chunk, params, prev, b, false, 0);
      for (int s = 0; s < b; s++) {
        System.arraycopy(out, s * (n[top] + 1), y, (from + s) * n[top], n[top]);
      }
    }
  }

  private void checkBatch(float[] x, int batch) {
    checkArgument(batch > 0 && batch <= maxBatch, "batch of %s samples, engine takes 1..%s",
        batch, maxBatch);
    checkArgument(x.length >= n[0] * batch, "features hold %s floats, need %s (%s × %s)",
        x.length, n[0] * batch, n[0], batch);
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
    passes.close();
    cleanable.clean();
  }
}
