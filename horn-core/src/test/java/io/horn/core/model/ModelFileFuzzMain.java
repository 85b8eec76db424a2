package io.horn.core.model;

import io.horn.core.Neuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The fuzz loop for {@link ModelFile#readHeader} and {@link ModelFile#load}, run by
 * {@link ModelFileFuzzTest} in a child JVM with a small heap. Arguments: {@code mode seed
 * iterations}, the mode one of
 * <ul>
 *   <li>{@code raw}: seeded byte mutations ({@link FileMutator}) of valid files, as a torn or
 *       bit-rotted file would be; nearly all must fail the frame checks (magic, version, length,
 *       checksum);</li>
 *   <li>{@code resealed}: the same mutations, then the length field and the CRC-32 made right
 *       again, so the bytes reach the parser behind the checksum, as a buggy or hostile writer's
 *       would;</li>
 *   <li>{@code fields}: valid files re-encoded ({@link Fields}) with one or two fields edited:
 *       class names of unrelated or missing classes, sizes, drop rates, counts, duplicate
 *       metadata keys, spec strings that disagree with the layer table
 *       ({@code fields+depth-mismatch}: also in their number of layers);</li>
 *   <li>{@code big-counts} and {@code big-depth}: a 4 MB model whose count or string-length
 *       fields ({@code big-depth}: the layer count) are set to values up to the file's size, then
 *       resealed: a reader that allocates in proportion to such a field runs out of the 64 MB
 *       heap.</li>
 * </ul>
 * Each input is written to a file and read by {@code readHeader}, then {@code load}. Either may
 * accept the file or throw an {@link IOException}. Forbidden: any other throwable
 * (OutOfMemoryError included), one call allocating more than {@link #allowance} of the file's
 * size, and an accepted model that does not save and load back to itself.
 *
 * <p>Prints {@code FUZZ <mode> seed=.. iterations=.. accepted=.. rejected=.. forbidden=..
 * maxAllocated=..} and exits 0, or 1 after printing each forbidden case (input in hex).
 */
public final class ModelFileFuzzMain {
  private static final int WARMUP = 200;
  private static final String[] ACTIVATIONS = {ReLU.class.getName(), SoftMax.class.getName(),
      Sigmoid.class.getName(), Tanh.class.getName(), Identity.class.getName(),
      LeakyReLU.class.getName()};
  private static final String NEURON = StandardNeuron.class.getName();
  private static final String[] COSTS = {CrossEntropy.class.getName(),
      SquaredError.class.getName()};
  /** Names a model file may hold that are not what the field needs. */
  private static final String[] WRONG_CLASSES = {"", "com.example.NoSuchClass",
      String.class.getName(), NEURON, CrossEntropy.class.getName(), ReLU.class.getName(),
      Neuron.class.getName(), "[Ljava.lang.String;", "int", "java.lang.Object",
      ModelFileFuzzMain.class.getName(), "io.horn.core.activation..ReLU"};

  private ModelFileFuzzMain() {}

  /** Heap one read call may allocate for a file of {@code fileBytes}: 1 MiB plus 8x. */
  public static long allowance(long fileBytes) {
    return (1L << 20) + 8L * fileBytes;
  }

  /** A model file's fields, encoded in the documented layout by {@link #encode}. */
  static final class Fields {
    int version = 1; // what ModelFile writes for a model without sections
    String spec;
    List<Integer> sizes = new ArrayList<>();
    List<String> activations = new ArrayList<>();
    List<String> neurons = new ArrayList<>();
    List<Float> drops = new ArrayList<>();
    /** Written as the layer count; normally sizes.size(). */
    int depth;
    String cost;
    List<String[]> metadata = new ArrayList<>();
    /** Written as the metadata entry count; normally metadata.size(). */
    int entries;
    /** Written as the parameter count; normally params.length. */
    int count;
    float[] params;
    /** Byte offsets, filled by {@link #encode}: where each count field lies. */
    int specAt;
    int depthAt;
    int entriesAt;
    int countAt;

    /** The fields of a valid model of the given layer sizes, spec string included. */
    static Fields valid(Random r, int[] sizes, boolean randomParams) {
      Fields f = new Fields();
      StringBuilder spec = new StringBuilder();
      for (int l = 0; l < sizes.length; l++) {
        String act = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
        float drop = l == sizes.length - 1 ? 0f : r.nextInt(4) * 0.125f;
        f.sizes.add(sizes[l]);
        f.activations.add(act);
        f.neurons.add(NEURON);
        f.drops.add(drop);
        spec.append(l == 0 ? "" : ";").append(sizes[l]).append(',').append(act).append(',')
            .append(NEURON).append(',').append(drop);
      }
      f.cost = COSTS[r.nextInt(COSTS.length)];
      f.spec = spec.append('|').append(f.cost).toString();
      f.depth = sizes.length;
      int meta = r.nextInt(4);
      for (int i = 0; i < meta; i++) {
        f.metadata.add(new String[] {"k" + i + randomText(r, 6), randomText(r, 20)});
      }
      f.entries = meta;
      long n = 0;
      for (int l = 1; l < sizes.length; l++) {
        n += (sizes[l - 1] + 1L) * sizes[l];
      }
      f.params = new float[(int) n];
      for (int i = 0; randomParams && i < n; i++) {
        f.params[i] = (float) r.nextGaussian();
      }
      f.count = f.params.length;
      return f;
    }

    /** The file's bytes: magic, version, length, fields, CRC-32, as ModelFile documents. */
    byte[] encode() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(b);
      out.writeInt(ModelFile.MAGIC);
      out.writeInt(version);
      out.writeLong(0); // set by reseal
      specAt = b.size();
      string(out, spec);
      depthAt = b.size();
      out.writeInt(depth);
      for (int l = 0; l < sizes.size(); l++) {
        out.writeInt(sizes.get(l));
        string(out, activations.get(l));
        string(out, neurons.get(l));
        out.writeFloat(drops.get(l));
      }
      string(out, cost);
      entriesAt = b.size();
      out.writeInt(entries);
      for (String[] e : metadata) {
        string(out, e[0]);
        string(out, e[1]);
      }
      countAt = b.size();
      out.writeInt(count);
      ByteBuffer floats = ByteBuffer.allocate(4 * params.length);
      floats.asFloatBuffer().put(params);
      out.write(floats.array());
      out.writeInt(0); // set by reseal
      out.flush();
      return reseal(b.toByteArray());
    }

    private static void string(DataOutputStream out, String s) throws IOException {
      byte[] a = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(a.length);
      out.write(a);
    }
  }

  /** Sets the length field to the file's size and the last 4 bytes to the CRC-32 before them. */
  public static byte[] reseal(byte[] b) {
    if (b.length < 20) {
      return b;
    }
    ByteBuffer.wrap(b).putLong(8, b.length);
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    return b;
  }

  public static String randomText(Random r, int max) {
    StringBuilder sb = new StringBuilder();
    int n = r.nextInt(max + 1);
    while (sb.length() < n) {
      int k = r.nextInt(6);
      if (k == 0) {
        sb.append((char) (0x80 + r.nextInt(0x780)));
      } else if (k == 1) {
        sb.appendCodePoint(0x10000 + r.nextInt(0x1000));
      } else {
        sb.append((char) (0x20 + r.nextInt(0x5f)));
      }
    }
    return sb.toString();
  }

  private static int[] randomSizes(Random r) {
    int[] s = new int[2 + r.nextInt(3)];
    for (int i = 0; i < s.length; i++) {
      s[i] = 1 + r.nextInt(6);
    }
    return s;
  }

  /**
   * One or two edits of valid fields. {@code depthMismatch} adds the edits that make the spec
   * string hold one layer fewer or more than the layer table: ModelFile.load lets a
   * RuntimeException out for them today (ModelFileFuzzTest's disabled tests), so the
   * {@code fields} mode leaves them out and {@code fields+depth-mismatch} has them.
   */
  static Fields edited(Random r, boolean depthMismatch) {
    Fields f = Fields.valid(r, randomSizes(r), true);
    int edits = 1 + r.nextInt(2);
    for (int e = 0; e < edits; e++) {
      int layer = r.nextInt(f.sizes.size());
      // An earlier edit may have broken the spec string's structure: edit the table then.
      int bar = f.spec.lastIndexOf('|');
      String tail = bar < 0 ? "" : f.spec.substring(bar);
      String[] parts = (bar < 0 ? f.spec : f.spec.substring(0, bar)).split(";", -1);
      String[] fields = layer < parts.length ? parts[layer].split(",", -1) : new String[0];
      boolean specIntact = bar >= 0 && fields.length == 4 && parts.length >= 2;
      int kind = r.nextInt(depthMismatch ? 16 : 14);
      if (!specIntact && (kind <= 3 || kind >= 12)) {
        kind = 4 + r.nextInt(8);
      }
      switch (kind) {
        case 0: // a class named in the spec string replaced
          fields[1 + r.nextInt(2)] = WRONG_CLASSES[r.nextInt(WRONG_CLASSES.length)];
          break;
        case 1: // a size in the spec string
          fields[0] = new String[] {"0", "-1", "2147483647", "99999999999", "1e3", " 3 ",
              "", "0x10", Integer.toString(f.sizes.get(layer) + 1)}[r.nextInt(9)];
          break;
        case 2: // a drop rate in the spec string
          fields[3] = new String[] {"NaN", "1.0", "-0.0", "Infinity", "0x1p-3", "", "0.5f",
              "-1"}[r.nextInt(8)];
          break;
        case 3: // the spec string's bytes mutated, its length kept right
          f.spec = new String(FileMutator.mutate(f.spec.getBytes(StandardCharsets.UTF_8), r),
              StandardCharsets.UTF_8);
          continue;
        case 4: // a layer table size
          f.sizes.set(layer, new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE,
              f.sizes.get(layer) + 1, 1 << 16}[r.nextInt(6)]);
          continue;
        case 5: // a layer table drop rate
          f.drops.set(layer, new float[] {Float.NaN, 1f, -0f, Float.POSITIVE_INFINITY,
              0.999f}[r.nextInt(5)]);
          continue;
        case 6: // a layer table class name
          (r.nextBoolean() ? f.activations : f.neurons).set(layer,
              WRONG_CLASSES[r.nextInt(WRONG_CLASSES.length)]);
          continue;
        case 7: // the layer count, the entries left as they are
          f.depth = new int[] {0, 1, -1, f.depth - 1, f.depth + 1, Integer.MAX_VALUE,
              1 << 20}[r.nextInt(7)];
          continue;
        case 8: // the cost, in the table or the spec string
          if (r.nextBoolean()) {
            f.cost = WRONG_CLASSES[r.nextInt(WRONG_CLASSES.length)];
          } else {
            f.spec = bar < 0 ? f.spec
                : f.spec.substring(0, bar + 1) + WRONG_CLASSES[r.nextInt(WRONG_CLASSES.length)];
          }
          continue;
        case 9: // metadata: a repeated key, or a wrong count
          if (!f.metadata.isEmpty() && r.nextBoolean()) {
            f.metadata.add(new String[] {f.metadata.get(0)[0], "again"});
            f.entries++;
          } else {
            f.entries = new int[] {-1, f.entries + 1, Math.max(0, f.entries - 1),
                Integer.MAX_VALUE}[r.nextInt(4)];
          }
          continue;
        case 10: // the parameter count, or the parameters themselves
          if (r.nextBoolean()) {
            f.count = new int[] {0, -1, f.count + 1, f.count - 1, Integer.MAX_VALUE}[r.nextInt(5)];
          } else {
            f.params = Arrays.copyOf(f.params, Math.max(0, f.params.length + r.nextInt(3) - 1));
            f.count = f.params.length;
          }
          continue;
        case 11: // the format version
          f.version = new int[] {0, -1, 2, Integer.MIN_VALUE}[r.nextInt(4)];
          continue;
        case 12: // layers so wide that the parameter count overflows, in table and spec alike
          f.sizes.set(layer, 1 << 16);
          fields[0] = Integer.toString(1 << 16);
          break;
        case 13: // the spec string without its '|cost', or with separators doubled
          f.spec = r.nextBoolean() ? String.join(";", parts) : f.spec.replace(";", ";;");
          continue;
        case 14: // the spec string one layer short of the table
          f.spec = String.join(";", Arrays.copyOf(parts, parts.length - 1)) + tail;
          continue;
        default: // the spec string one layer longer than the table
          parts = Arrays.copyOf(parts, parts.length + 1);
          parts[parts.length - 1] = parts[parts.length - 2];
          f.spec = String.join(";", parts) + tail;
          continue;
      }
      parts[layer] = String.join(",", fields);
      f.spec = String.join(";", parts) + tail;
    }
    return f;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    long seed = Long.parseLong(args[1]);
    int iterations = Integer.parseInt(args[2]);
    Path dir = FuzzTally.scratch("horn-modelfile-fuzz");
    Path file = dir.resolve("m.horn");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Random r = new Random(seed);
    Fields big = null;
    byte[] bigBytes = null;
    if (mode.startsWith("big")) {
      big = Fields.valid(r, new int[] {1000, 1000}, false); // 1 001 000 parameters: 4 MB
      bigBytes = big.encode();
    }
    FuzzTally tally = new FuzzTally(mode, seed);
    int warmup = mode.startsWith("big") ? 2 : WARMUP;
    try {
      for (int i = 0; i < warmup + iterations; i++) {
        byte[] input;
        switch (mode) {
          case "raw":
            input = FileMutator.mutate(Fields.valid(r, randomSizes(r), true).encode(), r);
            break;
          case "resealed":
            input = reseal(FileMutator.mutate(
                Fields.valid(r, randomSizes(r), true).encode(), r));
            break;
          case "fields":
            input = edited(r, false).encode();
            break;
          case "fields+depth-mismatch":
            input = edited(r, true).encode();
            break;
          case "big-counts":
          case "big-depth": {
            input = bigBytes.clone();
            int[] at = mode.equals("big-depth") ? new int[] {big.depthAt}
                : new int[] {big.specAt, big.entriesAt, big.countAt};
            int v = new int[] {bigBytes.length / 16, bigBytes.length / 4, bigBytes.length - 64,
                bigBytes.length, 1 << 20, r.nextInt(bigBytes.length)}[r.nextInt(6)];
            ByteBuffer.wrap(input).putInt(at[r.nextInt(at.length)], i < warmup ? 3 : v);
            reseal(input);
            break;
          }
          default:
            throw new IllegalArgumentException("unknown mode " + mode);
        }
        Files.write(file, input);
        String problem = null;
        Throwable thrown = null;
        Model model = null;
        boolean headerRead = false;
        for (int call = 0; call < 2 && problem == null; call++) {
          long before = threads.getCurrentThreadAllocatedBytes();
          try {
            if (call == 0) {
              ModelFile.readHeader(file);
              headerRead = true;
            } else {
              model = ModelFile.load(file, null);
            }
          } catch (IOException e) {
            // the allowed outcome for a bad file
          } catch (Throwable t) { // OutOfMemoryError included: that is the point
            thrown = t;
            problem = (call == 0 ? "readHeader" : "load") + " threw " + t;
          }
          long allocated = threads.getCurrentThreadAllocatedBytes() - before;
          if (i >= warmup) {
            tally.allocated(allocated);
            if (problem == null && allocated > allowance(input.length)) {
              problem = (call == 0 ? "readHeader" : "load") + " allocated " + allocated
                  + " bytes to read a file of " + input.length;
            }
          }
        }
        if (problem == null && model != null) {
          if (!headerRead) {
            problem = "load accepted a file that readHeader refused";
          } else {
            try {
              Path again = dir.resolve("again.horn");
              ModelFile.save(model, again);
              Model back = ModelFile.load(again, null);
              if (!back.spec().equals(model.spec()) || !back.metadata().equals(model.metadata())
                  || !Arrays.equals(back.parameters(), model.parameters())) {
                problem = "an accepted model does not save and load back to itself";
              }
            } catch (IOException | RuntimeException e) {
              thrown = e;
              problem = "an accepted model does not save and load back: " + e;
            }
          }
        }
        tally.record(i, input, model != null, problem, thrown);
      }
    } finally {
      FuzzTally.delete(dir);
    }
    tally.finish(iterations);
  }
}
