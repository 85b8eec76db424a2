package io.horn.core.math;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * What a training step sends to the update: per parameter, the sum over the step's samples of
 * either the cost gradient (layers of built-in neurons, fed to the optimizer) or the weight
 * change the neurons pushed (layers below user-written neurons, applied as is), with the number
 * of samples and the summed cost. Sums rather than means, so that task groups can add theirs.
 *
 * <p>Mutable; confine to one thread or hand over with a happens-before edge.
 */
public final class Gradients {
  private final float[] sums;
  private int count;
  private double cost;
  /** Cleared but not yet zero-filled: the zeros are written when someone first needs them. */
  private boolean zeroPending;

  public Gradients(int parameterCount) {
    checkArgument(parameterCount > 0, "parameterCount must be positive");
    this.sums = new float[parameterCount];
  }

  /**
   * Wraps sums that arrived from elsewhere (an in-group reduction) without copying them.
   */
  public static Gradients wrap(float[] sums, int count, double cost) {
    checkArgument(count >= 0, "count must be >= 0");
    Gradients g = new Gradients(sums);
    g.count = count;
    g.cost = cost;
    return g;
  }

  private Gradients(float[] sums) {
    checkArgument(sums.length > 0, "empty gradient vector");
    this.sums = sums;
  }

  /** The summed gradients or pushes, in the network's flat parameter layout; written in place. */
  public float[] sums() {
    if (zeroPending) {
      Arrays.fill(sums, 0f);
      zeroPending = false;
    }
    return sums;
  }

  /**
   * Whether the sums were cleared and nothing has touched them since: an engine may then write
   * its first step's sums over them ({@link #sumsToOverwrite}) instead of adding to zeros, which
   * saves a pass over every parameter per step.
   */
  public boolean isZeroPending() {
    return zeroPending;
  }

  /**
   * The sums array as it is, without writing the pending zeros: the caller promises to write
   * every entry before anything reads it (as an engine does whose products run with {@code beta =
   * 0}). Ends the pending state.
   */
  public float[] sumsToOverwrite() {
    zeroPending = false;
    return sums;
  }

  /** How many parameters the sums cover. */
  public int size() {
    return sums.length;
  }

  public int count() {
    return count;
  }

  public double cost() {
    return cost;
  }

  /** Records {@code samples} more samples with a total cost of {@code costSum}. */
  public void addSamples(int samples, double costSum) {
    checkArgument(samples >= 0, "samples must be >= 0");
    count += samples;
    cost += costSum;
  }

  /** Adds another step's sums (in-group reduction). */
  public void add(Gradients other) {
    checkArgument(other.sums.length == sums.length,
        "gradient shapes differ: %s vs %s parameters", other.sums.length, sums.length);
    float[] mine = sums();
    float[] o = other.sums();
    for (int i = 0; i < mine.length; i++) {
      mine[i] += o[i];
    }
    count += other.count;
    cost += other.cost;
  }

  /** Empties the sums; the zeros themselves are written lazily (see {@link #sums()}). */
  public void clear() {
    zeroPending = true;
    count = 0;
    cost = 0;
  }

  /** Mean cost per sample of what was summed, or NaN when empty. */
  public double meanCost() {
    return count == 0 ? Double.NaN : cost / count;
  }
}
