package io.horn.core.data;

import java.util.SplittableRandom;

/** The sample-order shuffle every trainer uses, so that runs that share a seed share an order. */
public final class Shuffle {
  private Shuffle() {}

  /** Fisher-Yates over {@code a} in place, drawing from {@code r}. */
  public static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }
}
