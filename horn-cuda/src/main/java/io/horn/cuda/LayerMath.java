package io.horn.cuda;

import io.horn.core.DropoutNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.Map;

/**
 * Which kernels compute each layer's function, its derivative and the output error, and which
 * networks the GPU engine can run at all ({@link #unsupported}). Immutable.
 */
final class LayerMath {
  private static final Map<Class<?>, String[]> ELEMENT_WISE = Map.of(
      ReLU.class, new String[] {Kernels.RELU_FORWARD, Kernels.RELU_BACKWARD},
      Sigmoid.class, new String[] {Kernels.SIGMOID_FORWARD, Kernels.SIGMOID_BACKWARD},
      Tanh.class, new String[] {Kernels.TANH_FORWARD, Kernels.TANH_BACKWARD},
      LeakyReLU.class, new String[] {Kernels.LEAKY_RELU_FORWARD, Kernels.LEAKY_RELU_BACKWARD},
      Identity.class, new String[] {null, null});

  private final String[] forward;
  private final String[] backward;
  private final String delta;

  LayerMath(NetworkSpec spec) {
    int depth = spec.depth();
    forward = new String[depth];
    backward = new String[depth];
    for (int l = 0; l < depth - 1; l++) {
      String[] k = ELEMENT_WISE.get(spec.layer(l).activation());
      forward[l] = k[0];
      backward[l] = k[1];
    }
    Class<?> out = spec.layer(depth - 1).activation();
    forward[depth - 1] = out == SoftMax.class ? Kernels.SOFTMAX_FORWARD
        : ELEMENT_WISE.get(out)[0];
    delta = out == SoftMax.class ? Kernels.SOFTMAX_XENT_DELTA
        : out == Sigmoid.class ? Kernels.SIGMOID_XENT_DELTA : Kernels.SQUARED_ERROR_DELTA;
  }

  /** Why the GPU engine cannot run this network, or null when it can. */
  static String unsupported(NetworkSpec spec, TrainingSettings s) {
    if (!s.fastPath) {
      return "horn.neuron.fastpath=false sends built-in neurons to the CPU's per-neuron path";
    }
    int top = spec.depth() - 1;
    for (int l = 0; l <= top; l++) {
      LayerSpec layer = spec.layer(l);
      if (layer.neuron() != StandardNeuron.class && layer.neuron() != DropoutNeuron.class) {
        return "layer " + l + " has the user-written neuron " + layer.neuron().getName()
            + ", which runs on the CPU's per-neuron path";
      }
      if (layer.dropRate() > 0) {
        return "layer " + l + " uses dropout, which the GPU engine does not implement yet";
      }
      if (l < top && !ELEMENT_WISE.containsKey(layer.activation())) {
        return "layer " + l + "'s function " + layer.activation().getSimpleName()
            + " has no GPU kernel";
      }
    }
    Class<?> out = spec.layer(top).activation();
    Class<?> cost = spec.cost();
    boolean ok = (cost == CrossEntropy.class && (out == SoftMax.class || out == Sigmoid.class))
        || (cost == SquaredError.class && out == Identity.class);
    return ok ? null : "the output " + out.getSimpleName() + " with cost "
        + cost.getSimpleName() + " has no GPU kernel (use SoftMax or Sigmoid with "
        + "CrossEntropy, or Identity with SquaredError)";
  }

  /** In place: {@code a = f(a)} over layer {@code l}'s block ({@code rows} units + bias row). */
  void forward(DeviceKernels k, int l, DeviceBuffer a, int rows, int batch) {
    String name = forward[l];
    if (name == null) {
      return;
    }
    if (name.equals(Kernels.SOFTMAX_FORWARD)) {
      k.launchColumns(name, batch, rows, batch, rows + 1, a.at(0));
    } else {
      k.launch(name, (long) rows * batch, rows, batch, rows + 1, a.at(0));
    }
  }

  /** In place: {@code g *= f'(y)} for layer {@code l}; g has leading dimension {@code rows}. */
  void backward(DeviceKernels k, int l, DeviceBuffer y, DeviceBuffer g, int rows, int batch) {
    String name = backward[l];
    if (name != null) {
      k.launch(name, (long) rows * batch, rows, batch, y.at(0), rows + 1, g.at(0), rows);
    }
  }

  /** The output error {@code dC/dx} and each sample's cost. */
  void outputDelta(DeviceKernels k, DeviceBuffer y, DeviceBuffer t, DeviceBuffer delta,
      DeviceBuffer costs, int rows, int batch) {
    k.launchColumns(this.delta, batch, rows, batch, y.at(0), rows + 1, t.at(0), delta.at(0),
        costs.at(0));
  }
}
