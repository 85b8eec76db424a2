package io.horn.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArrayDatasetTest {

  /** 4 samples of 3 features: sample i has features 10i, 10i+1, 10i+2. */
  private static float[] features() {
    float[] x = new float[12];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = 10 * i + j;
      }
    }
    return x;
  }

  @Test
  void fillWritesColumnsAtLeadingDimensionAndOneHotTargets() {
    ArrayDataset d = ArrayDataset.ofLabels(features(), 3, new int[] {2, 0, 1, 2}, 3);
    assertEquals(4, d.size());
    assertEquals(3, d.featureCount());
    assertEquals(3, d.targetCount());
    assertTrue(d.hasLabels());

    int[] order = {9, 3, 1, 0, 9}; // 9s lie outside [from, from+n) and must not be read
    float[] x = new float[5 * 3];
    Arrays.fill(x, -7f);
    float[] t = new float[9];
    Arrays.fill(t, 5f); // stale values from a previous batch must be cleared
    d.fill(order, 1, 3, x, 5, t);

    float[] wantX = {30, 31, 32, -7, -7, 10, 11, 12, -7, -7, 0, 1, 2, -7, -7};
    assertArrayEquals(wantX, x);
    float[] wantT = {0, 0, 1, 1, 0, 0, 0, 0, 1};
    assertArrayEquals(wantT, t);
  }

  @Test
  void fillCopiesDenseTargets() {
    float[] y = {0.5f, -1f, 2f, 3f, 4f, 5f, 6f, 7f};
    ArrayDataset d = ArrayDataset.ofTargets(features(), 3, y, 2);
    assertFalse(d.hasLabels());
    float[] x = new float[6];
    float[] t = new float[4];
    d.fill(new int[] {2, 0}, 0, 2, x, 3, t);
    assertArrayEquals(new float[] {20, 21, 22, 0, 1, 2}, x);
    assertArrayEquals(new float[] {4f, 5f, 0.5f, -1f}, t);
  }

  @Test
  void fillAllocatesNothing() {
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ArrayDataset d = ArrayDataset.ofLabels(new float[1000 * 300], 300, new int[1000], 10);
    int[] order = new int[1000];
    for (int i = 0; i < order.length; i++) {
      order[i] = (i * 7919) % 1000;
    }
    float[] x = new float[1000 * 300];
    float[] t = new float[1000 * 10];
    for (int i = 0; i < 200; i++) {
      d.fill(order, 0, 1000, x, 300, t);
    }
    long before = bean.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 2000; i++) {
      d.fill(order, i % 900, 100, x, 300, t);
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    // Even one 16-byte object per call would be 32 000 bytes.
    assertTrue(allocated < 4096, "fill allocated " + allocated + " bytes in 2000 calls");
  }

  @Test
  void fillRejectsBuffersTooSmallAndBadIndices() {
    ArrayDataset d = ArrayDataset.ofLabels(features(), 3, new int[] {0, 1, 2, 0}, 3);
    int[] order = {0, 1};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> d.fill(order, 0, 2, new float[6], 4, new float[6]));
    assertTrue(e.getMessage().contains("x holds 6 floats"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> d.fill(order, 0, 2, new float[8], 2, new float[6]));
    assertThrows(IllegalArgumentException.class,
        () -> d.fill(order, 0, 2, new float[6], 3, new float[5]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> d.fill(order, 1, 2, new float[6], 3, new float[6]));
    assertThrows(IndexOutOfBoundsException.class,
        () -> d.fill(new int[] {4}, 0, 1, new float[3], 3, new float[3]));
    // Exactly large enough: the last column needs only featureCount floats, not xLd.
    d.fill(order, 0, 2, new float[7], 4, new float[6]);
  }

  @Test
  void labelIsArgmaxOfTargetsWithTiesToLowestIndex() {
    float[] y = {0.1f, 0.7f, 0.2f, 0.4f, 0.4f, 0.2f, 0f, 0f, 0f, -1f, -3f, -2f};
    ArrayDataset d = ArrayDataset.ofTargets(features(), 3, y, 3);
    assertEquals(1, d.label(0));
    assertEquals(0, d.label(1));
    assertEquals(0, d.label(2));
    assertEquals(0, d.label(3));
    assertArrayEquals(new int[] {1, 0, 0, 0}, d.labels());

    ArrayDataset l = ArrayDataset.ofLabels(features(), 3, new int[] {2, 0, 1, 2}, 3);
    assertEquals(1, l.label(2));
    assertArrayEquals(new int[] {2, 0, 1, 2}, l.labels());
    assertEquals(1f, l.target(2, 1));
    assertEquals(0f, l.target(2, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> l.label(4));
  }

  @Test
  void inconsistentLengthsNameBothNumbers() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(features(), 3, new int[] {0, 1, 2}, 3));
    assertTrue(e.getMessage().contains("3 labels for 4 samples"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofTargets(features(), 3, new float[7], 2));
    assertTrue(e.getMessage().contains("7") && e.getMessage().contains("need 8"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofTargets(new float[10], 3, new float[3], 1));
    assertTrue(e.getMessage().contains("10") && e.getMessage().contains("featureCount 3"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(new float[6], 0, new int[2], 2));
    assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(new float[6], 3, new int[2], 0));
  }

  @Test
  void labelOutOfRangeNamesSampleAndLabel() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(features(), 3, new int[] {0, 1, 3, 0}, 3));
    assertTrue(e.getMessage().contains("sample 2 has label 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(features(), 3, new int[] {0, -1, 0, 0}, 3));
    assertTrue(e.getMessage().contains("sample 1 has label -1"), e.getMessage());
  }

  @Test
  void nonFiniteValuesNameSampleAndIndex() {
    float[] x = features();
    x[2 * 3 + 1] = Float.NaN;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofLabels(x, 3, new int[4], 2));
    assertTrue(e.getMessage().contains("sample 2, feature 1 is NaN"), e.getMessage());

    float[] x2 = features();
    x2[11] = Float.NEGATIVE_INFINITY;
    e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofTargets(x2, 3, new float[4], 1));
    assertTrue(e.getMessage().contains("sample 3, feature 2 is -Infinity"), e.getMessage());

    float[] y = new float[8];
    y[5] = Float.POSITIVE_INFINITY;
    e = assertThrows(IllegalArgumentException.class,
        () -> ArrayDataset.ofTargets(features(), 3, y, 2));
    assertTrue(e.getMessage().contains("sample 2, target 1 is Infinity"), e.getMessage());
  }

  @Test
  void factoriesCopyTheirArguments() {
    float[] x = features();
    int[] labels = {0, 1, 2, 0};
    ArrayDataset d = ArrayDataset.ofLabels(x, 3, labels, 3);
    x[0] = 99f;
    labels[0] = 2;
    assertEquals(0f, d.feature(0, 0));
    assertEquals(0, d.label(0));
    d.labels()[1] = 0; // the returned array is a copy too
    assertEquals(1, d.label(1));
  }

  @Test
  void subsetCopiesARangeInTheSameForm() {
    ArrayDataset d = ArrayDataset.ofLabels(features(), 3, new int[] {2, 0, 1, 2}, 3);
    ArrayDataset s = d.subset(1, 3);
    assertEquals(2, s.size());
    assertTrue(s.hasLabels());
    assertEquals(10f, s.feature(0, 0));
    assertEquals(22f, s.feature(1, 2));
    assertArrayEquals(new int[] {0, 1}, s.labels());

    float[] y = {1, 2, 3, 4, 5, 6, 7, 8};
    ArrayDataset dense = ArrayDataset.ofTargets(features(), 3, y, 2).subset(3, 4);
    assertEquals(1, dense.size());
    assertEquals(7f, dense.target(0, 0));
    assertEquals(8f, dense.target(0, 1));
    assertEquals(30f, dense.feature(0, 0));

    assertEquals(0, d.subset(2, 2).size());
    assertThrows(IndexOutOfBoundsException.class, () -> d.subset(3, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> d.subset(0, 5));
  }
}
