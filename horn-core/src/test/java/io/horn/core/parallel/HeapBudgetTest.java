package io.horn.core.parallel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
import java.util.List;
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
}
