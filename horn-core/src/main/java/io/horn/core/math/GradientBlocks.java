package io.horn.core.math;

import static com.google.common.base.Preconditions.checkArgument;

import io.horn.core.model.NetworkSpec;

/**
 * How finely an engine reports a layer's gradients to a {@link GradientListener}: one rule for
 * every engine, because the members of a task group sum exactly the ranges their engines report,
 * and must all report the same ones.
 *
 * <p>Layers above the bottom one are reported whole: while the group sums layer L, the engine
 * computes the errors and gradients of the layers below it. The bottom weight layer is computed
 * last and nothing would hide its transfer, so a large one ({@value #SPLIT_AT} values or more) is
 * computed and reported in {@value #PARTS} column blocks of whole neurons (a neuron's incoming
 * weights and bias are contiguous in the flat layout): the group sums the first while the engine
 * computes the next.
 *
 * <p>Stateless; thread-safe.
 */
public final class GradientBlocks {
  /** Smallest bottom-layer block, in values, that is split (512 KiB of floats). */
  public static final int SPLIT_AT = 1 << 17;
  public static final int PARTS = 4;

  private GradientBlocks() {}

  /** Neurons per reported block of weight layer {@code l} (its whole width if not split). */
  public static int neuronsPerBlock(NetworkSpec spec, int l) {
    checkArgument(l >= 1 && l < spec.depth(), "no weight layer %s", l);
    int width = spec.size(l);
    if (l > 1 || spec.blockSize(l) < SPLIT_AT) {
      return width;
    }
    return (width + PARTS - 1) / PARTS;
  }
}
