package io.horn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.engine.CpuBackend;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.MathBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * GPU check (run by run-gpu-checks.sh): the CUDA engine reports each weight block once, top layer
 * first, final when reported, on the calling thread; the sums are bit for bit those of its
 * five-argument call and close to the CPU engine's. Skips, saying why, without a usable GPU.
 */
@Tag("gpu")
class CudaGradientListenerTest {
  private static final int BATCH = 32;

  private static final NetworkSpec SPEC = new NetworkSpec(List.of(
      new LayerSpec(40, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(30, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(20, Tanh.class, StandardNeuron.class, 0f),
      new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);

  private static final TrainingSettings SETTINGS = TrainingSettings.from(new HornConfiguration());

  private static float[][] batch() {
    SplittableRandom r = new SplittableRandom(4);
    float[] x = new float[SPEC.inputSize() * BATCH];
    float[] t = new float[SPEC.outputSize() * BATCH];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    for (int s = 0; s < BATCH; s++) {
      t[s * SPEC.outputSize() + r.nextInt(SPEC.outputSize())] = 1f;
    }
    return new float[][] {x, t};
  }

  private static Gradients run(MathBackend backend, List<int[]> ranges, List<float[]> snapshots,
      List<Thread> threads) {
    float[][] b = batch();
    Gradients out = new Gradients(SPEC.parameterCount());
    Arrays.fill(out.sums(), 0.5f); // the engine adds into what is there
    try (NetworkEngine e = backend.createEngine(SPEC, SETTINGS, BATCH)) {
      e.setParameters(Initializer.initialize(SPEC, "auto", 6));
      if (ranges == null) {
        e.computeGradients(b[0], b[1], BATCH, 1, out);
      } else {
        GradientListener l = (offset, length) -> {
          ranges.add(new int[] {offset, length});
          snapshots.add(Arrays.copyOfRange(out.sums(), offset, offset + length));
          threads.add(Thread.currentThread());
        };
        e.computeGradients(b[0], b[1], BATCH, 1, out, l);
      }
    }
    return out;
  }

  @Test
  void reportsEachBlockTopFirstOnceAndFinal() {
    CudaProbe.Result probe = CudaProbe.result();
    GpuTests.gpu();
    List<int[]> ranges = new ArrayList<>();
    List<float[]> snapshots = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Gradients out = run(new CudaBackend(), ranges, snapshots, threads);

    int top = SPEC.depth() - 1;
    assertEquals(top, ranges.size(), "one report per weight layer");
    int[] seen = new int[SPEC.parameterCount()];
    for (int i = 0; i < top; i++) {
      int l = top - i;
      int off = ranges.get(i)[0];
      int len = ranges.get(i)[1];
      assertEquals(SPEC.offset(l), off, "report " + i + " offset");
      assertEquals(SPEC.blockSize(l), len, "report " + i + " length");
      assertArrayEquals(snapshots.get(i), Arrays.copyOfRange(out.sums(), off, off + len),
          "block " + l + " was written after it was reported");
      assertSame(Thread.currentThread(), threads.get(i));
      for (int j = off; j < off + len; j++) {
        seen[j]++;
      }
    }
    for (int j = 0; j < seen.length; j++) {
      assertEquals(1, seen[j], "parameter " + j);
    }

    Gradients plain = run(new CudaBackend(), null, null, null);
    for (int j = 0; j < seen.length; j++) {
      assertEquals(Float.floatToRawIntBits(plain.sums()[j]), Float.floatToRawIntBits(out.sums()[j]),
          "sum " + j);
    }
    assertEquals(plain.count(), out.count());
    assertEquals(plain.cost(), out.cost());

    Gradients cpu = run(new CpuBackend(), null, null, null);
    double diff = 0;
    double norm = 0;
    for (int j = 0; j < seen.length; j++) {
      double d = (double) cpu.sums()[j] - out.sums()[j];
      diff += d * d;
      norm += (double) cpu.sums()[j] * cpu.sums()[j];
    }
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel <= 1e-4, "CPU vs GPU gradient sums differ by " + rel + " relative");
  }

  @Test
  void nullListenerIsRejected() {
    CudaProbe.Result probe = CudaProbe.result();
    GpuTests.gpu();
    float[][] b = batch();
    try (NetworkEngine e = new CudaBackend().createEngine(SPEC, SETTINGS, BATCH)) {
      Gradients out = new Gradients(SPEC.parameterCount());
      NullPointerException x = assertThrows(NullPointerException.class,
          () -> e.computeGradients(b[0], b[1], BATCH, 1, out, null));
      assertTrue(String.valueOf(x.getMessage()).contains("ready listener is null"));
    }
  }
}
