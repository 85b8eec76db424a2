package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.horn.core.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelFile#load} and {@link ModelFile#readHeader} against files a torn write, bit rot or
 * a hostile writer can leave: valid models round trip, and seeded mutations end in an accepted
 * model or an IOException (DataFormatException for bad content), never another throwable or an
 * allocation out of proportion to the file.
 *
 * <p>The fuzz loops run in a child JVM with a 64 MB heap ({@link ModelFileFuzzMain}), where an
 * allocation from a corrupt count is an OutOfMemoryError rather than a pass.
 */
class ModelFileFuzzTest {
  private static final Pattern SUMMARY = Pattern.compile(
      "FUZZ (\\S+) seed=(-?\\d+) iterations=(\\d+) accepted=(\\d+) rejected=(\\d+) forbidden=0 "
          + "maxAllocated=(\\d+)");

  @TempDir Path dir;

  private static Model model(ModelFileFuzzMain.Fields f) {
    return new Model(NetworkSpec.parse(f.spec, null), f.params, metadata(f));
  }

  private static Map<String, String> metadata(ModelFileFuzzMain.Fields f) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String[] e : f.metadata) {
      m.put(e[0], e[1]);
    }
    return m;
  }

  /**
   * Random valid models: saved and read back (twice, the reader keeps no state) they are the
   * same, bit for bit; and the fuzz's own encoder writes exactly ModelFile's bytes, so the fields
   * it edits are the fields ModelFile reads.
   */
  @Test
  void validModelsRoundTripAndTheFuzzEncoderWritesTheSameBytes() throws IOException {
    Random r = new Random(3);
    Path p = dir.resolve("m.horn");
    for (int i = 0; i < 60; i++) {
      int[] sizes = new int[2 + r.nextInt(4)];
      for (int l = 0; l < sizes.length; l++) {
        sizes[l] = 1 + r.nextInt(40);
      }
      ModelFileFuzzMain.Fields f = ModelFileFuzzMain.Fields.valid(r, sizes, true);
      Model m = model(f);
      ModelFile.save(m, p);
      assertArrayEquals(f.encode(), Files.readAllBytes(p), "encoder and ModelFile agree");
      for (int again = 0; again < 2; again++) {
        Model back = ModelFile.load(p, null);
        assertEquals(m.spec(), back.spec());
        assertEquals(m.metadata(), back.metadata());
        assertEquals(ImmutableList.copyOf(m.metadata().keySet()),
            ImmutableList.copyOf(back.metadata().keySet()));
        float[] want = m.parameters();
        float[] got = back.parameters();
        assertEquals(want.length, got.length);
        for (int k = 0; k < want.length; k++) {
          assertEquals(Float.floatToRawIntBits(want[k]), Float.floatToRawIntBits(got[k]));
        }
        ModelHeader h = ModelFile.readHeader(p);
        assertEquals(f.spec, h.specString());
        assertEquals(f.sizes, h.layerSizes());
        assertEquals(f.drops, h.dropRates());
        assertEquals(f.cost, h.cost());
        assertEquals(metadata(f), h.metadata());
        assertEquals(f.params.length, h.parameterCount());
        assertEquals(Files.size(p), h.fileSize());
      }
    }
  }

  private static void fuzz(String mode, long seed, int iterations, boolean expectAccepted)
      throws Exception {
    long t0 = System.nanoTime();
    ChildJvm.Result r = ChildJvm.run("64m", 60, ModelFileFuzzMain.class, mode,
        Long.toString(seed), Integer.toString(iterations));
    double s = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, r.exitCode(), "the fuzz child found forbidden behaviour:\n" + r.output());
    Matcher m = SUMMARY.matcher(r.output());
    assertTrue(m.find(), "no summary line in:\n" + r.output());
    assertEquals(mode, m.group(1));
    assertEquals(Integer.toString(iterations), m.group(3));
    // Enough inputs must get past the checks to test the parser, or the fuzz tests nothing.
    assertTrue(Long.parseLong(m.group(5)) > iterations / 2, m.group());
    if (expectAccepted) {
      assertTrue(Long.parseLong(m.group(4)) > 0, m.group());
    }
    assertTrue(s < 20, "took " + s + " s");
    System.out.println(m.group() + String.format(" (%.1f s)", s));
  }

  @Test
  void mutatedFilesFailTheFrameChecksWithDataFormatExceptions() throws Exception {
    fuzz("raw", 0x4d0de1L, 2000, false);
  }

  @Test
  void mutatedFilesWithTheChecksumMadeRightAreReadOrRefused() throws Exception {
    fuzz("resealed", 0x5ea1edL, 2000, false);
  }

  @Test
  void filesWithEditedFieldsAreReadOrRefused() throws Exception {
    fuzz("fields", 0xf1e1d5L, 2000, true);
  }

  @Test
  void hugeCountsAndStringLengthsInABigFileAllocateInProportion() throws Exception {
    fuzz("big-counts", 0xb16L, 24, false);
  }

  @Test
  void aHugeLayerCountInABigFileAllocatesInProportion() throws Exception {
    fuzz("big-depth", 0xd3e9L, 12, false);
  }

  /**
   * A valid model of layers {@code sizes} whose spec string then loses its last layer
   * ({@code extra} -1) or repeats it ({@code extra} +1); every layer both name agrees.
   */
  private Path specDepthOff(int[] sizes, int extra) throws IOException {
    ModelFileFuzzMain.Fields f = ModelFileFuzzMain.Fields.valid(new Random(1), sizes, true);
    int bar = f.spec.lastIndexOf('|');
    String layers = f.spec.substring(0, bar);
    String last = layers.substring(layers.lastIndexOf(';') + 1);
    f.spec = (extra < 0 ? layers.substring(0, layers.lastIndexOf(';')) : layers + ";" + last)
        + f.spec.substring(bar);
    Path p = dir.resolve("mismatch.horn");
    Files.write(p, f.encode());
    return p;
  }

  @Test
  void aSpecStringWithMoreLayersThanTheTableIsADataFormatException() throws IOException {
    Path p = specDepthOff(new int[] {3, 2}, +1);
    ModelFile.readHeader(p); // the header alone is consistent
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ModelFile.load(p, null));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
  }

  @Test
  void aSpecStringWithFewerLayersThanTheTableIsADataFormatException() throws IOException {
    Path p = specDepthOff(new int[] {3, 2, 2}, -1);
    ModelFile.readHeader(p);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ModelFile.load(p, null));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
  }
}
