package io.horn.bsp;

import io.horn.bsp.io.SampleWritable;
import io.horn.core.model.FileMutator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.apache.hadoop.io.Writable;

/**
 * The fuzz loop for the project's Hadoop {@link Writable}s, run by {@link WritableFuzzTest} in a
 * child JVM with a small heap. Arguments: {@code setup|sample seed iterations}.
 *
 * <p>Each iteration encodes random valid values, mutates the bytes ({@link FileMutator}) and has
 * {@code readFields} read them, alternately into a fresh instance and into one reused across the
 * whole run (as Hama and the record readers do). A reader may accept the bytes or throw an
 * {@link IOException}. Anything else is forbidden: another throwable (an OutOfMemoryError from a
 * corrupt length included), more heap allocated by one call than {@link #allowance} of its
 * input, or an accepted value that breaks the type's invariants.
 *
 * <p>Prints one line {@code FUZZ <target> seed=.. iterations=.. accepted=.. rejected=..
 * forbidden=.. maxAllocated=..} and exits 0, or 1 when anything forbidden happened (each is
 * printed with the input in hex, to replay).
 */
public final class WritableFuzzMain {
  /** Iterations before allocation is measured: the first calls load and initialise classes. */
  private static final int WARMUP = 500;

  private interface Target {
    byte[] valid(Random r) throws IOException;

    /** Reads {@code in} into a fresh or the reused instance and returns it. */
    Writable read(DataInputStream in, boolean reuse) throws IOException;

    /** Throws AssertionError when an accepted value is not one the type can hold. */
    void check(Writable w, byte[] consumed) throws IOException;
  }

  private WritableFuzzMain() {}

  /** Heap one readFields may allocate for {@code inputBytes}: a small constant plus 8x. */
  static long allowance(int inputBytes) {
    return (256 << 10) + 8L * inputBytes;
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    long seed = Long.parseLong(args[1]);
    int iterations = Integer.parseInt(args[2]);
    Target target = name.equals("setup") ? new SetupTarget() : new SampleTarget();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Random r = new Random(seed);
    long accepted = 0;
    long rejected = 0;
    long forbidden = 0;
    long maxAllocated = 0;
    for (int i = 0; i < WARMUP + iterations; i++) {
      byte[] input = FileMutator.mutate(target.valid(r), r);
      boolean reuse = (i & 1) == 1;
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(input));
      String problem = null;
      Throwable thrown = null;
      Writable w = null;
      long before = threads.getCurrentThreadAllocatedBytes();
      try {
        w = target.read(in, reuse);
      } catch (IOException e) {
        rejected++;
      } catch (Throwable t) { // OutOfMemoryError included: that is the point
        thrown = t;
        problem = "threw " + t;
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      if (i >= WARMUP) {
        maxAllocated = Math.max(maxAllocated, allocated);
        if (problem == null && allocated > allowance(input.length)) {
          problem = "allocated " + allocated + " bytes to read " + input.length;
        }
      }
      if (w != null && problem == null) {
        accepted++;
        try {
          target.check(w, Arrays.copyOf(input, input.length - in.available()));
        } catch (AssertionError | IOException e) {
          thrown = e;
          problem = "accepted a broken value: " + e.getMessage();
        }
      }
      if (problem != null) {
        forbidden++;
        if (forbidden <= 5) {
          System.out.println("FORBIDDEN " + name + " seed=" + seed + " iteration=" + i
              + " reuse=" + reuse + ": " + problem + "; input="
              + HexFormat.of().formatHex(input, 0, Math.min(input.length, 256)));
          if (thrown != null && forbidden == 1) {
            thrown.printStackTrace(System.out);
          }
        }
      }
    }
    System.out.println("FUZZ " + name + " seed=" + seed + " iterations=" + iterations
        + " accepted=" + accepted + " rejected=" + rejected + " forbidden=" + forbidden
        + " maxAllocated=" + maxAllocated);
    System.out.flush();
    System.exit(forbidden == 0 ? 0 : 1);
  }

