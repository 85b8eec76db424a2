package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SampleWritableTest {

  private static byte[] bytes(SampleWritable... samples) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    for (SampleWritable s : samples) {
      s.write(out);
    }
    out.flush();
    return b.toByteArray();
  }

  private static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }

  private static int[] bits(float[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Float.floatToRawIntBits(a[i]);
    }
    return out;
  }

  /** Hand-made serialized form: counts as given, then the floats' raw bits. */
  private static byte[] raw(int nf, int nt, float... values) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(nf);
    out.writeInt(nt);
    for (float v : values) {
      out.writeInt(Float.floatToRawIntBits(v));
    }
    return b.toByteArray();
  }

  @Test
  void roundTripIsBitExactAndInTheDocumentedLayout() throws IOException {
    float[] x = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, 1e-40f, 0.1f, 3.14159265f};
    float[] y = {1f, 0f, -2.5e-7f};
    byte[] b = bytes(new SampleWritable(x, y));
    assertEquals(8 + 4 * (x.length + y.length), b.length);
    DataInputStream header = in(b);
    assertEquals(x.length, header.readInt());
    assertEquals(y.length, header.readInt());
    assertEquals(Float.floatToRawIntBits(x[0]), header.readInt());
    assertEquals(Float.floatToRawIntBits(x[1]), header.readInt()); // -0 keeps its sign

    SampleWritable back = new SampleWritable();
    back.readFields(in(b));
    assertArrayEquals(bits(x), bits(back.features()));
    assertArrayEquals(bits(y), bits(back.targets()));
    assertEquals(new SampleWritable(x, y), back);
  }

  @Test
  void manyRandomSamplesSurviveOneStream() throws IOException {
    Random r = new Random(7);
    SampleWritable[] samples = new SampleWritable[20];
    for (int i = 0; i < samples.length; i++) {
      float[] x = new float[1 + r.nextInt(50)];
      float[] y = new float[r.nextInt(4)];
      for (int j = 0; j < x.length; j++) {
        x[j] = Float.intBitsToFloat(r.nextInt() & 0x7f7fffff); // finite, any exponent
      }
      Arrays.fill(y, r.nextFloat());
      samples[i] = new SampleWritable(x, y);
    }
    DataInputStream in = in(bytes(samples));
    SampleWritable back = new SampleWritable();
    for (SampleWritable s : samples) {
      back.readFields(in);
      assertEquals(s, back);
    }
    assertEquals(-1, in.read(), "each sample consumes exactly its bytes");
  }

  @Test
  void readFieldsReusesArraysWhileCountsMatch() throws IOException {
    byte[] b = bytes(new SampleWritable(new float[] {1, 2, 3}, new float[] {1, 0}),
        new SampleWritable(new float[] {4, 5, 6}, new float[] {0, 1}),
        new SampleWritable(new float[] {7, 8}, new float[] {1, 0}));
    DataInputStream in = in(b);
    SampleWritable s = new SampleWritable();
    s.readFields(in);
    float[] f = s.features();
    float[] t = s.targets();
    s.readFields(in);
    assertSame(f, s.features());
    assertSame(t, s.targets());
    assertArrayEquals(new float[] {4, 5, 6}, f);
    assertArrayEquals(new float[] {0, 1}, t);
    s.readFields(in);
    assertNotSame(f, s.features());
    assertSame(t, s.targets());
    assertArrayEquals(new float[] {7, 8}, s.features());
  }

  @Test
  void constructorAndSetCopyTheCallersArrays() {
    float[] x = {1, 2};
    float[] y = {3};
    SampleWritable s = new SampleWritable(x, y);
    x[0] = 99;
    y[0] = 99;
    assertArrayEquals(new float[] {1, 2}, s.features());
    assertArrayEquals(new float[] {3}, s.targets());
    float[] own = s.features();
    s.set(new float[] {5, 6}, new float[] {7});
    assertSame(own, s.features(), "same length: the array is reused");
    assertArrayEquals(new float[] {5, 6}, own);
  }

  @Test
  void setRejectsNonFiniteValues() {
    SampleWritable s = new SampleWritable();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.set(new float[] {0, Float.NaN}, new float[] {1}));
    assertEquals("feature 1 is NaN; values must be finite", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new SampleWritable(new float[] {0}, new float[] {Float.NEGATIVE_INFINITY}));
  }

  @Test
  void emptySampleRoundTrips() throws IOException {
    byte[] b = bytes(new SampleWritable());
    assertEquals(8, b.length);
    SampleWritable s = new SampleWritable(new float[] {1}, new float[] {1});
    s.readFields(in(b));
    assertEquals(0, s.features().length);
    assertEquals(0, s.targets().length);
  }

  @Test
  void truncatedValuesAreAnEofNamingWhatWasExpected() throws IOException {
    byte[] b = bytes(new SampleWritable(new float[] {1, 2, 3}, new float[] {0, 1}));
    byte[] cut = Arrays.copyOf(b, b.length - 3);
    EOFException e =
        assertThrows(EOFException.class, () -> new SampleWritable().readFields(in(cut)));
    assertEquals("truncated sample: the input ends inside the values of a sample of 3 features"
        + " and 2 targets (20 bytes expected)", e.getMessage());
  }

  @Test
  void truncatedHeaderIsAnEof() {
    byte[] cut = {0, 0, 0, 3, 0};
    EOFException e =
        assertThrows(EOFException.class, () -> new SampleWritable().readFields(in(cut)));
    assertTrue(e.getMessage().contains("inside the sample's header"), e.getMessage());
  }

  @Test
  void negativeCountIsRejected() throws IOException {
    byte[] b = raw(-1, 1, 0f);
    IOException e = assertThrows(IOException.class, () -> new SampleWritable().readFields(in(b)));
    assertEquals("corrupt sample: its feature count is -1, outside [0, 16777216]",
        e.getMessage());
  }

  @Test
  void absurdCountIsRejectedBeforeAllocating() throws IOException {
    byte[] b = raw(3, (1 << 24) + 1);
    IOException e = assertThrows(IOException.class, () -> new SampleWritable().readFields(in(b)));
    assertEquals("corrupt sample: its target count is 16777217, outside [0, 16777216]",
        e.getMessage());
  }

  @Test
  void nonFiniteValuesAreRejectedAndLeaveTheSampleEmpty() throws IOException {
    SampleWritable s = new SampleWritable(new float[] {1, 2}, new float[] {3, 4});
    byte[] nan = raw(2, 2, 0.5f, 0.25f, 1f, Float.NaN);
    IOException e = assertThrows(IOException.class, () -> s.readFields(in(nan)));
    assertEquals("corrupt sample: target 1 is NaN; values must be finite", e.getMessage());
    assertEquals(0, s.features().length);
    assertEquals(0, s.targets().length);

    byte[] inf = raw(1, 1, Float.POSITIVE_INFINITY, 0f);
    e = assertThrows(IOException.class, () -> s.readFields(in(inf)));
    assertEquals("corrupt sample: feature 0 is Infinity; values must be finite", e.getMessage());
  }
}
