package io.horn.core.engine;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.horn.core.DropoutNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.lanes.LaneLayerRunner;
import io.horn.core.lanes.NeuronCompiler;
import io.horn.core.model.NetworkSpec;

/**
 * Which path the CPU engine runs each layer's neurons on, and why: whole-layer BLAS for the
 * built-in neurons, a user neuron compiled to run many samples per call, or the per-neuron path
 * one sample at a time with the reason it could not be compiled. The job log and the model's
 * metadata (shown by {@code horn info}) carry these lines.
 *
 * <p>Stateless; thread-safe.
 */
public final class LayerPaths {
  /** The path of one layer. */
  public enum Kind { BLAS, COMPILED, SCALAR }

  /**
   * One layer's path.
   *
   * @param reason why the layer is not compiled (SCALAR), else empty
   */
  public record Path(int layer, Kind kind, String neuron, String reason) {
    /** For logs: {@code BLAS}, {@code compiled neuron × 64} or {@code scalar neuron (why)}. */
    public String describe() {
      switch (kind) {
        case BLAS:
          return "BLAS (built-in " + neuron + ")";
        case COMPILED:
          return "compiled neuron × " + LaneLayerRunner.LANES + " (" + neuron + ")";
        default:
          return "scalar neuron (" + neuron + "): " + reason;
      }
    }
  }

  private LayerPaths() {}

  /** Whether layer {@code l}'s neurons run as BLAS products. */
  public static boolean builtIn(NetworkSpec spec, TrainingSettings s, int l) {
    Class<?> neuron = spec.layer(l).neuron();
    return s.fastPath && (neuron == StandardNeuron.class || neuron == DropoutNeuron.class);
  }

  /** The compiled form of layer {@code l}'s neuron, or null when it runs one sample at a time. */
  static NeuronCompiler.Result compiled(NetworkSpec spec, TrainingSettings s, int l) {
    if (!s.widen) {
      return null;
    }
    NeuronCompiler.Result r = NeuronCompiler.compile(spec.layer(l).neuron());
    return r.compiled() ? r : null;
  }

  /**
   * Model metadata naming each layer's path: {@code path.layer.<l>} = {@link Path#describe()}
   * ({@code horn info} lists it with the training provenance).
   */
  public static ImmutableMap<String, String> metadata(NetworkSpec spec, TrainingSettings s) {
    ImmutableMap.Builder<String, String> m = ImmutableMap.builder();
    for (Path p : of(spec, s)) {
      m.put(io.horn.core.model.MetadataKeys.layerPath(p.layer()), p.describe());
    }
    return m.build();
  }

  /** Every layer's path under {@code settings}. */
  public static ImmutableList<Path> of(NetworkSpec spec, TrainingSettings settings) {
    ImmutableList.Builder<Path> b = ImmutableList.builder();
    for (int l = 0; l < spec.depth(); l++) {
      String name = spec.layer(l).neuron().getSimpleName();
      if (builtIn(spec, settings, l)) {
        b.add(new Path(l, Kind.BLAS, name, ""));
      } else if (!settings.widen) {
        b.add(new Path(l, Kind.SCALAR, name, "horn.neuron.widen is false"));
      } else {
        NeuronCompiler.Result r = NeuronCompiler.compile(spec.layer(l).neuron());
        b.add(r.compiled() ? new Path(l, Kind.COMPILED, name, "")
            : new Path(l, Kind.SCALAR, name, r.reason()));
      }
    }
    return b.build();
  }
}
