package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.HornStyleNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.math.GradientBlocks;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU engine's per-layer "gradient ready" reports keep {@link GradientListener}'s contract: one
 * block per weight layer, top first, covering every parameter once, each final when reported, on
 * the calling thread, and the sums bit for bit those of the plain call.
 */
class GradientListenerTest {
  private static final int BATCH = 9;
  private static final long STEP = 3;

  /** One report: the range, and a copy of {@code out.sums()} over it taken at that moment. */
  private static final class Report {
    final int offset;
    final int length;
    final float[] snapshot;
    final int countThen;
    final Thread thread;

    Report(int offset, int length, Gradients out) {
      this.offset = offset;
      this.length = length;
      this.snapshot = Arrays.copyOfRange(out.sums(), offset, offset + length);
      this.countThen = out.count();
      this.thread = Thread.currentThread();
    }
  }

  static Stream<Arguments> nets() {
    // Three weight layers of built-in neurons (the whole-layer BLAS path).
    NetworkSpec builtIn = Nets.spec(CrossEntropy.class, StandardNeuron.class,
        new int[] {12, 10, 8, 4}, Sigmoid.class, ReLU.class, Tanh.class, SoftMax.class);
    // Every layer user-written: every block comes from NeuronLayers' pushes.
    NetworkSpec user = Nets.spec(CrossEntropy.class, HornStyleNeuron.class, new int[] {12, 10, 8, 4},
        Sigmoid.class, ReLU.class, Tanh.class, SoftMax.class);
    // Both paths in one net: block 2 below a user layer, blocks 1 and 3 through BLAS.
    List<LayerSpec> layers = new ArrayList<>();
    layers.add(new LayerSpec(12, Sigmoid.class, StandardNeuron.class, 0f));
    layers.add(new LayerSpec(10, ReLU.class, HornStyleNeuron.class, 0f));
    layers.add(new LayerSpec(8, Tanh.class, StandardNeuron.class, 0.25f));
    layers.add(new LayerSpec(4, SoftMax.class, HornStyleNeuron.class, 0f));
    NetworkSpec mixed = new NetworkSpec(layers, CrossEntropy.class);
    // A bottom layer large enough to be reported in column blocks (GradientBlocks), with a
    // width the blocks do not divide evenly.
    NetworkSpec wide = Nets.spec(CrossEntropy.class, StandardNeuron.class,
        new int[] {400, 403, 6}, ReLU.class, ReLU.class, SoftMax.class);
    return Stream.of(Arguments.of("built-in", builtIn), Arguments.of("user neurons", user),
        Arguments.of("mixed, with dropout", mixed), Arguments.of("wide bottom layer", wide));
  }

  private static TrainingSettings settings() {
    return Nets.settings("horn.learning.rate", 0.1, "horn.momentum.weight", 0.9);
  }

  /** Gradients that already hold something, so that the engine's adding is checked too. */
  private static Gradients prefilled(NetworkSpec spec) {
    Gradients g = new Gradients(spec.parameterCount());
    float[] s = g.sums();
    for (int i = 0; i < s.length; i++) {
      s[i] = (i % 7 - 3) * 0.125f;
    }
    g.addSamples(2, 1.5);
    return g;
  }

