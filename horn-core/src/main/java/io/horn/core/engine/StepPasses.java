package io.horn.core.engine;

import dev.ludovic.netlib.blas.BLAS;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.engine.StepPhases.Phase;
import io.horn.core.math.Blas;
import io.horn.core.math.GradientBlocks;
import io.horn.core.math.GradientListener;
import io.horn.core.model.Classes;
import io.horn.core.model.NetworkSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The forward and backward passes of the CPU engine, split over a {@link Team}.
 *
 * <p>Each part takes a contiguous share of the samples through every built-in layer on its own:
 * its columns of each forward product, the activation and dropout of those columns, its columns
 * of each error product and the derivative of those — no part waits for another there, and the
 * element-wise work runs on columns the same thread has just written. Only a weight gradient
 * sums over all samples: it waits for the layer's errors (one barrier per layer) and is split by
 * neurons, whole {@link GradientBlocks} blocks where there are enough of them. Part 0 reports
 * each block to the {@link GradientListener}, in order, once every part's share of it is done.
 * Layers of user-written neurons, the cost and the dropout draws run on part 0 alone (the
 * neurons have their own threads; the draws come from one random stream, in layer order).
 *
 * <p>Each output value is computed by one BLAS call over the same operands whatever the split,
 * so the split never changes which values are added together; OpenBLAS itself, though, may give
 * other bits on one thread than on two.
 *
 * <p>Not thread-safe: the engine's calling thread drives it; the step's fields are set before
 * {@link Team#run}, which publishes them to the helpers.
 */
final class StepPasses {
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final int top;
  private final int[] n;
  private final BLAS blas = Blas.get();
  final float[][] acts;
  private final float[][] deltas;
  private final DropoutMasks dropout;
  private final ActivationFunction[] act;
  private final CostFunction cost;
  private final boolean[] userForward;
  private final boolean[] userBackward;
  private final NeuronLayers neurons;
  private final StepPhases phases;
  private final Team team;
  private final int parts;
  /** Per weight layer: neurons per reported block, first block's counter, block count. */
  private final int[] blockWidth;
  private final int[] blockBase;
  private final int[] blocks;
  private final AtomicIntegerArray blockDone;
  private final Team.Work forwardWork = this::forwardPart;
  private final Team.Work backwardWork = this::backwardPart;
  // The step's arguments, for every part.
  private float[] x;
  private float[] t;
  private float[] params;
  private float[] prev;
  private float[] sums;
  private int batch;
  private boolean overwrite;
  private GradientListener ready;
  /** Fused step: gradients go straight into the changes, scaled by {@code alpha}. */
  private boolean fused;
  private float alpha;
  private float momentum;
  private double stepCost;

  StepPasses(NetworkSpec spec, TrainingSettings settings, int maxBatch, Team team, int parts,
      StepPhases phases) {
    this.spec = spec;
    this.settings = settings;
    this.team = team;
    this.parts = parts;
    this.phases = phases;
    int depth = spec.depth();
    this.top = depth - 1;
    n = new int[depth];
    act = new ActivationFunction[depth];
    userForward = new boolean[depth];
    userBackward = new boolean[depth];
    acts = new float[depth][];
    deltas = new float[depth][];
    blockWidth = new int[depth];
    blockBase = new int[depth];
    blocks = new int[depth];
    int counters = 0;
    for (int l = 0; l < depth; l++) {
      n[l] = spec.size(l);
      act[l] = Classes.instantiate(spec.layer(l).activation());
      boolean builtIn = LayerPaths.builtIn(spec, settings, l);
      userForward[l] = l > 0 && !builtIn;
      userBackward[l] = l < top && !builtIn;
      float drop = spec.layer(l).dropRate();
      if (drop != 0 && (l == top || act[l].isLayerWise())) {
        throw new IllegalArgumentException("layer " + l
            + ": dropout is not supported on the output layer or a layer-wise function");
      }
      acts[l] = new float[(n[l] + 1) * maxBatch];
      for (int s = 0; s < maxBatch; s++) {
        acts[l][n[l] + s * (n[l] + 1)] = 1f;
      }
      if (l > 0) {
        // One spare column: the BLAS binding checks a block of rows of the errors (a column
        // block of the gradient, see backward) as if it started at the matrix's first row.
        deltas[l] = new float[n[l] * (maxBatch + 1)];
        blockWidth[l] = GradientBlocks.neuronsPerBlock(spec, l);
        blocks[l] = (n[l] + blockWidth[l] - 1) / blockWidth[l];
        blockBase[l] = counters;
        counters += blocks[l];
      }
    }
    blockDone = new AtomicIntegerArray(Math.max(1, counters));
    dropout = new DropoutMasks(spec, n, userForward, maxBatch);
    cost = Classes.instantiate(spec.cost());
    boolean anyUser = false;
    for (int l = 0; l < depth; l++) {
      anyUser |= userForward[l] || userBackward[l];
    }
    neurons = anyUser ? new NeuronLayers(spec, settings, act, userForward, userBackward) : null;
  }

  /** The user-written layers' own threads, or null. */
  Team neuronTeam() {
    return neurons == null ? null : neurons.team();
  }

  /** Parts the passes are split into. */
  int parts() {
    return parts;
  }

  /** Runs the network on {@code x}; training draws dropout masks for {@code step}. */
  void forward(float[] x, float[] params, float[] prev, int batch, boolean training, long step) {
    phases.start();
    this.x = x;
    this.params = params;
    this.prev = prev;
    this.batch = batch;
    if (neurons != null) {
      neurons.configure(training, settings);
    }
    dropout.draw(batch, training ? new SplittableRandom(settings.seed ^ (step * 0x9E37L)) : null);
    phases.charge(Phase.INPUT);
    team.run(forwardWork, parts);
  }

  /**
   * Backward over every layer, top first, writing or adding each block's gradient into {@code
   * sums} and reporting it to {@code ready}; returns the batch's summed cost.
   */
  double backward(float[] t, float[] sums, boolean overwrite, GradientListener ready) {
    phases.start();
    this.t = t;
    this.sums = sums;
    this.overwrite = overwrite;
    this.ready = ready;
    this.fused = false;
    for (int i = 0; i < blockDone.length(); i++) {
      blockDone.set(i, 0);
    }
    team.run(backwardWork, parts);
    return stepCost;
  }

  /**
   * Backward with momentum descent fused in, for networks of built-in layers: per layer, the
   * errors below it first (they read its weights), one barrier, then each gradient product writes
   * {@code prev = alpha · A Δᵀ + momentum · prev} (the change, {@code alpha = -η / batch}) in
   * place of the sums, and the block's weights take that change while it is in cache. Nothing
   * changes when the cost is not finite. Returns the batch's summed cost.
   */
  double backwardFused(float[] t, float alpha, float momentum) {
    phases.start();
    this.t = t;
    this.fused = true;
    this.alpha = alpha;
    this.momentum = momentum;
    this.overwrite = false;
    team.run(backwardWork, parts);
    return stepCost;
  }

  private int from(int part, int of) {
    return (int) ((long) part * batch / of);
  }

  private void forwardPart(int part, int of) {
    boolean lead = part == 0;
    int s0 = from(part, of);
    int cols = from(part + 1, of) - s0;
    int in = n[0];
    for (int s = s0; s < s0 + cols; s++) {
      System.arraycopy(x, s * in, acts[0], s * (in + 1), in);
    }
    dropout.apply(acts[0], 0, s0, cols);
    charge(lead, Phase.INPUT);
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      if (userForward[l]) {
        team.sync();
        charge(lead, Phase.SYNC);
        if (lead) {
          neurons.forward(l, acts[l - 1], params, prev, acts[l], dropout.mask(l), batch);
          phases.charge(Phase.NEURONS);
          if (act[l].isLayerWise()) {
            act[l].forward(acts[l], 0, n[l], batch, n[l] + 1);
          }
          phases.charge(Phase.ACTIVATE);
        }
        team.sync();
        charge(lead, Phase.SYNC);
        continue;
      }
      if (cols > 0) {
        blas.sgemm("T", "N", n[l], cols, k, 1f, params, spec.offset(l), k, acts[l - 1], s0 * k,
            k, 0f, acts[l], s0 * (n[l] + 1), n[l] + 1);
      }
      charge(lead, Phase.BLAS);
      act[l].forward(acts[l], s0 * (n[l] + 1), n[l], cols, n[l] + 1);
      if (l < top) {
        dropout.apply(acts[l], l, s0, cols);
      }
      charge(lead, Phase.ACTIVATE);
    }
  }

  private void backwardPart(int part, int of) {
    boolean lead = part == 0;
    if (lead) {
      int no = n[top];
      int ld = no + 1;
      double c = 0;
      for (int s = 0; s < batch; s++) {
        c += cost.cost(acts[top], s * ld, t, s * no, no, act[top]);
      }
      stepCost = c;
      cost.outputDelta(acts[top], 0, ld, t, 0, deltas[top], no, batch, act[top]);
      phases.charge(Phase.COST);
    }
    float beta = overwrite ? 0f : 1f;
    for (int l = top; l >= 1; l--) {
      team.sync(); // the errors of layer l, every sample
      charge(lead, Phase.SYNC);
      if (fused && !Double.isFinite(stepCost)) {
        return; // as the unfused step: no update from a diverged batch
      }
      int lo = l - 1;
      if (userBackward[lo]) {
        if (lead) {
          userBackward(l, lo, lo >= 1 ? deltas[lo] : null);
        }
        continue;
      }
      if (fused) {
        // The errors first: they read the weights that this layer's update then changes.
        if (lo >= 1) {
          errors(l, part, of, lead);
          team.sync();
          charge(lead, Phase.SYNC);
        }
        gradient(l, part, of, beta, lead);
        continue;
      }
      int reported = gradient(l, part, of, beta, lead);
      if (lo >= 1) {
        errors(l, part, of, lead);
      }
      if (lead) {
        for (int b = reported; b < blocks[l]; b++) {
          team.await(blockDone, blockBase[l] + b, unitsPerBlock(l, of));
          phases.charge(Phase.SYNC);
          report(l, b);
        }
      }
    }
  }

  /** This part's samples of layer {@code l - 1}'s errors: {@code W Δ}, derivative, mask. */
  private void errors(int l, int part, int of, boolean lead) {
    int s0 = from(part, of);
    int cols = from(part + 1, of) - s0;
    if (cols == 0) {
      return;
    }
    int lo = l - 1;
    int in = n[lo];
    int k = in + 1;
    float[] deltaOut = deltas[lo];
    blas.sgemm("N", "N", in, cols, n[l], 1f, params, spec.offset(l), k, deltas[l], s0 * n[l],
        n[l], 0f, deltaOut, s0 * in, in);
    charge(lead, Phase.BLAS);
    act[lo].backward(acts[lo], s0 * k, k, deltaOut, s0 * in, in, in, cols);
    if (dropout.active(lo)) {
      float[] m = dropout.mask(lo);
      for (int i = s0 * in; i < (s0 + cols) * in; i++) {
        deltaOut[i] *= m[i];
      }
    }
    charge(lead, Phase.DERIVATIVE);
  }

  /** Layer {@code lo}'s user neurons, whole batch: their pushes are block {@code l}. */
  private void userBackward(int l, int lo, float[] deltaOut) {
    float[] mask = userForward[lo] || dropout.active(lo) ? dropout.mask(lo) : null;
    if (overwrite) {
      Arrays.fill(sums, spec.offset(l), spec.offset(l) + spec.blockSize(l), 0f);
    }
    neurons.backward(l, acts[lo], mask, params, prev, deltas[l], deltaOut, sums, batch);
    phases.charge(Phase.NEURONS);
    // Its worker threads are joined (invokeAll + get) and the pushes added: block l is final.
    ready.ready(spec.offset(l), spec.blockSize(l));
    phases.start();
  }

  private int unitsPerBlock(int l, int of) {
    return blocks[l] >= of ? 1 : of;
  }

  /**
   * This part's share of weight block {@code l}'s gradient (see {@link #firstBlock}). Part 0
   * reports the leading finished blocks as it goes; returns how many it did.
   */
  private int gradient(int l, int part, int of, float beta, boolean lead) {
    int lo = l - 1;
    int k = n[lo] + 1;
    int reported = 0;
    for (int b = firstBlock(l, part, of); b < lastBlock(l, part, of); b++) {
      int c0 = shareStart(l, b, part, of);
      int c1 = shareEnd(l, b, part, of);
      if (c1 > c0 && fused) {
        blas.sgemm("N", "T", k, c1 - c0, batch, alpha, acts[lo], 0, k, deltas[l], c0, n[l],
            momentum, prev, spec.offset(l) + c0 * k, k);
      } else if (c1 > c0) {
        blas.sgemm("N", "T", k, c1 - c0, batch, 1f, acts[lo], 0, k, deltas[l], c0, n[l], beta,
            sums, spec.offset(l) + c0 * k, k);
      }
      charge(lead, Phase.BLAS);
      if (fused) {
        // The change is still in this core's cache: the weights take it now.
        for (int i = spec.offset(l) + c0 * k, end = spec.offset(l) + c1 * k; i < end; i++) {
          params[i] += prev[i];
        }
        charge(lead, Phase.UPDATE);
        continue;
      }
      blockDone.incrementAndGet(blockBase[l] + b);
      if (lead) {
        int units = unitsPerBlock(l, of);
        while (reported < blocks[l] && blockDone.get(blockBase[l] + reported) == units) {
          report(l, reported++);
        }
      }
    }
    return reported;
  }

  // A part's share of weight block l: a contiguous run of whole blocks where there are at least
  // as many blocks as parts, else its share of every block's neurons.

  private int firstBlock(int l, int part, int of) {
    return blocks[l] >= of ? (int) ((long) part * blocks[l] / of) : 0;
  }

  private int lastBlock(int l, int part, int of) {
    return blocks[l] >= of ? (int) ((long) (part + 1) * blocks[l] / of) : blocks[l];
  }

  /** First neuron of block {@code b} that part {@code part} computes. */
  private int shareStart(int l, int b, int part, int of) {
    int b0 = b * blockWidth[l];
    if (blocks[l] >= of) {
      return b0;
    }
    int width = Math.min(blockWidth[l], n[l] - b0);
    return b0 + (int) ((long) part * width / of);
  }

  /** End of part {@code part}'s neurons in block {@code b}. */
  private int shareEnd(int l, int b, int part, int of) {
    int b0 = b * blockWidth[l];
    int width = Math.min(blockWidth[l], n[l] - b0);
    if (blocks[l] >= of) {
      return b0 + width;
    }
    return b0 + (int) ((long) (part + 1) * width / of);
  }

  private void report(int l, int b) {
    int c0 = b * blockWidth[l];
    int cols = Math.min(blockWidth[l], n[l] - c0);
    int k = n[l - 1] + 1;
    ready.ready(spec.offset(l) + c0 * k, cols * k);
    phases.start();
  }

  private void charge(boolean lead, Phase p) {
    if (lead) {
      phases.charge(p);
    }
  }

  void close() {
    if (neurons != null) {
      neurons.close();
    }
  }
}
