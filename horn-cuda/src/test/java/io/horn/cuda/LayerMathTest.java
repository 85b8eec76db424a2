package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.Synapse;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CostFunction;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which networks the GPU engine takes, decided on the host, without a GPU. */
class LayerMathTest {

  public static class MyNeuron extends Neuron {
    @Override
    public void forward(Iterable<Synapse> m) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> m) {}
  }

  private static NetworkSpec net(Class<? extends ActivationFunction> hidden,
      Class<? extends ActivationFunction> out, Class<? extends CostFunction> cost,
      Class<? extends Neuron> neuron, float drop) {
    return new NetworkSpec(List.of(new LayerSpec(4, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(3, hidden, neuron, drop), new LayerSpec(2, out, StandardNeuron.class, 0f)),
        cost);
  }

  private static final TrainingSettings S = TrainingSettings.defaults();

  @Test
  void takesTheSupportedCombinations() {
    assertNull(LayerMath.unsupported(net(ReLU.class, SoftMax.class, CrossEntropy.class,
        StandardNeuron.class, 0), S));
    assertNull(LayerMath.unsupported(net(Tanh.class, Sigmoid.class, CrossEntropy.class,
        StandardNeuron.class, 0), S));
    assertNull(LayerMath.unsupported(net(Sigmoid.class, Identity.class, SquaredError.class,
        StandardNeuron.class, 0), S));
  }

  @Test
  void namesWhatItCannotRun() {
    assertTrue(LayerMath.unsupported(net(ReLU.class, SoftMax.class, CrossEntropy.class,
        MyNeuron.class, 0), S).contains("user-written neuron"));
    assertTrue(LayerMath.unsupported(net(ReLU.class, SoftMax.class, CrossEntropy.class,
        StandardNeuron.class, 0.5f), S).contains("dropout"));
    assertTrue(LayerMath.unsupported(net(ReLU.class, SoftMax.class, SquaredError.class,
        StandardNeuron.class, 0), S).contains("SoftMax with cost SquaredError"));
    assertTrue(LayerMath.unsupported(net(SoftMax.class, SoftMax.class, CrossEntropy.class,
        StandardNeuron.class, 0), S).contains("SoftMax has no GPU kernel"));
    HornConfiguration c = new HornConfiguration();
    c.set(HornOptions.FAST_PATH, false);
    assertTrue(LayerMath.unsupported(net(ReLU.class, SoftMax.class, CrossEntropy.class,
        StandardNeuron.class, 0), TrainingSettings.from(c)).contains("fastpath"));
  }

  @Test
  void engineRefusesWithTheProbesReasonWhenCudaIsUnusable() {
    CudaProbe.Result probe = CudaProbe.result();
    assumeFalse(probe.usable, "a GPU is usable here; CudaEquivalenceTest covers the engine");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new CudaNetworkEngine(net(ReLU.class, SoftMax.class, CrossEntropy.class,
            StandardNeuron.class, 0), S, 8, probe, false));
    assertTrue(e.getMessage().contains(probe.reason), e.getMessage());
  }
}
