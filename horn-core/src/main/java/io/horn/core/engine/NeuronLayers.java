package io.horn.core.engine;

import io.horn.core.NeuronLayerRunner;
import io.horn.core.NeuronRunner;
import io.horn.core.lanes.LaneLayerRunner;
import io.horn.core.lanes.NeuronCompiler;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.Matrices;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The per-neuron path of the CPU engine: runs the layers of user-written neurons over a
 * mini-batch, spreading each layer's neurons over worker threads, each with its own flyweight
 * runner. Work splits by neuron, so every output and every pushed sum is written by one thread in
 * sample order: results do not depend on the thread count.
 */
final class NeuronLayers implements AutoCloseable {
  private final NetworkSpec spec;
  private final int chunks;
  private final NeuronRunner[][] runners;
  /** Threads of the layers' work, the caller among them (null with one thread). */
  private final Team team;
  // Per weight block l whose lower layer is user-written: transposed weights, changes, pushes.
  private final float[][] weightsT;
  private final float[][] prevT;
  private final double[][] pushesT;
  /** Per block: whether its pushes may hold values from a step that did not finish. */
  private final boolean[] dirty;

  NeuronLayers(NetworkSpec spec, TrainingSettings s, ActivationFunction[] act,
      boolean[] userForward, boolean[] userBackward) {
    this.spec = spec;
    int depth = spec.depth();
    this.chunks = s.threads;
    runners = new NeuronRunner[chunks][depth];
    for (int l = 0; l < depth; l++) {
      if (!userForward[l] && !userBackward[l]) {
        continue;
      }
      // Compiled when the neuron's bytecode allows it (LayerPaths says why not otherwise).
      NeuronCompiler.Result widened = LayerPaths.compiled(spec, s, l);
      for (int c = 0; c < chunks; c++) {
        runners[c][l] = widened != null ? new LaneLayerRunner(widened, act[l])
            : new NeuronLayerRunner(spec.layer(l).neuron(), act[l], l);
      }
    }
    weightsT = new float[depth][];
    prevT = new float[depth][];
    pushesT = new double[depth][];
    dirty = new boolean[depth];
    for (int l = 1; l < depth; l++) {
      if (userBackward[l - 1]) {
        weightsT[l] = new float[spec.blockSize(l)];
        prevT[l] = new float[spec.blockSize(l)];
        pushesT[l] = new double[spec.blockSize(l)];
      }
    }
    team = chunks > 1 ? new Team(chunks, "horn-neurons") : null;
  }

  void configure(boolean training, TrainingSettings s) {
    for (NeuronRunner[] row : runners) {
      for (NeuronRunner r : row) {
        if (r != null) {
          r.configure(training, s.learningRate, s.momentumWeight, s.regularizationWeight);
        }
      }
    }
  }

  /** Forward pass of user layer {@code l}: {@code acts[l] = neurons(acts[l-1])}. */
  void forward(int l, float[] in, float[] params, float[] prev, float[] out, float[] mask,
      int batch) {
    int nIn = spec.size(l - 1);
    int n = spec.size(l);
    int off = spec.offset(l);
    parallel(n, (c, from, to) ->
        runners[c][l].forward(in, nIn, params, off, prev, out, n + 1, mask, n, from, to, batch));
  }

  /**
   * Backward pass of user layer {@code l-1} over weight block {@code l}: adds the summed pushes
   * into {@code sums} and writes the layer's errors into {@code deltaOut} when not null.
   */
  void backward(int l, float[] acts, float[] mask, float[] params, float[] prev,
      float[] deltaNext, float[] deltaOut, float[] sums, int batch) {
    int n = spec.size(l - 1);
    int nNext = spec.size(l);
    int off = spec.offset(l);
    float[] wT = weightsT[l];
    float[] pT = prevT[l];
    double[] push = pushesT[l];
    // The transposes are copies bound by memory: split over the threads, by the units of the
    // layer above (each thread its own columns of the source, rows of the result).
    parallel(nNext, (c, from, to) -> {
      Matrices.transpose(params, off + from * (n + 1), n + 1, n + 1, to - from, wT, from, nNext);
      Matrices.transpose(prev, off + from * (n + 1), n + 1, n + 1, to - from, pT, from, nNext);
    });
    // The pushes are left at zero by the previous step's transposeAddAndClear; only a step
    // that failed before reaching it leaves them dirty.
    if (dirty[l]) {
      Arrays.fill(push, 0d);
    }
    dirty[l] = true;
    // n + 1 units: the layer's neurons and its bias unit, which pushes the bias weights.
    parallel(n + 1, (c, from, to) -> runners[c][l - 1].backward(acts, n, mask, wT, pT, push,
        deltaNext, nNext, deltaOut, from, to, batch));
    // push is (n+1) × nNext row-major, i.e. column-major nNext × (n+1): transpose it back, each
    // thread adding into its own rows of sums.
    parallel(nNext, (c, from, to) -> Matrices.transposeAddAndClear(push, from, nNext, to - from,
        n + 1, sums, off + from * (n + 1), n + 1));
    dirty[l] = false;
  }

  private interface Chunk {
    void run(int chunk, int from, int to) throws IOException;
  }

  private void parallel(int count, Chunk body) {
    int parts = Math.min(chunks, count);
    if (parts <= 1 || team == null) {
      run(body, 0, 0, count);
      return;
    }
    team.run((part, of) -> run(body, part, (int) ((long) count * part / of),
        (int) ((long) count * (part + 1) / of)), parts);
  }

  private static void run(Chunk body, int chunk, int from, int to) {
    try {
      body.run(chunk, from, to);
    } catch (IOException e) {
      throw new UncheckedIOException("a neuron failed: " + e.getMessage(), e);
    }
  }

  /** The layers' threads, for the engine to close (null with one thread). */
  Team team() {
    return team;
  }

  @Override
  public void close() {
    if (team != null) {
      team.close();
    }
  }
}
