package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * How a parameter vector of {@code n} floats is split over {@code S} parameter-server shards:
 * shard {@code s} owns the contiguous range {@code [from(s), to(s))}. Shards are balanced by
 * size; a cut moves to a nearby block edge (a weight layer's boundary) when one lies within a
 * tenth of a shard's size of the balanced point, so that a layer is not split for nothing, and
 * stays in the middle of a layer otherwise (a model with one huge layer still spreads evenly).
 *
 * <p>Immutable and thread-safe. Every worker and every shard of a job computes the same plan
 * from the same network, so the plan itself never travels.
 */
public final class ShardPlan {
  private final int[] cuts; // cuts[0] = 0, cuts[S] = n, strictly increasing

  private ShardPlan(int[] cuts) {
    this.cuts = cuts;
  }

  /**
   * The plan for {@code n} parameters over {@code shards} shards; {@code edges} are the block
   * edges that cuts may snap to (offsets between 0 and n, any order; may be empty).
   *
   * @throws IllegalArgumentException if there are more shards than parameters
   */
  public static ShardPlan of(int n, int shards, int... edges) {
    checkArgument(n > 0, "a model of %s parameters", n);
    checkArgument(shards >= 1, "shards must be >= 1, got %s", shards);
    checkArgument(shards <= n, "%s parameter-server shards for a model of only %s parameters",
        shards, n);
    checkNotNull(edges, "edges");
    int[] sorted = edges.clone();
    Arrays.sort(sorted);
    int[] cuts = new int[shards + 1];
    cuts[shards] = n;
    long tolerance = Math.max(0, n / shards / 10);
    for (int k = 1; k < shards; k++) {
      int ideal = (int) ((long) k * n / shards);
      int cut = ideal;
      int nearest = nearest(sorted, ideal);
      if (nearest >= 0 && Math.abs((long) nearest - ideal) <= tolerance) {
        cut = nearest;
      }
      // Every shard keeps at least one parameter, whatever the edges say.
      cut = Math.max(cut, cuts[k - 1] + 1);
      cut = Math.min(cut, n - (shards - k));
      cuts[k] = cut;
    }
    return new ShardPlan(cuts);
  }

  /**
   * Consecutive ranges of the given sizes, in order: for a vector laid out so that each shard's
   * part is contiguous already (a model-parallel group's member slices, one after the other).
   */
  public static ShardPlan ofSizes(int... sizes) {
    checkArgument(sizes.length >= 1, "no shards");
    int[] cuts = new int[sizes.length + 1];
    for (int s = 0; s < sizes.length; s++) {
      checkArgument(sizes[s] > 0, "shard %s of %s parameters", s, sizes[s]);
      cuts[s + 1] = Math.addExact(cuts[s], sizes[s]);
    }
    return new ShardPlan(cuts);
  }

  /** One shard holding everything: what a job without sharding uses. */
  public static ShardPlan single(int n) {
    return of(n, 1);
  }

  private static int nearest(int[] sorted, int x) {
    int best = -1;
    for (int e : sorted) {
      if (e > 0 && (best < 0 || Math.abs((long) e - x) < Math.abs((long) best - x))) {
        best = e;
      }
    }
    return best;
  }

  /** The number of shards. */
  public int shards() {
    return cuts.length - 1;
  }

  /** The parameter count of the whole vector. */
  public int parameterCount() {
    return cuts[cuts.length - 1];
  }

  /** The first index shard {@code s} owns. */
  public int from(int s) {
    checkShard(s);
    return cuts[s];
  }

  /** One past the last index shard {@code s} owns. */
  public int to(int s) {
    checkShard(s);
    return cuts[s + 1];
  }

  /** The number of parameters shard {@code s} owns. */
  public int size(int s) {
    return to(s) - from(s);
  }

  /** Shard {@code s}'s part of {@code full} (a copy). */
  public float[] slice(float[] full, int s) {
    checkArgument(full.length == parameterCount(), "a vector of %s for a plan of %s",
        full.length, parameterCount());
    return Arrays.copyOfRange(full, from(s), to(s));
  }

  /** The whole vector from every shard's part ({@code parts[s]} of {@link #size}(s) floats). */
  public float[] join(float[][] parts) {
    checkArgument(parts.length == shards(), "%s parts for %s shards", parts.length, shards());
    float[] full = new float[parameterCount()];
    for (int s = 0; s < parts.length; s++) {
      checkArgument(parts[s].length == size(s), "shard %s: %s floats, it owns %s", s,
          parts[s].length, size(s));
      System.arraycopy(parts[s], 0, full, from(s), parts[s].length);
    }
    return full;
  }

  private void checkShard(int s) {
    checkArgument(s >= 0 && s < shards(), "shard %s of %s", s, shards());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardPlan && Arrays.equals(cuts, ((ShardPlan) o).cuts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(cuts);
  }

  /** The ranges, e.g. {@code [0, 392500) [392500, 648010)}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int s = 0; s < shards(); s++) {
      b.append(s == 0 ? "" : " ").append('[').append(cuts[s]).append(", ").append(cuts[s + 1])
          .append(')');
    }
    return b.toString();
  }
}
