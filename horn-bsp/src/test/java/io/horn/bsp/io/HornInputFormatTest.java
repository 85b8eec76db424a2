package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.io.MultiFileRangeSplit.Segment;
import io.horn.core.data.DataFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.io.DataInputBuffer;
import org.apache.hadoop.io.DataOutputBuffer;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSP;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.BSPPeer;
import org.apache.hama.bsp.InputSplit;
import org.apache.hama.bsp.NullOutputFormat;
import org.apache.hama.bsp.RecordReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HornInputFormatTest {
  @TempDir Path tmp;

  private final HornInputFormat format = new HornInputFormat();
  private BSPJob job;
  /** The keys {@link #read} saw, in reading order over all splits. */
  private final List<Long> keys = new ArrayList<>();

  private InputSplit[] splits(int n, org.apache.hadoop.fs.Path... inputs) throws Exception {
    job = TestData.withHamaLoader(() -> TestData.job(inputs));
    InputSplit[] splits = format.getSplits(job, n);
    assertEquals(n, splits.length, "one split per worker");
    return splits;
  }

  /** The first feature (the sample id) of every record of each split, checking keys on the way. */
  private List<List<Float>> read(InputSplit... splits) throws IOException {
    List<List<Float>> out = new ArrayList<>();
    for (InputSplit s : splits) {
      List<Float> ids = new ArrayList<>();
      RecordReader<LongWritable, SampleWritable> r = format.getRecordReader(s, job);
      try {
        LongWritable key = r.createKey();
        SampleWritable value = r.createValue();
        while (r.next(key, value)) {
          ids.add(value.features()[0]);
          keys.add(key.get());
          assertTrue(r.getProgress() <= 1f);
        }
        assertEquals(s.getLength(), r.getPos(), "a finished split reports all its bytes");
      } finally {
        r.close();
      }
      out.add(ids);
    }
    return out;
  }

  /** Asserts that {@code perSplit} holds each of {@code expected} once, and no split is empty. */
  private static void assertEachOnce(List<List<Float>> perSplit, float... expected) {
    List<Float> all = new ArrayList<>();
    for (List<Float> ids : perSplit) {
      assertFalse(ids.isEmpty(), "an empty split in " + perSplit);
      all.addAll(ids);
    }
    Collections.sort(all);
    float[] got = new float[all.size()];
    for (int i = 0; i < got.length; i++) {
      got[i] = all.get(i);
    }
    Arrays.sort(expected);
    assertArrayEquals(expected, got);
  }

  private static float[] ids(int from, int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = from + i;
    }
    return out;
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int k = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, k, p.length);
      k += p.length;
    }
    return out;
  }

  /** Asserts that the splits' segments tile every file from byte 0 to its end. */
  private static void assertCoverEveryByte(InputSplit[] splits, Path... files) throws IOException {
    Map<String, TreeMap<Long, Long>> byFile = new HashMap<>();
    for (InputSplit s : splits) {
      for (Segment seg : ((MultiFileRangeSplit) s).getSegments()) {
        assertTrue(seg.getLength() > 0, "empty segment " + seg);
        byFile.computeIfAbsent(seg.getPath().toUri().getPath(), k -> new TreeMap<>())
            .put(seg.getStart(), seg.getEnd());
      }
    }
    assertEquals(files.length, byFile.size(), byFile.toString());
    for (Path f : files) {
      long next = 0;
      for (Map.Entry<Long, Long> e : byFile.get(f.toString()).entrySet()) {
        assertEquals(next, (long) e.getKey(), "gap or overlap in " + f);
        next = e.getValue();
      }
      assertEquals(Files.size(f), next, f + " covered to its end");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7})
  void oneFileIsReadOnceAndEvenly(int n) throws Exception {
    Path file = tmp.resolve("part-00000");
    TestData.writeSamples(file, 0, 60, 20);
    InputSplit[] splits = splits(n, TestData.hadoopPath(file));
    assertCoverEveryByte(splits, file);
    List<List<Float>> got = read(splits);
    assertEachOnce(got, ids(0, 60));
    List<Long> expectedKeys = new ArrayList<>();
    for (List<Float> split : got) {
      for (float id : split) {
        expectedKeys.add((long) id); // the file's sample index, which is also its id here
      }
    }
    assertEquals(expectedKeys, keys);
    long total = Files.size(file);
    long record = 4 + 4 + 8 + 8 + 4 * 22 + 20; // lengths, key, counts, floats, sync mark
    for (int i = 0; i < n; i++) {
      long len = splits[i].getLength();
      assertTrue(Math.abs(len - total / n) <= 2 * record + 200, "split " + i + " has " + len
          + " of " + total + " bytes");
      assertTrue(Math.abs(got.get(i).size() - 60.0 / n) <= 2.5, got.toString());
      assertEquals("localhost", splits[i].getLocations()[0]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7})
  void threeFilesAreReadOnceAcrossSplitsThatSpanThem(int n) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("part-00000"), 0, 17, 20);
    TestData.writeSamples(dir.resolve("part-00001"), 100, 23, 20);
    TestData.writeSamples(dir.resolve("part-00002"), 200, 11, 20);
    Files.write(dir.resolve("_SUCCESS"), new byte[0]);
    InputSplit[] splits = splits(n, TestData.hadoopPath(dir));
    assertCoverEveryByte(splits, dir.resolve("part-00000"), dir.resolve("part-00001"),
        dir.resolve("part-00002"));
    List<List<Float>> got = read(splits);
    assertEachOnce(got, concat(ids(0, 17), ids(100, 23), ids(200, 11)));
    long total = 0;
    for (InputSplit s : splits) {
      total += s.getLength();
    }
    for (int i = 0; i < n; i++) {
      assertTrue(Math.abs(splits[i].getLength() - total / n) <= 2 * 132 + 3 * 200,
          "split " + i + ": " + splits[i]);
      assertTrue(Math.abs(got.get(i).size() - 51.0 / n) <= 4, got.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7})
  void filesWithManyRecordsPerSyncBlockDivideAtTheirSyncMarks(int n) throws Exception {
    Path file = tmp.resolve("plain");
    TestData.writePlain(file, 0, 500, 2, 0); // ~40-byte records, a sync mark every 2000 bytes
    InputSplit[] splits = splits(n, TestData.hadoopPath(file));
    assertCoverEveryByte(splits, file);
    assertEachOnce(read(splits), ids(0, 500));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7})
  void blockCompressedFilesDivideAtTheirBlocks(int n) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    TestData.writePlain(a, 0, 300, 2, 400);
    TestData.writePlain(b, 1000, 10, 2, 400);
    InputSplit[] splits = splits(n, TestData.hadoopPath(a), TestData.hadoopPath(b));
    assertEachOnce(read(splits), concat(ids(0, 300), ids(1000, 10)));
  }

  @Test
  void aWorkerPerSampleIsFineButNoMore() throws Exception {
    Path file = tmp.resolve("f");
    TestData.writeSamples(file, 0, 5, 3);
    List<List<Float>> got = read(splits(5, TestData.hadoopPath(file)));
    for (List<Float> ids : got) {
      assertEquals(1, ids.size(), got.toString());
    }
    IOException e = assertThrows(IOException.class, () -> splits(7, TestData.hadoopPath(file)));
    assertEquals("7 workers but only 5 samples in " + TestData.hadoopPath(file), e.getMessage());
  }

  @Test
  void everyGroupGetsTheWholeInputWhenSplitsAreCopied() throws Exception {
    Path file = tmp.resolve("copied");
    TestData.writeSamples(file, 0, 60, 3);
    job = TestData.withHamaLoader(() -> TestData.job(TestData.hadoopPath(file)));
    job.getConfiguration().setInt(HornInputFormat.COPIES_KEY, 3);
    InputSplit[] splits = format.getSplits(job, 6); // 3 groups of 2
    assertEquals(6, splits.length);
    for (int g = 0; g < 3; g++) {
      // Each group's two splits are the two halves of the whole input, as group 0's.
      assertEachOnce(read(splits[2 * g], splits[2 * g + 1]), ids(0, 60));
      assertEquals(splits[0].getLength(), splits[2 * g].getLength());
    }
    job.getConfiguration().setInt(HornInputFormat.COPIES_KEY, 4);
    assertThrows(IllegalArgumentException.class, () -> format.getSplits(job, 6));
  }

  @Test
  void tooFewSyncBlocksForTheWorkersIsExplained() throws Exception {
    Path file = tmp.resolve("plain");
    TestData.writePlain(file, 0, 120, 2, 0);
    IOException e = assertThrows(IOException.class, () -> splits(7, TestData.hadoopPath(file)));
    assertTrue(e.getMessage().startsWith("7 workers but the 120 samples in "), e.getMessage());
    assertTrue(e.getMessage().contains(" sync blocks"), e.getMessage());
  }

  @Test
  void arbitraryByteRangesReadEveryRecordOnce() throws Exception {
    Path perRecord = tmp.resolve("per-record");
    Path plain = tmp.resolve("plain");
    Path block = tmp.resolve("block");
    TestData.writeSamples(perRecord, 0, 40, 3);
    TestData.writePlain(plain, 0, 300, 2, 0);
    TestData.writePlain(block, 0, 200, 2, 300);
    job = TestData.withHamaLoader(() -> TestData.job());
    Random r = new Random(42);
    for (Path file : new Path[] {perRecord, plain, block}) {
      long len = Files.size(file);
      int count = file == perRecord ? 40 : file == plain ? 300 : 200;
      for (int trial = 0; trial < 60; trial++) {
        // Cuts anywhere, the header included: ranges that partition the file.
        long[] cuts = new long[2 + r.nextInt(8)];
        cuts[cuts.length - 1] = len;
        for (int i = 1; i < cuts.length - 1; i++) {
          cuts[i] = trial % 3 == 0 ? 1 + r.nextInt(200) : 1 + (long) (r.nextDouble() * (len - 1));
        }
        Arrays.sort(cuts);
        List<InputSplit> ranges = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.length; i++) {
          ranges.add(new MultiFileRangeSplit(List.of(new Segment(TestData.hadoopPath(file),
              cuts[i], cuts[i + 1] - cuts[i])), new String[0]));
        }
        List<Float> all = new ArrayList<>();
        for (List<Float> ids : read(ranges.toArray(new InputSplit[0]))) {
          all.addAll(ids);
        }
        Collections.sort(all);
        assertEquals(count, all.size(), file + " cut at " + Arrays.toString(cuts));
        for (int i = 0; i < count; i++) {
          assertEquals(i, all.get(i), 0f, file + " cut at " + Arrays.toString(cuts));
        }
      }
    }
  }

  @Test
  void splitsSurviveSerialization() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("a"), 0, 7, 3);
    TestData.writeSamples(dir.resolve("b"), 100, 9, 3);
    InputSplit[] splits = splits(3, TestData.hadoopPath(dir));
    InputSplit[] copies = new InputSplit[splits.length];
    for (int i = 0; i < splits.length; i++) {
      DataOutputBuffer out = new DataOutputBuffer();
      splits[i].write(out);
      DataInputBuffer in = new DataInputBuffer();
      in.reset(out.getData(), out.getLength());
      MultiFileRangeSplit copy = new MultiFileRangeSplit();
      copy.readFields(in);
      assertEquals(((MultiFileRangeSplit) splits[i]).getSegments(), copy.getSegments());
      assertEquals(splits[i].getLength(), copy.getLength());
      copies[i] = copy;
    }
    assertEquals(read(splits), read(copies));
  }

  @Test
  void missingOrEmptyInputIsNamed() throws Exception {
    org.apache.hadoop.fs.Path missing = TestData.hadoopPath(tmp.resolve("missing"));
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> splits(2, missing));
    assertEquals("training data path does not exist: " + missing, e.getMessage());

    Path empty = Files.createDirectory(tmp.resolve("empty"));
    Files.write(empty.resolve("_SUCCESS"), new byte[0]);
    IOException e2 =
        assertThrows(IOException.class, () -> splits(2, TestData.hadoopPath(empty)));
    assertTrue(e2.getMessage().startsWith("no data files in "), e2.getMessage());
    assertTrue(e2.getMessage().contains(empty.toString()), e2.getMessage());

    IOException e3 = assertThrows(IOException.class, () -> splits(2));
    assertTrue(e3.getMessage().startsWith("the job has no input path"), e3.getMessage());
  }

  @Test
  void filesThatAreNotSampleSequenceFilesFailAtPlanning() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("a"), 0, 7, 3);
    Files.write(dir.resolve("b.txt"), "hello".getBytes());
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> splits(2, TestData.hadoopPath(dir)));
    assertTrue(e.getMessage().endsWith("b.txt is not a SequenceFile (it does not start with"
        + " the bytes SEQ)"), e.getMessage());
  }

  @Test
  void corruptRecordsFailWithTheFileAndByte() throws Exception {
    Path file = tmp.resolve("f");
    TestData.writeSamples(file, 0, 30, 3);
    byte[] bytes = Files.readAllBytes(file);
    long header;
    try (SequenceFile.Reader r = new SequenceFile.Reader(TestData.conf(),
        SequenceFile.Reader.file(TestData.hadoopPath(file)))) {
      header = r.getPosition();
    }
    for (int i = (int) header + bytes.length / 2; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 7 + 3);
    }
    Path corrupt = tmp.resolve("corrupt");
    Files.write(corrupt, bytes);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> read(splits(2, TestData.hadoopPath(corrupt))));
    assertTrue(e.getMessage().startsWith("file:" + corrupt), e.getMessage());
    assertTrue(e.getMessage().contains(" byte "), e.getMessage());
  }

  /** Collects what each peer of a local Hama job reads. */
  public static class CollectingBsp
      extends BSP<LongWritable, SampleWritable, NullWritable, NullWritable, NullWritable> {
    static final Map<Integer, List<Float>> SEEN = new ConcurrentHashMap<>();

    @Override
    public void bsp(
        BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, NullWritable> peer)
        throws IOException {
      List<Float> ids = new ArrayList<>();
      LongWritable key = new LongWritable();
      SampleWritable value = new SampleWritable();
      while (peer.readNext(key, value)) {
        ids.add(value.features()[0]);
      }
      SEEN.put(peer.getPeerIndex(), ids);
    }
  }

  @Test
  void aLocalHamaJobReadsEverySampleOnceOverItsPeers() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("a"), 0, 20, 4);
    TestData.writeSamples(dir.resolve("b"), 100, 13, 4);
    CollectingBsp.SEEN.clear();
    boolean ok = TestData.withHamaLoader(() -> {
      HamaConfiguration conf = new HamaConfiguration();
      conf.set("bsp.master.address", "local");
      conf.set("bsp.local.dir", tmp.resolve("hama-local").toString());
      BSPJob j = new BSPJob(conf, HornInputFormatTest.class);
      j.setJobName("HornInputFormatTest");
      j.setBspClass(CollectingBsp.class);
      j.setInputPath(TestData.hadoopPath(dir));
      j.setInputFormat(HornInputFormat.class);
      j.setInputKeyClass(LongWritable.class);
      j.setInputValueClass(SampleWritable.class);
      j.setOutputFormat(NullOutputFormat.class);
      j.setOutputKeyClass(NullWritable.class);
      j.setOutputValueClass(NullWritable.class);
      j.setNumBspTask(3);
      return j.waitForCompletion(false);
    });
    assertTrue(ok, "the job succeeded");
    assertEquals(3, CollectingBsp.SEEN.size(), CollectingBsp.SEEN.toString());
    assertEachOnce(new ArrayList<>(CollectingBsp.SEEN.values()),
        concat(ids(0, 20), ids(100, 13)));
  }
}
