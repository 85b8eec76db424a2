package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How the parameter vector is cut into shards. */
class ShardPlanTest {
  // The MNIST net 784-500-500-10: blocks of 392,500, 250,500 and 5,010 floats.
  private static final int[] MNIST_EDGES = {0, 392_500, 643_000, 648_010};

  @Test
  void twoShardsOfTheMnistNetAreBalancedNotCutAtTheFarLayerEdge() {
    ShardPlan p = ShardPlan.of(648_010, 2, MNIST_EDGES);
    // The balanced point 324,005 is 68,495 floats from the nearest edge: more than a tenth of
    // a shard, so the first layer is cut in its middle.
    assertEquals(324_005, p.to(0));
    assertEquals(324_005, p.from(1));
    assertEquals(648_010, p.to(1));
    assertEquals("[0, 324005) [324005, 648010)", p.toString());
  }

  @Test
  void aCutSnapsToALayerEdgeWithinATenthOfAShard() {
    // Two layers of 1,000 and 1,100 floats: the balanced point 1,050 is 50 from the edge.
    ShardPlan p = ShardPlan.of(2_100, 2, 0, 1_000, 2_100);
    assertEquals(1_000, p.to(0));
    // Three shards of a net with edges at 700 and 1,400: both cuts snap.
    ShardPlan q = ShardPlan.of(2_100, 3, 700, 1_400);
    assertEquals(700, q.to(0));
    assertEquals(1_400, q.to(1));
  }

  @Test
  void everyShardHoldsAtLeastOneParameterAndTheRangesTileTheVector() {
    for (int n : new int[] {1, 2, 3, 7, 100, 1_001}) {
      for (int s = 1; s <= Math.min(n, 9); s++) {
        ShardPlan p = ShardPlan.of(n, s, 0, n / 2, n / 2, n);
        assertEquals(0, p.from(0));
        assertEquals(n, p.to(s - 1));
        long largest = 0;
        for (int k = 0; k < s; k++) {
          assertTrue(p.size(k) >= 1, p + " shard " + k);
          if (k > 0) {
            assertEquals(p.to(k - 1), p.from(k));
          }
          largest = Math.max(largest, p.size(k));
        }
        // Balanced: no shard more than a tenth (plus rounding) above the even share.
        assertTrue(largest <= (long) n / s + n / s / 10 + 2, p.toString());
      }
    }
  }

  @Test
  void sliceAndJoinAreInverse() {
    float[] v = new float[1_234];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 3;
    }
    ShardPlan p = ShardPlan.of(v.length, 4, 100, 617, 900);
    float[][] parts = new float[4][];
    for (int s = 0; s < 4; s++) {
      parts[s] = p.slice(v, s);
    }
    assertArrayEquals(v, p.join(parts));
  }

  @Test
  void moreShardsThanParametersAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShardPlan.of(3, 4));
    assertTrue(e.getMessage().contains("4 parameter-server shards for a model of only 3"),
        e.getMessage());
  }
}
