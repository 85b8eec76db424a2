package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.Sigmoid;
import io.horn.core.cost.SquaredError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Only specs are built here: no test allocates anything of the sizes it checks. */
class SizeLimitsTest {
  private static final int MAX = SizeLimits.MAX_ARRAY_LENGTH;

  private static NetworkSpec spec(int... sizes) {
    List<LayerSpec> layers = new ArrayList<>();
    for (int s : sizes) {
      layers.add(new LayerSpec(s, Sigmoid.class, StandardNeuron.class, 0f));
    }
    return new NetworkSpec(layers, SquaredError.class);
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }
  }

  @Test
  void aNetworkOfTooManyParametersFailsWhenBuilt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> spec(100_000, 100_000, 10));
    assertMentions(e, "too many parameters", "10000100000",
        "weight layer 1 alone has (100000 + 1) x 100000 = 10000100000", String.valueOf(MAX),
        "make the layers narrower");
  }

  @Test
  void aLayerOfIntegerMaxValueNeuronsNoLongerWrapsTheCount() {
    // (Integer.MAX_VALUE + 1) wrapped to Integer.MIN_VALUE in int, and the count of this spec
    // came out as 0 (-2^32 cast to int): the spec was accepted with no room for its weights.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> spec(Integer.MAX_VALUE, 2));
    assertMentions(e, "(2147483647 + 1) x 2 = 4294967296");
    e = assertThrows(IllegalArgumentException.class, () -> spec(Integer.MAX_VALUE, 1));
    assertMentions(e, "2147483648");
  }

  @Test
  void theCountIsCheckedAsItGrowsSoManyLayersCannotWrapALong() {
    // Each block is about 2^62: four of them would wrap a long if only the total were checked.
    int big = Integer.MAX_VALUE - 1;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> spec(big, big, big, big, big, big));
    assertMentions(e, "weight layer 1 alone");
  }

  @Test
  void theLargestAllowedCountIsAccepted() {
    // (MAX - 1 + 1) x 1 = MAX parameters exactly: one weight layer into a single neuron.
    NetworkSpec s = spec(MAX - 1, 1);
    assertEquals(MAX, s.parameterCount());
    assertThrows(IllegalArgumentException.class, () -> spec(MAX, 1));
  }

  @Test
  void aBatchTooLargeForALayerNamesTheLayerAndTheBatchThatFits() {
    NetworkSpec s = spec(784, 100_000, 10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimits.check(s, 32_768));
    // A hidden layer wider than the batch: its errors, with their spare column, are the larger.
    assertMentions(e, "layer 1 (size 100000) at batch 32768",
        "100000 x (32768 + 1) = 3276900000 floats of errors", String.valueOf(MAX),
        "use a smaller batch: horn.batch.size <= 21473");
    // The batch it suggests passes, one more fails.
    SizeLimits.check(s, 21_473);
    assertThrows(IllegalArgumentException.class, () -> SizeLimits.check(s, 21_474));
  }

  @Test
  void theBiasRowCountsNotJustSizeTimesBatch() {
    // The input layer: size x batch = 2^31 - 2^15 would fit, (size + 1) x batch = 2^31 does not.
    int size = 65_535;
    int batch = 32_768;
    assertTrue((long) size * batch <= MAX);
    NetworkSpec s = spec(size, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimits.check(s, batch));
    assertMentions(e, "layer 0 (size 65535) at batch 32768",
        "(65535 + 1) x 32768 = 2147483648 floats of activations",
        "horn.batch.size <= 32767");
    SizeLimits.check(s, 32_767);
  }

  @Test
  void theWidestInputLayerStillFitsABatchOfOne() {
    NetworkSpec s = spec(MAX - 1, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimits.check(s, 2));
    assertMentions(e, "layer 0 (size 2147483638) at batch 2",
        "(2147483638 + 1) x 2 = 4294967278 floats of activations", "horn.batch.size <= 1");
    // The input layer has no errors matrix: (MAX - 1 + 1) x 1 = MAX floats fit.
    SizeLimits.check(s, 1);
  }

  @Test
  void theWidestHiddenLayerStillFitsABatchOfOne() {
    // Layer 1 holds 2^29 neurons: at batch 3 its errors are 2^29 x 4 = 2^31 floats, while its
    // activations, (2^29 + 1) x 3, would fit.
    NetworkSpec s = spec(1, 1 << 29);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimits.check(s, 3));
    assertMentions(e, "536870912 x (3 + 1) = 2147483648 floats of errors",
        "horn.batch.size <= 2");
    SizeLimits.check(s, 2);
    // The widest layer a spec allows above its input: (1 + 1) x n <= MAX.
    SizeLimits.check(spec(1, MAX / 2), 1);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> SizeLimits.check(null, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SizeLimits.check(spec(2, 1), 0));
    assertMentions(e, "batch size must be positive");
  }

  @Test
  void anOrdinaryNetworkPasses() {
    SizeLimits.check(spec(784, 800, 800, 10), 1 << 20);
  }
}
