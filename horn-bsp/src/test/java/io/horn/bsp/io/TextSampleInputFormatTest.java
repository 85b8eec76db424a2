package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.data.DataFormatException;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.io.LongWritable;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.InputSplit;
import org.apache.hama.bsp.RecordReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text data split over workers at line boundaries: every sample read exactly once whatever the
 * number of splits, headers and blank lines skipped, and a bad line named by its line number in
 * the file even when a split starts in the middle of it.
 */
class TextSampleInputFormatTest {
  private static final DataShape SHAPE = new DataShape(3, 4);

  @TempDir Path dir;

  /** Sample {@code id}'s line: id as the first feature, class id % 4. */
  private static String csvLine(int id) {
    return (id % 4) + "," + id + "," + (id * 0.5f) + ",-1";
  }

  /** Writes ids [from, from+n) as CSV with a header, a blank line and CRLF endings. */
  private Path writeCsv(String name, int from, int n) throws IOException {
    StringBuilder sb = new StringBuilder("label,id,half,minus\r\n");
    for (int i = from; i < from + n; i++) {
      sb.append(csvLine(i)).append(i % 7 == 3 ? "\r\n\r\n" : "\r\n");
    }
    Path p = dir.resolve(name);
    Files.write(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    return p;
  }

  private static List<Integer> readAll(String path, int workers) throws Exception {
    return TestData.withHamaLoader(() -> {
      BSPJob job = new BSPJob(new org.apache.hama.HamaConfiguration());
      TextSampleInputFormat.configure(job, path, SHAPE);
      job.getConfiguration().setInt(HornInputFormat.SPLITS_KEY, workers);
      TextSampleInputFormat format = new TextSampleInputFormat();
      InputSplit[] splits = format.getSplits(job, workers);
      assertEquals(workers, splits.length);
      List<Integer> ids = new ArrayList<>();
      for (InputSplit s : splits) {
        int before = ids.size();
        RecordReader<LongWritable, SampleWritable> r = format.getRecordReader(s, job);
        try {
          LongWritable k = r.createKey();
          SampleWritable v = r.createValue();
          while (r.next(k, v)) {
            ids.add((int) v.features()[0]);
            assertEquals(1f, v.targets()[((int) v.features()[0]) % 4]);
          }
          assertEquals(1f, r.getProgress());
        } finally {
          r.close();
        }
        assertTrue(ids.size() > before, "split " + s + " holds no sample");
      }
      return ids;
    });
  }

  @Test
  void everySampleIsReadOnceWhateverTheSplits() throws Exception {
    writeCsv("a.csv", 0, 37);
    writeCsv("b.csv", 37, 5);
    writeCsv("c.csv", 42, 61);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 103; i++) {
      expected.add(i);
    }
    for (int workers = 1; workers <= 9; workers++) {
      assertEquals(expected, readAll(dir.toString(), workers), workers + " workers");
    }
    // The same samples as reading the whole directory in one process.
    Dataset all = Datasets.open(dir.toString(), SHAPE);
    assertEquals(103, all.size());
  }

  @Test
  void libSvmSplitsToo() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      sb.append(i % 4).append(" 1:").append(i).append(i % 2 == 0 ? " 3:-1" : "").append('\n');
    }
    Path p = dir.resolve("d.libsvm");
    Files.write(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    for (int workers = 1; workers <= 5; workers++) {
      List<Integer> ids = readAll(p.toString(), workers);
      assertEquals(50, ids.size());
      for (int i = 0; i < 50; i++) {
        assertEquals(i, (int) ids.get(i));
      }
    }
  }

  @Test
  void badLineInALaterSplitIsNamedByItsLineInTheFile() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append(i == 150 ? "1,2,oops,4" : csvLine(i)).append('\n');
    }
    Path p = dir.resolve("bad.csv");
    Files.write(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    DataFormatException e = assertThrows(DataFormatException.class, () -> readAll(p.toString(),
        4));
    assertEquals(p + ", line 151, column 3: feature 'oops' is not a number", e.getMessage());
  }

  @Test
  void aMissingFileIsNamedAsGiven() {
    String missing = dir.resolve("nope.csv") + "#label=last";
    java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class,
        () -> Datasets.open(missing, SHAPE));
    assertEquals("training data path does not exist: " + dir.resolve("nope.csv"), e.getMessage());
  }

  @Test
  void moreWorkersThanLinesIsNamed() throws Exception {
    Path p = writeCsv("small.csv", 0, 2);
    IOException e = assertThrows(IOException.class, () -> readAll(p.toString(), 5));
    assertTrue(e.getMessage().startsWith("5 workers but only 3 lines in "), e.getMessage());
  }
}
