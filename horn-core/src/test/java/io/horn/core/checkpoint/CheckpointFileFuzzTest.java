package io.horn.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.model.ChildJvm;
import io.horn.core.model.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointFile#read} and {@link ModelFile#loadSections} against checkpoint files that a
 * torn write, bit rot or a hostile writer can leave: valid checkpoints round trip, and seeded
 * mutations end in a consistent checkpoint or an IOException (DataFormatException for bad
 * content), never another throwable or an allocation out of proportion to the file.
 *
 * <p>The fuzz loops run in a child JVM with a 64 MB heap ({@link CheckpointFileFuzzMain}), where
 * an allocation from a corrupt count is an OutOfMemoryError rather than a pass.
 */
class CheckpointFileFuzzTest {
  private static final Pattern SUMMARY = Pattern.compile(
      "FUZZ (\\S+) seed=(-?\\d+) iterations=(\\d+) accepted=(\\d+) rejected=(\\d+) forbidden=0 "
          + "maxAllocated=(\\d+)");

  @TempDir Path dir;

  /**
   * Random valid checkpoints read back (twice) as themselves, their sections as written; and the
   * fuzz's codec decodes and encodes CheckpointFile's bytes exactly, so that the fields it edits
   * are the fields the reader reads.
   */
  @Test
  void validCheckpointsRoundTripAndTheFuzzCodecWritesTheSameBytes() throws Exception {
    Random r = new Random(11);
    Path p = dir.resolve("c.horn");
    for (int i = 0; i < 60; i++) {
      Checkpoint c = CheckpointFileFuzzMain.smallCheckpoint(r);
      byte[] b = CheckpointFileFuzzMain.bytes(c);
      CheckpointFuzzFields f = CheckpointFuzzFields.decode(b);
      assertArrayEquals(b, f.encode(), "the fuzz's codec and CheckpointFile agree");
      Files.write(p, b);
      for (int again = 0; again < 2; again++) {
        Checkpoint back = CheckpointFile.read(p, null);
        assertNull(CheckpointFileFuzzMain.difference(c, back));
        Map<String, float[]> sections = ModelFile.loadSections(p);
        assertNull(CheckpointFileFuzzMain.disagreement(back, sections));
        assertEquals(f.sections.size(), sections.size());
      }
    }
  }

  private static void fuzz(String mode, long seed, int iterations, boolean expectAccepted)
      throws Exception {
    long t0 = System.nanoTime();
    ChildJvm.Result r = ChildJvm.run("64m", 60, CheckpointFileFuzzMain.class, mode,
        Long.toString(seed), Integer.toString(iterations));
    double s = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, r.exitCode(), "the fuzz child found forbidden behaviour:\n" + r.output());
    Matcher m = SUMMARY.matcher(r.output());
    assertTrue(m.find(), "no summary line in:\n" + r.output());
    assertEquals(mode, m.group(1));
    assertEquals(Integer.toString(iterations), m.group(3));
    // Enough inputs must be refused by the parser, not only accepted, or the fuzz tests nothing.
    assertTrue(Long.parseLong(m.group(5)) > iterations / 2, m.group());
    if (expectAccepted) {
      assertTrue(Long.parseLong(m.group(4)) > 0, m.group());
    }
    assertTrue(s < 20, "took " + s + " s");
    System.out.println(m.group() + String.format(" (%.1f s)", s));
  }

  @Test
  void mutatedCheckpointsFailTheFrameChecks() throws Exception {
    fuzz("raw", 0xc4e0L, 1500, false);
  }

  @Test
  void mutatedCheckpointsWithTheChecksumMadeRightAreReadOrRefused() throws Exception {
    fuzz("resealed", 0xc4e1L, 1500, false);
  }

  @Test
  void checkpointsWithEditedEntriesAndSectionsAreReadConsistentlyOrRefused() throws Exception {
    fuzz("fields", 0xc4e2L, 2500, true);
  }

  @Test
  void hugeCountsInABigCheckpointAllocateInProportion() throws Exception {
    fuzz("big", 0xc4e3L, 20, false);
  }
}