  static byte[] encode(Writable w) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    w.write(out);
    out.flush();
    return b.toByteArray();
  }

  /** A string of 0..max chars mixing 1-, 2-, 3- and 4-byte UTF-8 sequences. */
  static String randomText(Random r, int max) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(max + 1);
    while (sb.length() < n) {
      switch (r.nextInt(8)) {
        case 0: sb.append((char) (0x80 + r.nextInt(0x780))); break; // 2 bytes
        case 1: sb.append((char) (0x800 + r.nextInt(0xD000 - 0x800))); break; // 3 bytes
        case 2: sb.appendCodePoint(0x10000 + r.nextInt(0x100000)); break; // 4 bytes
        default: sb.append((char) (0x20 + r.nextInt(0x5f))); break;
      }
    }
    return sb.toString();
  }

  private static final class SetupTarget implements Target {
    private final SetupMessage reused = new SetupMessage();

    @Override
    public byte[] valid(Random r) throws IOException {
      SetupMessage m;
      switch (r.nextInt(4)) {
        case 0: m = SetupMessage.samples(r.nextInt(), r.nextLong()); break;
        case 1: m = SetupMessage.ringAddress(r.nextInt(1000), randomText(r, 256)); break;
        case 2: m = SetupMessage.serverAddress(r.nextInt(4), randomText(r, 256)); break;
        default: m = SetupMessage.readStats(r.nextInt(64), randomText(r, 64), r.nextLong(),
            r.nextLong()); break;
      }
      return encode(m);
    }

    @Override
    public Writable read(DataInputStream in, boolean reuse) throws IOException {
      SetupMessage m = reuse ? reused : new SetupMessage();
      m.readFields(in);
      return m;
    }

    @Override
    public void check(Writable w, byte[] consumed) throws IOException {
      SetupMessage m = (SetupMessage) w;
      if (m.kind() == null || m.address() == null) {
        throw new AssertionError("null field in " + m);
      }
      byte[] again;
      try {
        again = encode(m);
      } catch (IOException e) {
        // Invalid UTF-8 decodes to U+FFFD, which may re-encode past the limit: the writer
        // refuses it, and such a message is never sent on, only read.
        return;
      }
      SetupMessage copy = new SetupMessage();
      copy.readFields(new DataInputStream(new ByteArrayInputStream(again)));
      if (copy.kind() != m.kind() || copy.from() != m.from() || copy.count() != m.count()
          || !copy.address().equals(m.address()) || copy.local() != m.local()) {
        throw new AssertionError(m + " came back as " + copy);
      }
    }
  }

  private static final class SampleTarget implements Target {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 0.1f, 1e-42f};
    private final SampleWritable reused = new SampleWritable();

    @Override
    public byte[] valid(Random r) throws IOException {
      int nf = r.nextInt(50) == 0 ? 2000 + r.nextInt(3000) : r.nextInt(4) == 0 ? 0
          : r.nextInt(200);
      int nt = r.nextInt(12);
      return encode(new SampleWritable(values(r, nf), values(r, nt)));
    }

    private static float[] values(Random r, int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)]
            : (float) r.nextGaussian() * 100;
      }
      return v;
    }

    @Override
    public Writable read(DataInputStream in, boolean reuse) throws IOException {
      SampleWritable s = reuse ? reused : new SampleWritable();
      s.readFields(in);
      return s;
    }

    @Override
    public void check(Writable w, byte[] consumed) throws IOException {
      SampleWritable s = (SampleWritable) w;
      for (float v : s.features()) {
        if (!Float.isFinite(v)) {
          throw new AssertionError("accepted a non-finite feature " + v);
        }
      }
      for (float v : s.targets()) {
        if (!Float.isFinite(v)) {
          throw new AssertionError("accepted a non-finite target " + v);
        }
      }
      // The encoding is canonical: what was accepted must write back to the very bytes read.
      if (!Arrays.equals(encode(s), consumed)) {
        throw new AssertionError("read " + consumed.length + " bytes as " + s
            + ", which writes back differently");
      }
    }
  }
}
