package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.io.MnistConverter;
import io.horn.core.data.Datasets;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/horn info|eval|predict} on {@code hdfs://} paths, through {@link ModelTool#run} (what
 * {@code bin/horn} runs) against an in-process MiniDFSCluster: a model, its dataset as
 * SequenceFiles, an idx images file and a CSV file on HDFS give exactly the output their local
 * copies give; predictions go to an {@code hdfs://} file; a missing or unreachable remote model
 * fails in seconds with one line naming it; a corrupt one is named as the remote path, and its
 * local copy is gone afterwards.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HdfsModelToolTest {
  @TempDir
  static Path dir;

  private static MiniDFSCluster dfs;
  private static Configuration conf;
  private static String hdfs;
  private static Path data;
  private static Path model;
  private static Path csv;

  @BeforeAll
  static void startHdfs() throws Exception {
    conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    dfs.waitActive();
    hdfs = "hdfs://localhost:" + dfs.getNameNodePort();

    data = dir.resolve("clusters");
    ToolFixtures.writeClusters(data, 200, 7);
    model = ToolFixtures.save(ToolFixtures.trainClusters(data), dir.resolve("m.bin"));
    upload(model, "/models/m.bin");
    MnistConverter.write(Datasets.open(data.toString()),
        new org.apache.hadoop.fs.Path(hdfs + "/data/train/part-00000"), conf);
    upload(data.resolve("train-images-idx3-ubyte"), "/in/images.idx");
    csv = dir.resolve("rows.csv");
    Files.writeString(csv, "a,b,c,d\n0.9,0.1,0.2,0.1\n0.1,0.1,0.8,0.3\n0,0,0.1,1\n");
    upload(csv, "/in/rows.csv");
  }

  @AfterAll
  static void stopHdfs() {
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  @Test
  void infoOfAnHdfsModelIsThatOfItsLocalCopy() {
    ToolFixtures.Result local = ToolFixtures.run("info", model.toString());
    ToolFixtures.Result remote = ToolFixtures.run("info", hdfs + "/models/m.bin");

    assertEquals(0, remote.status, remote.toString());
    assertEquals("model:      " + hdfs + "/models/m.bin", remote.outLines().get(0));
    assertEquals(local.out.replace(model.toString(), hdfs + "/models/m.bin"), remote.out);
    assertEquals("", remote.err);
  }

  @Test
  void evalOfAnHdfsModelOnHdfsSequenceFilesIsThatOnTheLocalCopies() {
    ToolFixtures.Result local = ToolFixtures.run("eval", model.toString(), data.toString());
    String remoteModel = hdfs + "/models/m.bin";
    String remoteData = hdfs + "/data/train";
    ToolFixtures.Result remote = ToolFixtures.run("eval", remoteModel, remoteData);

    assertEquals(0, remote.status, remote.toString());
    assertTrue(remote.out.contains("(200 samples)"), remote.out);
    assertEquals(local.out.replace(model.toString(), remoteModel)
        .replace(data.toString(), remoteData), remote.out);
    // The converter's directory (train/ and test/ beside each other) is read as its train/.
    ToolFixtures.Result parent = ToolFixtures.run("eval", remoteModel, hdfs + "/data");
    assertEquals(remote.out.replace(remoteData, hdfs + "/data"), parent.out);
  }

  @Test
  void predictReadsEveryKindOfInputFromHdfs() {
    String remoteModel = hdfs + "/models/m.bin";
    List<String[]> pairs = List.of(
        new String[] {data.toString(), hdfs + "/data/train"},
        new String[] {data.resolve("train-images-idx3-ubyte").toString(), hdfs + "/in/images.idx"},
        new String[] {csv.toString(), hdfs + "/in/rows.csv"});
    for (String[] p : pairs) {
      ToolFixtures.Result local = ToolFixtures.run("predict", model.toString(), p[0]);
      ToolFixtures.Result remote = ToolFixtures.run("predict", remoteModel, p[1], "--limit", "50");
      assertEquals(0, local.status, local.toString());
      assertEquals(0, remote.status, remote.toString());
      List<String> expected = local.outLines().subList(0, Math.min(50, local.outLines().size()));
      assertEquals(expected, remote.outLines(), p[1]);
    }
  }

  @Test
  void exportWritesOnnxToHdfsAndEvalReadsCsvFromHdfs() throws Exception {
    String out = hdfs + "/out/m.onnx";
    ToolFixtures.Result r = ToolFixtures.run("export", hdfs + "/models/m.bin", out);
    assertEquals(0, r.status, r.toString());
    Path local = dir.resolve("m.onnx");
    assertEquals(0, ToolFixtures.run("export", model.toString(), local.toString()).status);
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs), conf);
        InputStream in = fs.open(new org.apache.hadoop.fs.Path(out))) {
      assertEquals(java.util.Arrays.toString(Files.readAllBytes(local)),
          java.util.Arrays.toString(in.readAllBytes()), "the same bytes as a local export");
    }

    // The training set as labelled CSV on HDFS: the same evaluation as its idx files.
    io.horn.core.data.ArrayDataset d =
        (io.horn.core.data.ArrayDataset) Datasets.open(data.toString());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < d.size(); i++) {
      sb.append(d.label(i));
      for (int j = 0; j < d.featureCount(); j++) {
        sb.append(',').append(d.feature(i, j));
      }
      sb.append('\n');
    }
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs), conf);
        java.io.OutputStream o = fs.create(new org.apache.hadoop.fs.Path("/text/train.csv"))) {
      o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    ToolFixtures.Result idx = ToolFixtures.run("eval", model.toString(), data.toString());
    ToolFixtures.Result text = ToolFixtures.run("eval", model.toString(),
        hdfs + "/text/train.csv#classes=" + d.targetCount());
    assertEquals(0, text.status, text.toString());
    assertEquals(idx.outLines().subList(2, idx.outLines().size()),
        text.outLines().subList(2, text.outLines().size()));
  }

  @Test
  void predictWritesItsOutputToHdfs() throws Exception {
    String out = hdfs + "/out/new/predictions.csv";
    ToolFixtures.Result stdout = ToolFixtures.run("predict", model.toString(), data.toString());
    ToolFixtures.Result remote =
        ToolFixtures.run("predict", hdfs + "/models/m.bin", hdfs + "/in/images.idx", "--out", out);

    assertEquals(0, remote.status, remote.toString());
    assertEquals(List.of("200 predictions for " + hdfs + "/in/images.idx (idx images) written to "
        + out), remote.outLines());
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs), conf);
        InputStream in = fs.open(new org.apache.hadoop.fs.Path(out))) {
      assertEquals(stdout.out, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    // A directory is no file name, on HDFS as locally.
    ToolFixtures.Result dirOut = ToolFixtures.run("predict", model.toString(), data.toString(),
        "--out", hdfs + "/out");
    assertEquals(ModelTool.USAGE_ERROR, dirOut.status, dirOut.toString());
    assertEquals("horn: --out needs a file name, got '" + hdfs + "/out' (a directory)",
        dirOut.errLines().get(0));
  }

  @Test
  void aMissingHdfsModelFailsAtOnceNamingItsPath() {
    String missing = hdfs + "/models/nope.bin";
    long t0 = System.nanoTime();
    for (String sub : List.of("info", "eval", "predict")) {
      String[] args = sub.equals("info") ? new String[] {sub, missing}
          : new String[] {sub, missing, hdfs + "/data/train"};
      ToolFixtures.Result r = ToolFixtures.run(args);
      assertEquals(ModelTool.FAILURE, r.status, r.toString());
      assertEquals("", r.out);
      assertEquals(List.of("horn: no such model file: " + missing), r.errLines());
    }
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20),
        "three missing-file answers took " + (System.nanoTime() - t0) / 1e9 + " s");

    ToolFixtures.Result directory = ToolFixtures.run("info", hdfs + "/models");
    assertEquals(ModelTool.FAILURE, directory.status, directory.toString());
    assertEquals("horn: " + hdfs + "/models is a directory, not a model file",
        directory.errLines().get(0));
  }

  @Test
  void anUnreachableNameNodeFailsInSecondsNamingThePath() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String path = "hdfs://localhost:" + port + "/models/m.bin";
    long t0 = System.nanoTime();
    ToolFixtures.Result r = ToolFixtures.run("info", path);
    double seconds = (System.nanoTime() - t0) / 1e9;

    assertEquals(ModelTool.FAILURE, r.status, r.toString());
    assertEquals(1, r.errLines().size(), "the error alone, no usage: " + r.err);
    assertTrue(r.errLines().get(0).startsWith("horn: cannot reach " + path + ": "), r.err);
    assertTrue(seconds < 30, "took " + seconds + " s");
  }

  @Test
  void aCorruptHdfsModelIsNamedAndItsLocalCopyIsGone() throws Exception {
    Set<String> before = copies();
    byte[] b = Files.readAllBytes(model);
    b[b.length / 2] ^= 0x40;
    Path bad = Files.write(dir.resolve("bad.bin"), b);
    upload(bad, "/models/bad.bin");
    String remote = hdfs + "/models/bad.bin";

    ToolFixtures.Result info = ToolFixtures.run("info", remote);
    ToolFixtures.Result eval = ToolFixtures.run("eval", remote, hdfs + "/data/train");

    for (ToolFixtures.Result r : List.of(info, eval)) {
      assertEquals(ModelTool.FAILURE, r.status, r.toString());
      assertEquals("horn: " + remote + " is corrupt: checksum mismatch", r.errLines().get(0));
    }
    assertEquals(before, copies(), "local copies left in " + tmp());
  }

  private static void upload(Path local, String remote) throws IOException {
    try (FileSystem fs = FileSystem.newInstance(URI.create(hdfs), conf)) {
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()),
          new org.apache.hadoop.fs.Path(hdfs + remote));
    }
  }

  private static Path tmp() {
    return Paths.get(System.getProperty("java.io.tmpdir"));
  }

  /** The tools' temporary copies in the temporary directory (their names start horn-copy). */
  private static Set<String> copies() throws IOException {
    Set<String> names = new HashSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp(), "horn-copy*")) {
      for (Path p : s) {
        names.add(p.getFileName().toString());
      }
    }
    return names;
  }
}
