package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.io.SampleWritable;
import io.horn.core.model.ChildJvm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.io.Writable;
import org.junit.jupiter.api.Test;

/**
 * Every Hadoop {@link Writable} of the project ({@link SetupMessage}, {@link SampleWritable})
 * against the bytes a torn file or a hostile peer can hand it: valid values round trip, and
 * thousands of seeded mutations of valid encodings end in an accepted value or an IOException,
 * never another throwable or an allocation out of proportion to the input.
 *
 * <p>The fuzz loops run in a child JVM with a 64 MB heap ({@link WritableFuzzMain}): there an
 * allocation from a corrupt length is an OutOfMemoryError, which a 3 GB test JVM would survive.
 */
class WritableFuzzTest {
  private static final Pattern SUMMARY = Pattern.compile(
      "FUZZ (\\w+) seed=(-?\\d+) iterations=(\\d+) accepted=(\\d+) rejected=(\\d+) forbidden=0 "
          + "maxAllocated=(\\d+)");

  private static DataInputStream in(byte[] b) {
    return new DataInputStream(new ByteArrayInputStream(b));
  }

  private static <W extends Writable> W roundTrip(Writable from, W into) throws IOException {
    byte[] b = WritableFuzzMain.encode(from);
    DataInputStream in = in(b);
    into.readFields(in);
    assertEquals(0, in.available(), "readFields reads exactly what write wrote");
    return into;
  }

  private static void assertSameMessage(SetupMessage want, SetupMessage got) {
    assertEquals(want.kind(), got.kind());
    assertEquals(want.from(), got.from());
    assertEquals(want.count(), got.count());
    assertEquals(want.address(), got.address());
  }

  @Test
  void setupMessagesRoundTripIntoFreshAndReusedInstances() throws IOException {
    SetupMessage reused = new SetupMessage();
    Random r = new Random(11);
    SetupMessage[] edge = {
        SetupMessage.samples(Integer.MIN_VALUE, Long.MIN_VALUE),
        SetupMessage.samples(Integer.MAX_VALUE, Long.MAX_VALUE),
        SetupMessage.ringAddress(0, ""),
        SetupMessage.ringAddress(1, "a".repeat(1024)), // the longest address allowed
        SetupMessage.serverAddress(2, "\u00e9".repeat(512)), // 1024 bytes of 2-byte chars
        SetupMessage.serverAddress(3, "[::1]:8020 \uD83D\uDE00"),
    };
    for (SetupMessage m : edge) {
      assertSameMessage(m, roundTrip(m, new SetupMessage()));
      assertSameMessage(m, roundTrip(m, reused));
    }
    for (int i = 0; i < 500; i++) {
      SetupMessage m = i % 2 == 0 ? SetupMessage.samples(r.nextInt(), r.nextLong())
          : SetupMessage.ringAddress(r.nextInt(), WritableFuzzMain.randomText(r, 300));
      assertSameMessage(m, roundTrip(m, new SetupMessage()));
      assertSameMessage(m, roundTrip(m, reused));
    }
  }

  /**
   * The reader rejects addresses over 1024 bytes, and the length travels in 16 bits: a writer
   * that sent either would fail at the peer (or, past 65535 bytes, desynchronise its stream).
   */
  @Test
  void setupMessageRefusesToWriteAnAddressItsReaderWouldReject() {
    for (String address : new String[] {"a".repeat(1025), "\u00e9".repeat(513),
        "x".repeat(70_000)}) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      IOException e = assertThrows(IOException.class,
          () -> SetupMessage.ringAddress(1, address).write(new DataOutputStream(b)));
      assertTrue(e.getMessage().contains("1024"), e.getMessage());
      assertEquals(0, b.size(), "nothing half-written");
    }
  }

  @Test
  void samplesRoundTripBitExactIntoFreshAndReusedInstances() throws IOException {
    SampleWritable reused = new SampleWritable();
    float[][] shapes = {{}, {0f, -0f}, {Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE},
        new float[100_000]};
    Random r = new Random(5);
    for (float[] f : shapes) {
      for (int i = 0; i < f.length && f.length > 3; i++) {
        f[i] = (float) r.nextGaussian();
      }
      SampleWritable s = new SampleWritable(f, new float[] {1f, 0f});
      for (SampleWritable into : new SampleWritable[] {new SampleWritable(), reused}) {
        SampleWritable got = roundTrip(s, into);
        assertEquals(s, got, "bit for bit");
        if (f.length > 0) {
          assertNotSame(s.features(), got.features());
        }
      }
    }
    // Same shape again: the reused instance keeps its arrays.
    SampleWritable a = new SampleWritable(new float[] {1, 2}, new float[] {3});
    roundTrip(a, reused);
    float[] f = reused.features();
    roundTrip(new SampleWritable(new float[] {4, 5}, new float[] {6}), reused);
    assertSame(f, reused.features());
    assertArrayEquals(new float[] {4, 5}, f);
  }

  /**
   * A header claiming the largest allowed counts (2 x 2^24 floats, 128 MiB) in front of a few
   * bytes must fail as truncated without allocating for the claim: the counts are untrusted.
   */
  @Test
  void aSampleHeaderClaimingTheMaximumCountsAllocatesOnlyForWhatArrives() throws IOException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(SampleWritable.MAX_COUNT);
    out.writeInt(SampleWritable.MAX_COUNT);
    out.writeLong(0);
    byte[] input = b.toByteArray();
    new SampleWritable(); // class initialised outside the measurement
    assertThrows(EOFException.class, () -> new SampleWritable().readFields(in(input)));
    SampleWritable s = new SampleWritable();
    long before = threads.getCurrentThreadAllocatedBytes();
    EOFException e = assertThrows(EOFException.class, () -> s.readFields(in(input)));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(e.getMessage().contains("134217728 bytes expected"), e.getMessage());
    assertTrue(allocated < WritableFuzzMain.allowance(input.length),
        allocated + " bytes allocated to read " + input.length);
    assertEquals(0, s.features().length, "left empty");
  }

  private static Matcher fuzz(String target, long seed, int iterations) throws Exception {
    long t0 = System.nanoTime();
    ChildJvm.Result r = ChildJvm.run("64m", 60, WritableFuzzMain.class, target,
        Long.toString(seed), Integer.toString(iterations));
    double s = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, r.exitCode(), "the fuzz child found forbidden behaviour:\n" + r.output());
    Matcher m = SUMMARY.matcher(r.output());
    assertTrue(m.find(), "no summary line in:\n" + r.output());
    assertEquals(target, m.group(1));
    assertEquals(Integer.toString(iterations), m.group(3));
    long accepted = Long.parseLong(m.group(4));
    long rejected = Long.parseLong(m.group(5));
    // Both outcomes must occur, or the mutations are too mild or too wild to test anything.
    assertTrue(accepted > iterations / 100 && rejected > iterations / 10, m.group());
    assertTrue(s < 20, "took " + s + " s");
    System.out.println(m.group() + String.format(" (%.1f s)", s));
    return m;
  }

  @Test
  void mutatedSetupMessagesAreReadOrRefusedWithAnIoException() throws Exception {
    fuzz("setup", 0x5e7a9L, 20_000);
  }

  @Test
  void mutatedSamplesAreReadOrRefusedWithAnIoException() throws Exception {
    fuzz("sample", 0x5a3b1eL, 20_000);
  }
}
