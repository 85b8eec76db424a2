package io.horn.core.checkpoint;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.cost.SquaredError;
import io.horn.core.model.FileMutator;
import io.horn.core.model.FuzzTally;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.ModelFileFuzzMain;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The fuzz loop for {@link CheckpointFile#read} and {@link ModelFile#loadSections}, run by
 * {@link CheckpointFileFuzzTest} in a child JVM with a 64 MB heap. Arguments: {@code mode seed
 * iterations}, the mode one of
 * <ul>
 *   <li>{@code raw}: byte mutations ({@link FileMutator}) of valid checkpoints of 1 to 3 groups,
 *       with and without Adam's moments, some finished;</li>
 *   <li>{@code resealed}: the same with length and CRC-32 made right again;</li>
 *   <li>{@code fields}: one or two field edits ({@link CheckpointFuzzFields#edit}) of the
 *       metadata and the version-2 part: counts and lengths, repeated, missing, renamed and many
 *       tiny sections, checkpoint entries with garbage values, the version;</li>
 *   <li>{@code big}: a 3.7 MB checkpoint whose section count, a section's name length or float
 *       count, or the metadata count is set to values up to the file's size, the group count to
 *       2^20, or whose sections are 200 000 tiny ones of distinct names.</li>
 * </ul>
 * Each input is written to a file and read by {@code loadSections}, then {@code read}; either may
 * accept it or throw an {@link IOException}. Forbidden: any other throwable (OutOfMemoryError
 * included), a call allocating more than {@link ModelFileFuzzMain#allowance} of the file's size,
 * and an accepted checkpoint that disagrees with its file's entries and sections or does not
 * write and read back to itself.
 *
 * <p>Prints {@code FUZZ <mode> seed=.. iterations=.. accepted=.. rejected=.. forbidden=..
 * maxAllocated=..} and exits 0, or 1 after printing each forbidden case (input in hex).
 */
public final class CheckpointFileFuzzMain {
  private static final int WARMUP = 200;
  private static final List<Class<? extends io.horn.core.activation.ActivationFunction>>
      ACTIVATIONS = List.of(ReLU.class, Sigmoid.class, Tanh.class, Identity.class,
          SoftMax.class);

  private CheckpointFileFuzzMain() {}

  private static float[] values(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(50) == 0 ? Float.NaN : (float) r.nextGaussian();
    }
    return v;
  }

  /** A valid checkpoint of {@code groups} groups over layers of {@code sizes}. */
  static Checkpoint checkpoint(Random r, int[] sizes, int groups, boolean allAdam) {
    List<LayerSpec> layers = new ArrayList<>();
    for (int l = 0; l < sizes.length; l++) {
      layers.add(new LayerSpec(sizes[l], ACTIVATIONS.get(r.nextInt(ACTIVATIONS.size())),
          StandardNeuron.class, l == sizes.length - 1 ? 0f : r.nextInt(3) * 0.25f));
    }
    NetworkSpec spec = new NetworkSpec(layers, r.nextBoolean() ? CrossEntropy.class
        : SquaredError.class);
    int n = spec.parameterCount();
    Map<String, String> meta = new LinkedHashMap<>();
    for (int i = r.nextInt(3); i > 0; i--) {
      meta.put("note" + i, ModelFileFuzzMain.randomText(r, 12));
    }
    long total = 0;
    List<GroupState> states = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      long steps = r.nextInt(8) == 0 ? Long.MAX_VALUE / 4 : r.nextInt(100_000);
      total += steps;
      if (!allAdam && r.nextInt(4) == 0) {
        states.add(GroupState.finished(g, steps));
        continue;
      }
      boolean adam = allAdam || r.nextBoolean();
      OptimizerState o = new OptimizerState(r.nextInt(4) == 0 ? Long.MAX_VALUE : steps,
          values(r, n), adam ? values(r, n) : null, adam ? values(r, n) : null);
      states.add(new GroupState(g, steps, r.nextInt(8) == 0 ? Integer.MAX_VALUE : r.nextInt(50),
          r.nextInt(8) == 0 ? Integer.MAX_VALUE : r.nextInt(10_000), o));
    }
    return new Checkpoint(1 + r.nextInt(1_000), total, new Model(spec, values(r, n), meta),
        states);
  }

  static Checkpoint smallCheckpoint(Random r) {
    int[] sizes = new int[2 + r.nextInt(2)];
    for (int l = 0; l < sizes.length; l++) {
      sizes[l] = 1 + r.nextInt(5);
    }
    return checkpoint(r, sizes, 1 + r.nextInt(3), false);
  }

  static byte[] bytes(Checkpoint c) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CheckpointFile.write(c, b);
    return b.toByteArray();
  }

  /**
   * Why the accepted {@code c} disagrees with the entries of its file and the {@code sections}
   * ModelFile read from it; null if it agrees.
   */
  static String disagreement(Checkpoint c, Map<String, float[]> sections) {
    Map<String, String> meta = c.model().metadata();
    if (Long.parseLong(meta.get(CheckpointFile.SEQUENCE)) != c.sequence()
        || Long.parseLong(meta.get(CheckpointFile.TOTAL_STEPS)) != c.totalSteps()) {
      return "sequence or total steps differ from the file's";
    }
    if (Long.parseLong(meta.get(CheckpointFile.GROUPS)) != c.groups().size()) {
      return c.groups().size() + " groups, the file says " + meta.get(CheckpointFile.GROUPS);
    }
    for (int g = 0; g < c.groups().size(); g++) {
      GroupState s = c.group(g);
      String k = "checkpoint.group." + g + ".";
      if (s.group() != g || Long.parseLong(meta.get(k + "steps")) != s.steps()
          || s.finished() != Boolean.parseBoolean(meta.get(k + "finished"))) {
        return "group " + g + " differs from its entries: " + s;
      }
      if (s.finished()) {
        continue;
      }
      OptimizerState o = s.optimizer();
      String p = "group." + g + ".";
      if (Long.parseLong(meta.get(k + "epoch")) != s.epoch()
          || Long.parseLong(meta.get(k + "cursor")) != s.cursor()
          || Long.parseLong(meta.get(k + "updates")) != o.updates()
          || o.size() != c.model().spec().parameterCount()
          || !Arrays.equals(o.prev(), sections.get(p + "prev"))
          || o.hasMoments() != sections.containsKey(p + "adam.m")
          || o.hasMoments() && (!Arrays.equals(o.adamM(), sections.get(p + "adam.m"))
              || !Arrays.equals(o.adamV(), sections.get(p + "adam.v")))) {
        return "group " + g + "'s state differs from its entries or sections: " + o;
      }
    }
    return null;
  }

  /** The model's metadata without the entries CheckpointFile writes. */
  private static Map<String, String> userMetadata(Checkpoint c) {
    Map<String, String> m = new LinkedHashMap<>(c.model().metadata());
    m.keySet().removeIf(k -> k.startsWith("checkpoint."));
    return m;
  }

  /** Why {@code b} is not the checkpoint {@code a}; null if it is, bit for bit. */
  static String difference(Checkpoint a, Checkpoint b) {
    if (a.sequence() != b.sequence() || a.totalSteps() != b.totalSteps()
        || !a.model().spec().equals(b.model().spec())
        || !userMetadata(a).equals(userMetadata(b))
        || !Arrays.equals(a.model().parameters(), b.model().parameters())
        || a.groups().size() != b.groups().size()) {
      return a + " read back as " + b;
    }
    for (int g = 0; g < a.groups().size(); g++) {
      GroupState x = a.group(g);
      GroupState y = b.group(g);
      if (x.steps() != y.steps() || x.finished() != y.finished() || !x.finished()
          && (x.epoch() != y.epoch() || x.cursor() != y.cursor()
              || !x.optimizer().equals(y.optimizer())
              || x.optimizer().hasMoments() != y.optimizer().hasMoments()))  {
        return "group " + g + ": " + x + " read back as " + y;
      }
    }
    return null;
  }

  /** The big mode's input: one count or length field of {@code big} set high, or tiny sections. */
  /**
   * What reading a file that is nothing but tiny sections may allocate: 1 MiB plus 32 times its
   * size. Each section of about 16 bytes becomes a map entry, a String, byte arrays, a float
   * array and buffers, some 250 bytes of heap, and read parses the file twice (about 19x in
   * all): in proportion still, but beyond the 8x of the rest.
   */
  static long denseAllowance(long fileBytes) {
    return (1L << 20) + 32L * fileBytes;
  }

  private static byte[] bigInput(CheckpointFuzzFields big, int size, Random r, int kind)
      throws IOException {
    CheckpointFuzzFields f = CheckpointFuzzFields.decode(big.encode());
    int v = new int[] {size / 16, size / 4, size - 64, size, 1 << 20, r.nextInt(size),
        Integer.MAX_VALUE, -1}[r.nextInt(8)];
    CheckpointFuzzFields.Section s = f.sections.get(r.nextInt(f.sections.size()));
    switch (kind) {
      case -1:
        break;
      case 0:
        f.sectionCount = v;
        break;
      case 1:
        s.nameLength = v;
        break;
      case 2:
        s.count = v;
        break;
      case 3:
        f.entries = v;
        break;
      case 4:
        f.entry(CheckpointFile.GROUPS)[1] = r.nextBoolean() ? "1048576" : Integer.toString(v);
        break;
      default: { // 200 000 tiny sections, 3.5 MB
        int k = 200_000;
        f.sections.clear();
        for (int i = 0; i < k; i++) {
          f.sections.add(new CheckpointFuzzFields.Section(
              Integer.toString(i, 36).getBytes(StandardCharsets.UTF_8), new float[1]));
        }
        f.sectionCount = k;
        break;
      }
    }
    return f.encode();
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    long seed = Long.parseLong(args[1]);
    int iterations = Integer.parseInt(args[2]);
    Path dir = FuzzTally.scratch("horn-checkpoint-fuzz");
    Path file = dir.resolve("c.horn");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Random r = new Random(seed);
    CheckpointFuzzFields big = null;
    int bigSize = 0;
    if (mode.equals("big")) {
      // 93 310 parameters, 3 groups with Adam: 10 arrays of 373 kB, 3.7 MB in all.
      byte[] b = bytes(checkpoint(r, new int[] {300, 300, 10}, 3, true));
      bigSize = b.length;
      big = CheckpointFuzzFields.decode(b);
    }
    FuzzTally tally = new FuzzTally(mode, seed);
    int warmup = mode.equals("big") ? 2 : WARMUP;
    try {
      for (int i = 0; i < warmup + iterations; i++) {
        byte[] input;
        String problem = null;
        boolean dense = false;
        switch (mode) {
          case "raw":
            input = FileMutator.mutate(bytes(smallCheckpoint(r)), r);
            break;
          case "resealed":
            input = ModelFileFuzzMain.reseal(FileMutator.mutate(bytes(smallCheckpoint(r)), r));
            break;
          case "fields": {
            byte[] valid = bytes(smallCheckpoint(r));
            CheckpointFuzzFields f = CheckpointFuzzFields.decode(valid);
            if (!Arrays.equals(valid, f.encode())) {
              problem = "the fuzz's encoder does not write CheckpointFile's bytes";
            }
            for (int e = 1 + r.nextInt(2); e > 0; e--) {
              f.edit(r);
            }
            input = f.encode();
            break;
          }
          case "big": {
            int kind = i < warmup ? -1 : r.nextInt(6);
            dense = kind == 5;
            input = bigInput(big, bigSize, r, kind);
            break;
          }
          default:
            throw new IllegalArgumentException("unknown mode " + mode);
        }
        Files.write(file, input);
        Throwable thrown = null;
        Map<String, float[]> sections = null;
        Checkpoint c = null;
        for (int call = 0; call < 2 && problem == null; call++) {
          String name = call == 0 ? "loadSections" : "read";
          long before = threads.getCurrentThreadAllocatedBytes();
          try {
            if (call == 0) {
              sections = ModelFile.loadSections(file);
            } else {
              c = CheckpointFile.read(file, null);
            }
          } catch (IOException e) {
            // the allowed outcome for a bad file
          } catch (Throwable t) { // OutOfMemoryError included
            thrown = t;
            problem = name + " threw " + t;
          }
          long allocated = threads.getCurrentThreadAllocatedBytes() - before;
          if (i >= warmup) {
            tally.allocated(allocated);
            if (problem == null && allocated > (dense ? denseAllowance(input.length)
                : ModelFileFuzzMain.allowance(input.length))) {
              problem = name + " allocated " + allocated + " bytes to read a file of "
                  + input.length;
            }
          }
        }
        if (problem == null && c != null) {
          try {
            problem = sections == null ? "read accepted a file that loadSections refused"
                : disagreement(c, sections);
            if (problem == null) {
              Path again = dir.resolve("again.horn");
              Files.write(again, bytes(c));
              problem = difference(c, CheckpointFile.read(again, null));
            }
          } catch (IOException | RuntimeException e) {
            thrown = e;
            problem = "an accepted checkpoint does not write and read back: " + e;
          }
        }
        tally.record(i, input, c != null, problem, thrown);
      }
    } finally {
      FuzzTally.delete(dir);
    }
    tally.finish(iterations);
  }
}
