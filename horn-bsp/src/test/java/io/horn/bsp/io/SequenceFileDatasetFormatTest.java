package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.Dataset;
import io.horn.core.data.DatasetFormat;
import io.horn.core.data.Datasets;
import io.horn.core.data.MnistData;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceFileDatasetFormatTest {
  @TempDir Path tmp;

  private final SequenceFileDatasetFormat format = new SequenceFileDatasetFormat();

  private static float[] ids(Dataset d) {
    ArrayDataset a = (ArrayDataset) d;
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.feature(i, 0);
    }
    return out;
  }

  private static float[] range(int from, int to) {
    float[] out = new float[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  @Test
  void acceptsSequenceFilesAndDirectoriesOfThemByTheirMagic() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("x.idx"), 0, 2, 3); // the name is no hint
    assertTrue(format.accepts(dir.toString()));
    assertTrue(format.accepts(dir.resolve("x.idx").toString()));
    assertTrue(format.accepts(dir.toUri().toString()), dir.toUri().toString());
    assertTrue(format.accepts("file:" + dir));
  }

  @Test
  void acceptsConverterOutputThroughItsTrainDirectory() throws IOException {
    Path out = tmp.resolve("seq");
    TestData.writeSamples(out.resolve("train").resolve("part-00000"), 0, 4, 2);
    TestData.writeSamples(out.resolve("test").resolve("part-00000"), 100, 2, 2);
    assertTrue(format.accepts(out.toString()));
    assertArrayEquals(range(0, 4), ids(format.load(out.toString())));
  }

  @Test
  void declinesWhatIsNotItsOwn() throws IOException {
    Path idx = Files.createDirectory(tmp.resolve("idx"));
    TestData.writeIdxSet(idx, MnistData.TRAIN, 0, 1, 2);
    assertFalse(format.accepts(idx.toString()));
    assertFalse(format.accepts(idx.resolve("train-images-idx3-ubyte").toString()));
    assertFalse(format.accepts(tmp.resolve("missing").toString()));
    assertFalse(format.accepts(""));
    assertFalse(format.accepts(" "));
    assertFalse(format.accepts(null));
    assertFalse(format.accepts("s3a://bucket/data"));
    Path hiddenOnly = Files.createDirectory(tmp.resolve("hidden"));
    TestData.writeSamples(hiddenOnly.resolve("_part"), 0, 2, 2);
    assertFalse(format.accepts(hiddenOnly.toString()), "only a hidden file (and its .crc)");
    Files.write(tmp.resolve("short"), new byte[] {'S', 'E'});
    assertFalse(format.accepts(tmp.resolve("short").toString()));
  }

  @Test
  void acceptsHdfsPathsWithoutLooking() {
    assertTrue(format.accepts("hdfs://namenode:8020/data/mnist"));
    assertTrue(format.accepts("HDFS://namenode/data"));
    assertTrue(format.accepts("webhdfs://namenode:9870/data"));
  }

  @Test
  void pathsWithoutSchemeAreLocalWhateverTheDefaultFileSystem() {
    assertEquals("hdfs://nn:8020/data",
        SequenceFileDatasetFormat.toHadoopPath("hdfs://nn:8020/data").toString());
    org.apache.hadoop.fs.Path local = SequenceFileDatasetFormat.toHadoopPath("rel/data");
    assertEquals("file", local.toUri().getScheme());
    assertEquals(Path.of("rel/data").toAbsolutePath().toString(), local.toUri().getPath());
  }

  @Test
  void loadsEveryVisibleFileInNameOrder() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("part-00002"), 20, 3, 4);
    TestData.writeSamples(dir.resolve("part-00000"), 0, 5, 4);
    TestData.writePlain(dir.resolve("part-00001"), 10, 2, 4, 0);
    TestData.writeSamples(dir.resolve("_unfinished"), 99, 1, 4);
    Files.write(dir.resolve("_SUCCESS"), new byte[0]);
    ArrayDataset d = format.load(dir.toString());
    assertEquals(10, d.size());
    assertEquals(4, d.featureCount());
    assertEquals(2, d.targetCount());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 10, 11, 20, 21, 22}, ids(d));
    ArrayDataset expected = TestData.samples(0, 5, 4);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(expected.feature(i, j), d.feature(i, j));
      }
      assertEquals(expected.label(i), d.label(i));
    }
  }

  @Test
  void readTakesAnExplicitFileList() throws IOException {
    org.apache.hadoop.fs.Path a = TestData.writeSamples(tmp.resolve("a"), 0, 2, 3);
    org.apache.hadoop.fs.Path b = TestData.writeSamples(tmp.resolve("b"), 5, 3, 3);
    ArrayDataset d = SequenceFileDatasetFormat.read(TestData.list(b, a), TestData.conf());
    assertArrayEquals(new float[] {5, 6, 7, 0, 1}, ids(d));
  }

  @Test
  void samplesOfAnotherWidthNameTheFileAndRecord() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("a"), 0, 3, 4);
    TestData.writeSamples(dir.resolve("b"), 0, 3, 5);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> format.load(dir.toString()));
    assertTrue(e.getMessage().startsWith("file:" + dir.resolve("b")), e.getMessage());
    assertTrue(e.getMessage().contains(", record 0 (byte "), e.getMessage());
    assertTrue(e.getMessage().endsWith("5 features and 2 targets, but the samples before it"
        + " have 4 and 2"), e.getMessage());
  }

  @Test
  void inputWithoutSamplesIsReported() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    MnistConverter.write(TestData.samples(0, 0, 1), TestData.hadoopPath(dir.resolve("empty")),
        TestData.conf());
    IOException e = assertThrows(IOException.class, () -> format.load(dir.toString()));
    assertEquals("no samples in " + dir, e.getMessage());
  }

  @Test
  void otherValueClassesAreReported() throws IOException {
    Path file = tmp.resolve("text");
    try (SequenceFile.Writer w = SequenceFile.createWriter(TestData.conf(),
        SequenceFile.Writer.file(TestData.hadoopPath(file)),
        SequenceFile.Writer.keyClass(LongWritable.class),
        SequenceFile.Writer.valueClass(Text.class))) {
      w.append(new LongWritable(1), new Text("hello"));
    }
    assertTrue(format.accepts(file.toString()));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> format.load(file.toString()));
    assertTrue(e.getMessage().contains("holds values of class org.apache.hadoop.io.Text, not "
        + SampleWritable.class.getName()), e.getMessage());
  }

  @Test
  void garbageAfterTheHeaderIsAClearErrorNotAHugeAllocation() throws IOException {
    Path file = tmp.resolve("f");
    TestData.writeSamples(file, 0, 3, 4);
    byte[] good = Files.readAllBytes(file);
    int header = headerLength(file);
    byte[] bad = Arrays.copyOf(good, good.length);
    // A record length near 2 GiB, then garbage.
    bad[header] = 0x7f;
    for (int i = header + 1; i < bad.length; i++) {
      bad[i] = (byte) (i * 13);
    }
    Path corrupt = tmp.resolve("corrupt");
    Files.write(corrupt, bad);
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> format.load(corrupt.toString()));
    assertTrue(e.getMessage().startsWith("file:" + corrupt), e.getMessage());
    assertTrue(e.getMessage().contains("at byte " + header), e.getMessage());
  }

  @Test
  void truncatedFileIsAClearError() throws IOException {
    Path file = tmp.resolve("f");
    TestData.writeSamples(file, 0, 3, 4);
    byte[] good = Files.readAllBytes(file);
    Path cut = tmp.resolve("cut");
    Files.write(cut, Arrays.copyOf(good, good.length - 5));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> format.load(cut.toString()));
    assertTrue(e.getMessage().startsWith("file:" + cut + " is truncated"),
        e.getMessage());

    Path headerOnly = tmp.resolve("header");
    Files.write(headerOnly, Arrays.copyOf(good, 10));
    e = assertThrows(DataFormatException.class, () -> format.load(headerOnly.toString()));
    assertTrue(e.getMessage().contains("ends inside the SequenceFile header"), e.getMessage());
  }

  @Test
  void firstRecordWidthsReadsOneRecord() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("a"), 0, 3, 7);
    assertArrayEquals(new int[] {7, 2},
        SequenceFileDatasetFormat.firstRecordWidths(dir.toString(), TestData.conf()));
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> SequenceFileDatasetFormat.firstRecordWidths(tmp.resolve("no").toString(),
            TestData.conf()));
    assertTrue(e.getMessage().startsWith("training data path does not exist: "),
        e.getMessage());
  }

  @Test
  void datasetsOpenFindsTheFormatThroughTheServiceLoader() throws IOException {
    List<String> names =
        Datasets.formats().stream().map(DatasetFormat::name).collect(Collectors.toList());
    assertTrue(names.indexOf("seqfile") >= 0 && names.indexOf("seqfile") < names.indexOf("idx"),
        names.toString());

    Path dir = Files.createDirectory(tmp.resolve("data"));
    TestData.writeSamples(dir.resolve("part-00000"), 0, 6, 3);
    Dataset d = Datasets.open(dir.toString());
    assertEquals(6, d.size());
    assertArrayEquals(range(0, 6), ids(d));

    Path idx = Files.createDirectory(tmp.resolve("idx"));
    TestData.writeIdxSet(idx, MnistData.TRAIN, 0, 4, 2);
    assertEquals(2, Datasets.open(idx.toString()).size(), "idx directories stay idx's");

    assertThrows(FileNotFoundException.class,
        () -> Datasets.open(tmp.resolve("missing").toString()));
  }

  /** The header's length: where a reader stands after opening the file. */
  private static int headerLength(Path file) throws IOException {
    try (SequenceFile.Reader r = new SequenceFile.Reader(TestData.conf(),
        SequenceFile.Reader.file(TestData.hadoopPath(file)))) {
      return (int) r.getPosition();
    }
  }
}
