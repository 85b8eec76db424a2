package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hama.HamaConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure checks. {@link SubmitChecks#checkSlots(HamaConfiguration, int, String)} against a real
 * cluster is tested in {@code io.horn.bsp.cluster.LocalClusterTest}, on the cluster it starts.
 */
class SubmitChecksTest {
  private static final String CWD = Paths.get("").toAbsolutePath().toString();

  @Test
  void aJobLargerThanTheClusterIsToldToShrinkOrTheClusterToGrow() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SubmitChecks.checkSlots(5, 3, 0, "2 groups x 2 workers + 1 parameter server"));
    assertEquals("the job needs 5 task slots (2 groups x 2 workers + 1 parameter server), the"
        + " cluster has 3 (bsp.tasks.maximum per GroomServer x grooms); lower horn.workers or add"
        + " GroomServers", e.getMessage());
  }

  @Test
  void aJobLargerThanTheFreeSlotsIsToldWhyNotJustToShrink() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SubmitChecks.checkSlots(3, 4, 2, "1 group x 3 workers"));
    assertEquals("the job needs 3 task slots (1 group x 3 workers), but only 2 of the cluster's 4"
        + " are free (2 run other jobs' tasks, and Hama would run this job with fewer tasks than"
        + " it needs); wait for those jobs to end, or lower horn.workers", e.getMessage());
    // More busy than there are slots (a status read mid-change) counts as none free.
    assertThrows(IllegalArgumentException.class, () -> SubmitChecks.checkSlots(1, 2, 3, "x"));
  }

  @Test
  void aJobThatFitsPasses() {
    SubmitChecks.checkSlots(3, 3, 0, "x");
    SubmitChecks.checkSlots(2, 6, 4, "x");
  }

  @Test
  void badCountsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> SubmitChecks.checkSlots(0, 3, 0, "x"));
    assertThrows(IllegalArgumentException.class, () -> SubmitChecks.checkSlots(1, -1, 0, "x"));
    assertThrows(IllegalArgumentException.class, () -> SubmitChecks.checkSlots(1, 1, -1, "x"));
    assertThrows(NullPointerException.class, () -> SubmitChecks.checkSlots(1, 1, 0, null));
  }

  @Test
  void localModeAsksNoCluster() throws Exception {
    HamaConfiguration conf = new HamaConfiguration();
    conf.set("bsp.master.address", "local");
    // A needed count no cluster has: passing proves nothing was asked.
    SubmitChecks.checkSlots(conf, 1_000_000, "x");
    conf.unset("bsp.master.address");
    SubmitChecks.checkSlots(conf, 1_000_000, "x");
  }

  @Test
  void aRelativePathBecomesAbsolute() {
    assertEquals(CWD + "/data/train.seq", SubmitChecks.absolute("data/train.seq", "training data"));
    assertEquals(CWD + "/model.bin", SubmitChecks.absolute("model.bin", "model"));
    // Not normalised: it names exactly what it named here.
    assertEquals(CWD + "/../x", SubmitChecks.absolute("../x", "test data"));
  }

  @Test
  void anAbsolutePathStaysAsItIs() {
    assertEquals("/data/mnist", SubmitChecks.absolute("/data/mnist", "training data"));
  }

  @Test
  void aPathWithASchemeStaysAsItIs() {
    for (String p : new String[] {"hdfs://nn:8020/data/train", "hdfs:///data/train",
        "file:/data/train", "file:///data/train", "viewfs://cluster/x"}) {
      assertEquals(p, SubmitChecks.absolute(p, "training data"));
    }
  }

  @Test
  void theMnistSetSuffixSurvives() {
    assertEquals(CWD + "/.cache/mnist#t10k", SubmitChecks.absolute(".cache/mnist#t10k", "test"));
    assertEquals("/data/mnist#t10k", SubmitChecks.absolute("/data/mnist#t10k", "test"));
    assertEquals(CWD + "/mnist#train", SubmitChecks.absolute("mnist#train", "test"));
  }

  @Test
  void bothFilesOfAnImagesLabelsPairBecomeAbsolute() {
    assertEquals(CWD + "/imgs.idx," + CWD + "/labels.idx",
        SubmitChecks.absolute("imgs.idx, labels.idx", "training data"));
    assertEquals("/a/imgs," + CWD + "/labels", SubmitChecks.absolute("/a/imgs,labels", "x"));
  }

  @Test
  void anExistingFileWithACommaInItsNameIsOnePath(@TempDir Path dir) throws Exception {
    Path f = Files.createFile(dir.resolve("a,b"));
    // Relative to the working directory, so that only the "exists" rule keeps it whole.
    String relative = Paths.get("").toAbsolutePath().relativize(f).toString();
    String abs = SubmitChecks.absolute(relative, "training data");
    assertTrue(abs.startsWith(CWD + "/"), abs);
    assertEquals(f, Paths.get(abs).normalize());
  }

  @Test
  void aWrittenPathWithoutSchemeStaysLocalWhateverTheDefaultFileSystem() {
    assertEquals("file:" + CWD + "/work/model.bin",
        SubmitChecks.localFile("work/model.bin", "model"));
    assertEquals("file:/models/m.bin", SubmitChecks.localFile("/models/m.bin", "model"));
    assertEquals("file:/a/m#1.bin", SubmitChecks.localFile("/a/m#1.bin", "model"));
    for (String p : new String[] {"hdfs://nn:8020/m.bin", "file:/m.bin", "viewfs:///m", ""}) {
      assertEquals(p, SubmitChecks.localFile(p, "model"));
    }
    // Hadoop reads the result as the local file it named.
    org.apache.hadoop.fs.Path h =
        new org.apache.hadoop.fs.Path(SubmitChecks.localFile("/a/m#1.bin", "model"));
    assertEquals("file", h.toUri().getScheme());
    assertEquals("/a/m#1.bin", h.toUri().getPath());
  }

  @Test
  void anEmptyPathMeansNoneAndStaysEmpty() {
    assertEquals("", SubmitChecks.absolute("", "test data"));
  }

  @Test
  void anInvalidPathIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SubmitChecks.absolute("bad\0name", "training data"));
    assertTrue(e.getMessage().startsWith("the training data path 'bad"), e.getMessage());
    assertTrue(e.getMessage().contains("hdfs://"), e.getMessage());
  }
}
