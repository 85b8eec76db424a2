package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.io.Writable;
import org.junit.jupiter.api.Test;

/** Local mode never serialises messages, so every Writable's round trip is tested here. */
class ParamsWritableTest {

  static byte[] bytes(Writable w) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    w.write(new DataOutputStream(b));
    return b.toByteArray();
  }

  static <T extends Writable> T read(byte[] data, T into) throws IOException {
    into.readFields(new DataInputStream(new ByteArrayInputStream(data)));
    return into;
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    float[] v = {1.5f, -0f, Float.MIN_VALUE, 3e38f, -7.25f};
    ParamsWritable p = read(bytes(new ParamsWritable(42, 17, 3.25, v)), new ParamsWritable());
    assertEquals(42, p.step());
    assertEquals(17, p.samples());
    assertEquals(3.25, p.cost());
    for (int i = 0; i < v.length; i++) {
      assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(p.values()[i]));
    }
  }

  @Test
  void readerReusesItsArrayWhenTheLengthMatches() throws IOException {
    ParamsWritable into = new ParamsWritable(0, 0, 0, new float[3]);
    float[] before = into.values();
    read(bytes(new ParamsWritable(1, 1, 1, new float[] {1, 2, 3})), into);
    assertTrue(before == into.values());
    assertArrayEquals(new float[] {1, 2, 3}, into.values());
  }

  @Test
  void truncatedMessageIsReportedAsSuch() throws IOException {
    byte[] full = bytes(new ParamsWritable(1, 2, 3, new float[100]));
    EOFException e = assertThrows(EOFException.class,
        () -> read(Arrays.copyOf(full, full.length - 7), new ParamsWritable()));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void corruptLengthIsRejected() throws IOException {
    byte[] data = bytes(new ParamsWritable(1, 2, 3, new float[2]));
    data[20] = (byte) 0x80; // the length field turns negative
    IOException e = assertThrows(IOException.class, () -> read(data, new ParamsWritable()));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }

  @Test
  void pullReplyRoundTrip() throws IOException {
    PullReply r = read(bytes(new PullReply(false, "shape mismatch", true,
        new ParamsWritable(9, 0, 0, new float[] {4, 5}))), new PullReply());
    assertEquals(false, r.accepted());
    assertEquals("shape mismatch", r.error());
    assertEquals(true, r.stop());
    assertArrayEquals(new float[] {4, 5}, r.params().values());
  }
}
