package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.MnistData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistConverterTest {
  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return MnistConverter.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  private static String text(ByteArrayOutputStream b) {
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void convertsBothSetsAndReadsBackIdentically() throws Exception {
    Path idx = Files.createDirectory(tmp.resolve("idx"));
    TestData.writeIdxSet(idx, MnistData.TRAIN, 1, 3, 1, 4, 1, 5, 9, 2);
    TestData.writeIdxSet(idx, MnistData.TEST, 2, 6, 5, 3);
    Path outDir = tmp.resolve("seq");

    assertEquals(0, run(idx.toString(), outDir.toString()), text(err));
    String printed = text(out);
    assertTrue(printed.contains("wrote 7 training samples to "), printed);
    assertTrue(printed.contains("wrote 3 test samples to "), printed);
    assertEquals(List.of(".part-00000.crc", "part-00000"), names(outDir.resolve("train")),
        "no temporary file is left");

    for (String[] set : new String[][] {{MnistData.TRAIN, "train"}, {MnistData.TEST, "test"}}) {
      ArrayDataset expected = MnistData.load(idx, set[0]);
      ArrayDataset actual = new SequenceFileDatasetFormat().load(outDir.resolve(set[1]).toString());
      assertEquals(expected.size(), actual.size());
      assertEquals(6, actual.featureCount());
      assertEquals(10, actual.targetCount());
      for (int i = 0; i < expected.size(); i++) {
        for (int j = 0; j < 6; j++) {
          assertEquals(expected.feature(i, j), actual.feature(i, j), "sample " + i);
        }
        for (int k = 0; k < 10; k++) {
          assertEquals(expected.target(i, k), actual.target(i, k), "sample " + i);
        }
      }
      assertArrayEquals(expected.labels(), actual.labels());
    }
  }

  @Test
  void keysAreSampleIndicesInOrder() throws IOException {
    org.apache.hadoop.fs.Path file = TestData.writeSamples(tmp.resolve("f"), 100, 5, 3);
    List<Long> keys = new ArrayList<>();
    List<Float> ids = new ArrayList<>();
    try (SequenceFile.Reader r =
        new SequenceFile.Reader(new Configuration(), SequenceFile.Reader.file(file))) {
      assertEquals(LongWritable.class, r.getKeyClass());
      assertEquals(SampleWritable.class, r.getValueClass());
      assertEquals(SequenceFile.CompressionType.NONE, r.getCompressionType());
      LongWritable k = new LongWritable();
      SampleWritable v = new SampleWritable();
      while (r.next(k, v)) {
        keys.add(k.get());
        ids.add(v.features()[0]);
      }
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), keys);
    assertEquals(List.of(100f, 101f, 102f, 103f, 104f), ids);
  }

  @Test
  void writeReplacesAnExistingFile() throws IOException {
    TestData.writeSamples(tmp.resolve("f"), 0, 9, 2);
    TestData.writeSamples(tmp.resolve("f"), 50, 4, 2);
    ArrayDataset d = new SequenceFileDatasetFormat().load(tmp.resolve("f").toString());
    assertEquals(4, d.size());
    assertEquals(50f, d.feature(0, 0));
  }

  @Test
  void failedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    TestData.writeSamples(tmp.resolve("f"), 0, 3, 2);
    ArrayDataset good = TestData.samples(0, 10, 2);
    Dataset failing = new Dataset() {
      @Override
      public int size() {
        return good.size();
      }

      @Override
      public int featureCount() {
        return good.featureCount();
      }

      @Override
      public int targetCount() {
        return good.targetCount();
      }

      @Override
      public void fill(int[] order, int from, int n, float[] x, int xLd, float[] t) {
        if (order[from] == 6) {
          throw new IllegalStateException("disk on fire");
        }
        good.fill(order, from, n, x, xLd, t);
      }

      @Override
      public int label(int i) {
        return good.label(i);
      }
    };
    assertThrows(IllegalStateException.class, () -> MnistConverter.write(failing,
        TestData.hadoopPath(tmp.resolve("f")), new Configuration()));
    assertEquals(List.of(".f.crc", "f"), names(tmp));
    assertEquals(3, new SequenceFileDatasetFormat().load(tmp.resolve("f").toString()).size());
  }

  @Test
  void wrongArgumentCountPrintsUsageAndExits2() {
    assertEquals(2, run());
    String e = text(err);
    assertTrue(e.startsWith("horn: Missing required parameters: '<mnist-dir>', '<out-dir>'"), e);
    assertTrue(e.contains("usage: bin/horn convert-mnist [OPTIONS] <mnist-dir> <out-dir>"), e);
    assertEquals("", text(out));
  }

  @Test
  void missingInputDirectoryPrintsUsageAndExits2() {
    Path missing = tmp.resolve("nope");
    assertEquals(2, run(missing.toString(), tmp.resolve("out").toString()));
    assertTrue(text(err).startsWith("horn: <mnist-dir>: not a directory: " + missing),
        text(err));
  }

  @Test
  void missingTestSetFailsBeforeWritingAnything() throws IOException {
    Path idx = Files.createDirectory(tmp.resolve("idx"));
    TestData.writeIdxSet(idx, MnistData.TRAIN, 1, 3, 1, 4);
    Path outDir = tmp.resolve("seq");
    assertEquals(1, run(idx.toString(), outDir.toString()));
    assertTrue(text(err).startsWith("horn: no such file: "), text(err));
    assertTrue(text(err).contains("t10k-images-idx3-ubyte"), text(err));
    assertFalse(Files.exists(outDir));
  }

  @Test
  void helpGoesToStdoutWithStatus0() {
    assertEquals(0, run("--help"));
    assertTrue(text(out).startsWith("Usage: bin/horn convert-mnist"), text(out));
  }
}
