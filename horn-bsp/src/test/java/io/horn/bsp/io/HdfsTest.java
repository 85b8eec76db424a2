package io.horn.bsp.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.LongWritable;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.InputSplit;
import org.apache.hama.bsp.RecordReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same code paths on HDFS, through a MiniDFSCluster. Reached by reflection and skipped when
 * the Hadoop HDFS test jar is not on the test class path, since this package must not depend on
 * it to compile.
 */
class HdfsTest {
  @TempDir static Path tmp;

  private static Object cluster;
  private static String root;

  @BeforeAll
  static void startHdfs() throws Exception {
    Class<?> builderClass;
    try {
      builderClass = Class.forName("org.apache.hadoop.hdfs.MiniDFSCluster$Builder");
    } catch (ClassNotFoundException e) {
      Assumptions.abort("no MiniDFSCluster on the test class path");
      return;
    }
    Configuration conf = new Configuration();
    conf.set("hdfs.minidfs.basedir", tmp.resolve("dfs").toString());
    Object builder = builderClass.getConstructor(Configuration.class).newInstance(conf);
    builderClass.getMethod("numDataNodes", int.class).invoke(builder, 1);
    cluster = builderClass.getMethod("build").invoke(builder);
    FileSystem fs = (FileSystem) cluster.getClass().getMethod("getFileSystem").invoke(cluster);
    root = fs.getUri() + "/horn";
  }

  @AfterAll
  static void stopHdfs() throws Exception {
    if (cluster != null) {
      cluster.getClass().getMethod("shutdown").invoke(cluster);
    }
  }

  @Test
  void checkpointsOnHdfsAreKeptPrunedAndReadBack() throws Exception {
    io.horn.bsp.checkpoint.CheckpointStore store = new io.horn.bsp.checkpoint.CheckpointStore(
        new org.apache.hadoop.fs.Path(root + "/checkpoints"), new Configuration(), 2);
    for (long s = 1; s <= 3; s++) {
      store.write(io.horn.bsp.checkpoint.CheckpointStoreTest.checkpoint(s, 6));
    }
    assertEquals(2, store.list().size());
    assertTrue(store.directory().toString().startsWith("hdfs://"), store.directory().toString());
    assertEquals(3, store.newest(null).checkpoint().sequence());
    assertEquals(30, store.newest(null).checkpoint().group(0).steps());
  }

  @Test
  void writesLoadsAndSplitsOnHdfs() throws Exception {
    MnistConverter.write(TestData.samples(0, 30, 5),
        new org.apache.hadoop.fs.Path(root + "/data/part-00000"), new Configuration());
    MnistConverter.write(TestData.samples(100, 12, 5),
        new org.apache.hadoop.fs.Path(root + "/data/part-00001"), new Configuration());

    Dataset d = Datasets.open(root + "/data");
    assertEquals(42, d.size());
    assertEquals(100f, ((ArrayDataset) d).feature(30, 0));
    assertArrayEquals(new int[] {5, 2},
        SequenceFileDatasetFormat.firstRecordWidths(root + "/data", new Configuration()));

    BSPJob job = TestData.withHamaLoader(
        () -> TestData.job(new org.apache.hadoop.fs.Path(root + "/data")));
    HornInputFormat format = new HornInputFormat();
    InputSplit[] splits = format.getSplits(job, 4);
    assertEquals(4, splits.length);
    int records = 0;
    for (InputSplit s : splits) {
      assertTrue(s.getLocations().length > 0, "a datanode holds " + s);
      RecordReader<LongWritable, SampleWritable> r = format.getRecordReader(s, job);
      LongWritable k = r.createKey();
      SampleWritable v = r.createValue();
      while (r.next(k, v)) {
        records++;
      }
      r.close();
    }
    assertEquals(42, records);
  }

  @Test
  void csvOnHdfsLoadsAndSplitsAtLines() throws Exception {
    FileSystem fs = (FileSystem) cluster.getClass().getMethod("getFileSystem").invoke(cluster);
    for (int f = 0; f < 2; f++) {
      try (java.io.Writer w = new java.io.OutputStreamWriter(fs.create(
          new org.apache.hadoop.fs.Path(root + "/text/part-" + f)),
          java.nio.charset.StandardCharsets.UTF_8)) {
        w.write("label,id,x\n");
        for (int i = 0; i < 20; i++) {
          w.write((i % 3) + "," + (f * 20 + i) + ",0.5\n");
        }
      }
    }
    DataShape shape = new DataShape(2, 3);
    // A directory on HDFS is text by its format= option; a file also by its name.
    Dataset d = Datasets.open(root + "/text#format=csv", shape);
    assertEquals(40, d.size());
    assertEquals(39f, ((ArrayDataset) d).feature(39, 0));
    assertEquals(CsvDatasetFormat.class, Datasets.formats().get(0).getClass());
    assertTrue(new CsvDatasetFormat().accepts(root + "/text/x.csv"));

    int records = TestData.withHamaLoader(() -> {
      BSPJob job = new BSPJob(new org.apache.hama.HamaConfiguration());
      TextSampleInputFormat.configure(job, root + "/text#format=csv", shape);
      TextSampleInputFormat format = new TextSampleInputFormat();
      int n = 0;
      for (InputSplit s : format.getSplits(job, 3)) {
        assertTrue(s.getLocations().length > 0, "a datanode holds " + s);
        RecordReader<LongWritable, SampleWritable> r = format.getRecordReader(s, job);
        LongWritable k = r.createKey();
        SampleWritable v = r.createValue();
        while (r.next(k, v)) {
          n++;
        }
        r.close();
      }
      return n;
    });
    assertEquals(40, records);
  }

  @Test
  void aMissingHdfsPathIsReportedAsMissing() {
    String missing = root + "/no/such/data";
    FileNotFoundException e =
        assertThrows(FileNotFoundException.class, () -> Datasets.open(missing));
    assertEquals("training data path does not exist: " + missing, e.getMessage());
  }
}
