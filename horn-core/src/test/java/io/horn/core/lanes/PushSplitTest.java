package io.horn.core.lanes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.Neuron;
import io.horn.core.NeuronLayerRunner;
import io.horn.core.Synapse;
import io.horn.core.activation.Tanh;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A push that needs nothing carried from the previous synapse runs as a loop of its own; one
 * that does stays in the synapse loop. Either way one layer's backward pass gives the per-neuron
 * path's bits: summed pushes, errors, for a batch that is not a multiple of the lanes.
 */
class PushSplitTest {
  /** The wiki's example: the push's value goes through a local first. */
  public static class ThroughLocal extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      for (Synapse m : ms) {
        double gradient = squashingFunction.applyDerivative(getOutput())
            * (m.getDelta() * m.getWeight());
        backpropagate(gradient);
        double weight = -getLearningRate() * getOutput() * m.getDelta()
            + getMomentumWeight() * m.getPrevWeight();
        push(weight);
      }
    }
  }

  /** A value computed before the loop, the engine's output and the function inside the push. */
  public static class BeforeTheLoop extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      double d = squashingFunction.applyDerivative(getOutput()) / 3;
      for (Synapse m : ms) {
        double t = m.getDelta() * d;
        push(Math.tanh(t) + m.getInput() * m.getPrevWeight() - squashingFunction.apply(t));
      }
    }
  }

  /** A running sum: the push depends on the previous synapse. */
  public static class Carried extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      double run = 0;
      for (Synapse m : ms) {
        run = run * 0.5 + m.getDelta() * m.getWeight();
        push(run);
      }
    }
  }

  /** The accumulated error: depends on every synapse before. */
  public static class ReadsError extends Neuron {
    @Override
    public void forward(Iterable<Synapse> ms) {
      feedforward(0);
    }

    @Override
    public void backward(Iterable<Synapse> ms) {
      for (Synapse m : ms) {
        backpropagate(m.getDelta() * m.getWeight());
        push(getDelta() * m.getDelta());
      }
    }
  }

  @Test
  void splitsExactlyThePushesThatNeedNothingCarried() {
    assertEquals(1, NeuronCompiler.compile(ThroughLocal.class).backward().splitPushes());
    assertEquals(1, NeuronCompiler.compile(BeforeTheLoop.class).backward().splitPushes());
    assertEquals(0, NeuronCompiler.compile(Carried.class).backward().splitPushes());
    assertEquals(0, NeuronCompiler.compile(ReadsError.class).backward().splitPushes());
  }

  @Test
  void backwardGivesThePerNeuronPathsBits() throws Exception {
    for (Class<? extends Neuron> c : java.util.List.of(ThroughLocal.class, BeforeTheLoop.class,
        Carried.class, ReadsError.class)) {
      assertSameBackward(c);
    }
  }

  private static void assertSameBackward(Class<? extends Neuron> c) throws Exception {
    int n = 23;
    int nNext = 37;
    int batch = 87;
    SplittableRandom r = new SplittableRandom(c.getName().hashCode());
    float[] acts = random(r, (n + 1) * batch);
    float[] mask = new float[n * batch];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = r.nextInt(4) == 0 ? 0f : 1.25f;
    }
    float[] weightsT = random(r, (n + 1) * nNext);
    float[] prevT = random(r, (n + 1) * nNext);
    float[] deltaNext = random(r, nNext * batch);
    NeuronLayerRunner scalar = new NeuronLayerRunner(c, new Tanh(), 1);
    LaneLayerRunner widened = new LaneLayerRunner(NeuronCompiler.compile(c), new Tanh());
    double[][] pushes = new double[2][(n + 1) * nNext];
    float[][] deltas = new float[2][n * batch];
    scalar.configure(true, 0.07, 0.9, 0.001);
    widened.configure(true, 0.07, 0.9, 0.001);
    scalar.backward(acts, n, mask, weightsT, prevT, pushes[0], deltaNext, nNext, deltas[0], 0,
        n + 1, batch);
    widened.backward(acts, n, mask, weightsT, prevT, pushes[1], deltaNext, nNext, deltas[1], 0,
        n + 1, batch);
    assertArrayEquals(pushes[0], pushes[1], c.getSimpleName() + " pushes");
    assertArrayEquals(deltas[0], deltas[1], c.getSimpleName() + " errors");
    assertTrue(java.util.Arrays.stream(pushes[0]).anyMatch(v -> v != 0), "pushes were made");
  }

  private static float[] random(SplittableRandom r, int size) {
    float[] a = new float[size];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }
}
