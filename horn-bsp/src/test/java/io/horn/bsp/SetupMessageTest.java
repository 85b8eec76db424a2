package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Local mode hands messages over by reference: the wire form is checked here, on its own. */
class SetupMessageTest {

  private static SetupMessage roundTrip(SetupMessage m, SetupMessage into) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(new DataOutputStream(bytes));
    into.readFields(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return into;
  }

  @Test
  void everyKindSurvivesTheWireIntoAReusedInstance() throws IOException {
    SetupMessage reused = new SetupMessage();
    SetupMessage s = roundTrip(SetupMessage.samples(3, 1L << 40), reused);
    assertEquals(SetupMessage.Kind.SAMPLES, s.kind());
    assertEquals(3, s.from());
    assertEquals(1L << 40, s.count());
    s = roundTrip(SetupMessage.ringAddress(7, "10.0.0.2:40123"), reused);
    assertEquals(SetupMessage.Kind.RING_ADDRESS, s.kind());
    assertEquals(7, s.from());
    assertEquals("10.0.0.2:40123", s.address());
    s = roundTrip(SetupMessage.serverAddress(4, "höst:1"), reused);
    assertEquals(SetupMessage.Kind.SERVER_ADDRESS, s.kind());
    assertEquals("höst:1", s.address());
    s = roundTrip(SetupMessage.readStats(2, "10.213.7.3", 48_300_000L, 48_299_000L), reused);
    assertEquals(SetupMessage.Kind.READ_STATS, s.kind());
    assertEquals(2, s.from());
    assertEquals("10.213.7.3", s.address());
    assertEquals(48_300_000L, s.count());
    assertEquals(48_299_000L, s.local());
    s = roundTrip(SetupMessage.shardWeights(6, 2, new float[] {1.5f, -0f, Float.MIN_VALUE}),
        reused);
    assertEquals(SetupMessage.Kind.SHARD_WEIGHTS, s.kind());
    assertEquals(6, s.from());
    assertEquals(2, s.count());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new float[] {1.5f, -0f, Float.MIN_VALUE}, s.weights());
    // The reused instance forgets the local bytes and weights of a kind that has none.
    s = roundTrip(SetupMessage.samples(1, 5), reused);
    assertEquals(0, s.local());
    assertEquals(0, s.weights().length);
  }

  @Test
  void unknownKindsAndAbsurdLengthsAreRejected() {
    byte[] badKind = {9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    IOException e = assertThrows(IOException.class, () -> new SetupMessage().readFields(
        new DataInputStream(new ByteArrayInputStream(badKind))));
    assertTrue(e.getMessage().contains("kind 9"), e.getMessage());
    byte[] longAddress = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
    e = assertThrows(IOException.class, () -> new SetupMessage().readFields(
        new DataInputStream(new ByteArrayInputStream(longAddress))));
    assertTrue(e.getMessage().contains("65535 bytes"), e.getMessage());
    // Kind 4 (a shard's weights) with a negative float count.
    byte[] negativeWeights = {4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xfe};
    e = assertThrows(IOException.class, () -> new SetupMessage().readFields(
        new DataInputStream(new ByteArrayInputStream(negativeWeights))));
    assertTrue(e.getMessage().contains("-2 weights"), e.getMessage());
  }
}
