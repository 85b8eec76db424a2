package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.HornOptions;

/**
 * Checks that a network fits Horn's flat {@code float[]} arrays before anything is allocated, so
 * that a too-large network or batch fails at once with a message naming the culprit, rather than
 * as a {@link NegativeArraySizeException}, an {@link OutOfMemoryError} ("Requested array size
 * exceeds VM limit") or a silently wrapped index deep inside an engine.
 *
 * <p>Two kinds of array grow with a network:
 *
 * <ul>
 *   <li>the parameters (and their gradients and optimizer state): {@link
 *       NetworkSpec#parameterCount()} floats each, which {@link NetworkSpec} already keeps within
 *       {@link #MAX_ARRAY_LENGTH} when it is built ({@link #checkParameterCount});
 *   <li>per layer, the matrices of one batch: its activations with a row of ones for the bias,
 *       {@code (size + 1) × batch} floats, and (above the input layer) its errors with one spare
 *       column, {@code size × (batch + 1)} floats (see the CPU engine). {@link #check} bounds
 *       the larger of the two; the brief "size × batch" would let the bias row overflow.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class SizeLimits {
  /**
   * The longest Java array that every common JVM allocates: some reserve header words in the
   * array, and ask for more than this fails with "Requested array size exceeds VM limit".
   */
  public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private SizeLimits() {}

  /**
   * Fails when a network's parameters, or one of its layers' batch matrices, would not fit in one
   * Java array at this batch size.
   *
   * @param spec the network
   * @param batchSize samples per step (the engine's largest batch), positive
   * @throws IllegalArgumentException naming the layer, its size, the batch and the number of
   *     floats, with the largest batch that fits
   */
  public static void check(NetworkSpec spec, int batchSize) {
    checkNotNull(spec, "spec");
    checkArgument(batchSize > 0, "the batch size must be positive, got %s", batchSize);
    // NetworkSpec checks this when built; repeated so that this method alone states the limits.
    checkArgument(spec.parameterCount() <= MAX_ARRAY_LENGTH, "the network has %s parameters, more"
        + " than the %s floats a Java array holds; make the layers narrower",
        spec.parameterCount(), MAX_ARRAY_LENGTH);
    for (int l = 0; l < spec.depth(); l++) {
      long size = spec.size(l);
      long acts = (size + 1) * batchSize;
      // The input layer has no errors matrix.
      long errors = l > 0 ? size * (batchSize + 1L) : 0;
      if (Math.max(acts, errors) > MAX_ARRAY_LENGTH) {
        String matrix = acts >= errors
            ? "(" + size + " + 1) x " + batchSize + " = " + acts + " floats of activations"
            : size + " x (" + batchSize + " + 1) = " + errors + " floats of errors";
        throw new IllegalArgumentException("layer " + l + " (size " + size + ") at batch "
            + batchSize + " needs " + matrix + ", more than the " + MAX_ARRAY_LENGTH
            + " a Java array holds; use a smaller batch: " + HornOptions.BATCH_SIZE.key()
            + " <= " + largestBatch(size, l > 0));
      }
    }
  }

  /**
   * Fails when {@code count} parameters, counted up to and including weight layer {@code layer}
   * of {@code spec}'s layers, exceed {@link #MAX_ARRAY_LENGTH}. Called by {@link NetworkSpec} as
   * it adds up its blocks, so that the total never wraps.
   *
   * @param count parameters of weight layers 1 .. {@code layer}, computed in {@code long}
   * @param layer the weight layer whose block was added last
   * @param inputs neurons of layer {@code layer - 1} (the block has one more row, the bias)
   * @param outputs neurons of layer {@code layer}
   */
  static void checkParameterCount(long count, int layer, int inputs, int outputs) {
    if (count > MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("the network has too many parameters: at least " + count
          + " (weight layer " + layer + " alone has (" + inputs + " + 1) x " + outputs + " = "
          + blockSize(inputs, outputs) + "), more than the " + MAX_ARRAY_LENGTH
          + " floats a Java array holds; make the layers narrower");
    }
  }

  /** Floats in the block of weights (and biases) from {@code inputs} to {@code outputs}. */
  static long blockSize(int inputs, int outputs) {
    return ((long) inputs + 1) * outputs;
  }

  /**
   * The largest batch whose matrices of a layer of {@code size} fit. At least 1 for a layer of a
   * {@link NetworkSpec}: its parameter limit bounds a hidden or output layer to {@code
   * MAX_ARRAY_LENGTH / 2} neurons (each has a weight and a bias at least) and the input layer to
   * {@code MAX_ARRAY_LENGTH - 1}.
   */
  private static long largestBatch(long size, boolean hasErrors) {
    long acts = MAX_ARRAY_LENGTH / (size + 1);
    return hasErrors ? Math.min(acts, MAX_ARRAY_LENGTH / size - 1) : acts;
  }
}