  /** Runs one step on a fresh engine with fixed parameters and batch. */
  private static Gradients step(NetworkSpec spec, Function<NetworkEngine, NetworkEngine> wrap,
      GradientListenerFactory listener) {
    float[] p = Initializer.initialize(spec, "auto", 11);
    float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), BATCH, 5);
    Gradients out = prefilled(spec);
    try (NetworkEngine e = wrap.apply(new CpuBackend().createEngine(spec, settings(), BATCH))) {
      e.setParameters(p);
      GradientListener l = listener == null ? null : listener.make(out);
      if (l == null) {
        e.computeGradients(b[0], b[1], BATCH, STEP, out);
      } else {
        e.computeGradients(b[0], b[1], BATCH, STEP, out, l);
      }
    }
    return out;
  }

  private interface GradientListenerFactory {
    GradientListener make(Gradients out);
  }

  /** Ranges disjoint, covering [0, parameterCount) once; each final when reported. */
  private static void assertCoverAndFinal(NetworkSpec spec, List<Report> reports,
      Gradients out, Thread caller) {
    int[] seen = new int[spec.parameterCount()];
    for (Report r : reports) {
      assertTrue(r.length > 0, "empty range at " + r.offset);
      assertTrue(r.offset >= 0 && r.offset + r.length <= seen.length,
          "range [" + r.offset + ", " + (r.offset + r.length) + ") out of bounds");
      for (int i = r.offset; i < r.offset + r.length; i++) {
        seen[i]++;
      }
      assertArrayEquals(r.snapshot,
          Arrays.copyOfRange(out.sums(), r.offset, r.offset + r.length),
          "range at " + r.offset + " was written after it was reported");
      assertSame(caller, r.thread, "reported on another thread");
      assertEquals(2, r.countThen, "samples were recorded before the last report");
    }
    for (int i = 0; i < seen.length; i++) {
      assertEquals(1, seen[i], "parameter " + i + " reported " + seen[i] + " times");
    }
  }

  private static void assertBitwiseEqual(Gradients expected, Gradients actual) {
    float[] e = expected.sums();
    float[] a = actual.sums();
    for (int i = 0; i < e.length; i++) {
      assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
          "sum " + i + ": " + e[i] + " vs " + a[i]);
    }
    assertEquals(expected.count(), actual.count());
    assertEquals(Double.doubleToRawLongBits(expected.cost()),
        Double.doubleToRawLongBits(actual.cost()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nets")
  void reportsEachBlockTopFirstOnceFinalAndExact(String name, NetworkSpec spec) {
    List<Report> reports = new ArrayList<>();
    Gradients out = step(spec, Function.identity(),
        g -> (offset, length) -> reports.add(new Report(offset, length, g)));

    // (1) each weight layer's block in GradientBlocks' column blocks, top layer first.
    List<int[]> expected = new ArrayList<>();
    for (int l = spec.depth() - 1; l >= 1; l--) {
      int k = spec.size(l - 1) + 1;
      int step = GradientBlocks.neuronsPerBlock(spec, l) * k;
      for (int b = 0; b < spec.blockSize(l); b += step) {
        expected.add(new int[] {spec.offset(l) + b, Math.min(step, spec.blockSize(l) - b)});
      }
    }
    assertEquals(expected.size(), reports.size(), "reports");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i)[0], reports.get(i).offset, "report " + i + " offset");
      assertEquals(expected.get(i)[1], reports.get(i).length, "report " + i + " length");
    }
    if (name.startsWith("wide")) {
      assertEquals(spec.depth() - 1 + GradientBlocks.PARTS - 1, reports.size(),
          "the bottom layer in " + GradientBlocks.PARTS + " blocks");
    }
    // (1), (2) disjoint, covering, final when reported, on this thread.
    assertCoverAndFinal(spec, reports, out, Thread.currentThread());
    // (3) the sums, count and cost of the plain five-argument call, bit for bit.
    assertBitwiseEqual(step(spec, Function.identity(), null), out);
  }

  @Test
  void defaultMethodReportsEverythingAtTheEnd() {
    NetworkSpec spec = nets().findFirst().map(a -> (NetworkSpec) a.get()[1]).orElseThrow();
    List<Report> reports = new ArrayList<>();
    // A delegate that overrides only the five-argument call, so the interface default runs.
    Gradients out = step(spec, GradientListenerTest::plainDelegate,
        g -> (offset, length) -> reports.add(new Report(offset, length, g)));
    assertEquals(1, reports.size());
    assertEquals(0, reports.get(0).offset);
    assertEquals(spec.parameterCount(), reports.get(0).length);
    assertArrayEquals(reports.get(0).snapshot, out.sums());
    assertBitwiseEqual(step(spec, Function.identity(), null), out);
  }

  @Test
  void nullListenerIsRejectedBeforeAnyWork() {
    NetworkSpec spec = nets().findFirst().map(a -> (NetworkSpec) a.get()[1]).orElseThrow();
    float[][] b = Nets.batch(spec.inputSize(), spec.outputSize(), BATCH, 5);
    for (Function<NetworkEngine, NetworkEngine> wrap :
        List.<Function<NetworkEngine, NetworkEngine>>of(Function.identity(),
            GradientListenerTest::plainDelegate)) {
      try (NetworkEngine e = wrap.apply(new CpuBackend().createEngine(spec, settings(), BATCH))) {
        e.setParameters(Initializer.initialize(spec, "auto", 11));
        Gradients out = new Gradients(spec.parameterCount());
        NullPointerException x = assertThrows(NullPointerException.class,
            () -> e.computeGradients(b[0], b[1], BATCH, STEP, out, null));
        assertTrue(x.getMessage() != null && x.getMessage().contains("ready listener is null"),
            "message: " + x.getMessage());
        assertEquals(0, out.count(), "nothing is computed");
        assertTrue(Arrays.equals(new float[spec.parameterCount()], out.sums()),
            "nothing is computed");
      }
    }
  }

  /** An engine that implements only the five-argument call, forwarding to {@code e}. */
  private static NetworkEngine plainDelegate(NetworkEngine e) {
    return new NetworkEngine() {
      @Override
      public NetworkSpec spec() {
        return e.spec();
      }

      @Override
      public int maxBatch() {
        return e.maxBatch();
      }

      @Override
      public void setParameters(float[] parameters) {
        e.setParameters(parameters);
      }

      @Override
      public void getParameters(float[] dst) {
        e.getParameters(dst);
      }

      @Override
      public void computeGradients(float[] x, float[] t, int n, long step, Gradients out) {
        e.computeGradients(x, t, n, step, out);
      }

      @Override
      public void applyUpdate(Gradients sums) {
        e.applyUpdate(sums);
      }

      @Override
      public io.horn.core.optimizer.OptimizerState optimizerState() {
        return e.optimizerState();
      }

      @Override
      public void restoreOptimizerState(io.horn.core.optimizer.OptimizerState state) {
        e.restoreOptimizerState(state);
      }

      @Override
      public void predict(float[] x, int n, float[] y) {
        e.predict(x, n, y);
      }

      @Override
      public void close() {
        e.close();
      }
    };
  }
}
