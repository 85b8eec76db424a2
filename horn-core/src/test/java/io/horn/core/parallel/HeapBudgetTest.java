package io.horn.core.parallel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.TrainingMethod;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeapBudgetTest {
  private static final NetworkSpec SPEC = new NetworkSpec(List.of(
      new LayerSpec(784, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(1000, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(10, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);

  private static TrainingSettings settings(TrainingMethod method) {
    HornConfiguration conf = new HornConfiguration();
    conf.set(HornOptions.TRAINING_METHOD, method);
    return TrainingSettings.from(conf);
  }

  @Test
  void countsTheOptimizerStateAndTheCallersCopies() {
    long p = SPEC.parameterCount();
    long sgd = HeapBudget.bytes(SPEC, settings(TrainingMethod.GRADIENT_DESCENT), p, 32, 0);
    long adam = HeapBudget.bytes(SPEC, settings(TrainingMethod.ADAM), p, 32, 0);
    long withCopies = HeapBudget.bytes(SPEC, settings(TrainingMethod.GRADIENT_DESCENT), p, 32, 2);
    assertTrue(sgd >= 12 * p, "weights, previous changes, gradients: " + sgd);
    assertTrue(adam - sgd == 8 * p, "Adam's two moments: " + (adam - sgd));
    assertTrue(withCopies - sgd == 8 * p, "two more copies: " + (withCopies - sgd));
    assertTrue(HeapBudget.bytes(SPEC, settings(TrainingMethod.GRADIENT_DESCENT), p / 4, 32, 0) < sgd / 3,
        "a quarter of the parameters");
  }

  @Test
  void refusesWhatTheHeapCannotHoldNamingSizeHeapAndTheWayOut() {
    long heap = Runtime.getRuntime().maxMemory();
    ModelTooLargeException e = assertThrows(ModelTooLargeException.class,
        () -> HeapBudget.check(heap, 123_456_789L, "worker 3"));
    String m = e.getMessage();
    assertTrue(m.startsWith("worker 3 cannot hold its part of the model"), m);
    assertTrue(m.contains("123,456,789 parameters"), m);
    assertTrue(m.contains((heap >> 20) + " MB"), m);
    assertTrue(m.contains("horn.parallelism=model"), m);
    assertDoesNotThrow(() -> HeapBudget.check(heap / 2, 1000, "worker 0"));
  }

  /** Prints {@link HeapBudget#room} and the heap, for a JVM started with a given collector. */
  public static final class PrintRoom {
    public static void main(String[] args) {
      try {
        HeapBudget.check(HeapBudget.room(), 1, "worker 1");
      } catch (ModelTooLargeException e) {
        System.out.println(e.getMessage());
      }
      System.out.println(HeapBudget.room() + " " + Runtime.getRuntime().maxMemory());
    }
  }

  private static String message;

  private static long[] roomUnder(String collector) throws Exception {
    Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx300m", collector, "-cp", System.getProperty("java.class.path"),
        PrintRoom.class.getName()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    message = out;
    String[] f = out.split("\\s+");
    return new long[] {Long.parseLong(f[f.length - 2]), Long.parseLong(f[f.length - 1])};
  }

  @Test
  void theRoomIsTheOldGenerationWhereItsSizeIsFixed() throws Exception {
    long[] serial = roomUnder("-XX:+UseSerialGC");
    // Serial and Parallel keep a young generation of about a third of the heap apart.
    assertTrue(serial[0] < serial[1] * 0.8 && serial[0] > serial[1] * 0.5,
        Arrays.toString(serial));
    long[] parallel = roomUnder("-XX:+UseParallelGC");
    assertTrue(parallel[0] < parallel[1] * 0.8, Arrays.toString(parallel));
    assertTrue(message.contains((parallel[0] >> 20) + " MB can hold long-lived arrays (its old "
        + "generation)"), message);
    long[] g1 = roomUnder("-XX:+UseG1GC");
    assertEquals(g1[1], g1[0], "G1 may place a large array anywhere in its heap");
    assertFalse(message.contains("long-lived"), message);
    long room = HeapBudget.room();
    assertTrue(room > 0 && room <= Runtime.getRuntime().maxMemory());
  }
}
