package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.bsp.io.MnistConverter;
import io.horn.core.data.MnistData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The getting-started flow with HDFS: MNIST converted to SequenceFiles on a real HDFS, then the
 * example trains from {@code --data hdfs://.../mnist/train} (its test set found beside it), in
 * its own JVM as a user runs it; and a wrong hdfs:// path fails naming the path, without the
 * usage text.
 */
@Tag("slow")
class MnistFromHdfsTest {
  @TempDir
  Path dir;

  @Test
  void trainsFromHdfsAndNamesAWrongPath() throws Exception {
    Path mnist = Paths.get(System.getProperty("horn.mnist.dir", "../.cache/mnist"));
    assumeTrue(Files.exists(mnist.resolve("train-images-idx3-ubyte")),
        "MNIST not in " + mnist + " (bin/horn-test fetches it); skipping");
    try (LocalCluster cluster = LocalCluster.builder(dir.resolve("cluster")).tasks(1)
        .hdfs(true).childHeap("256m").start()) {
      String hdfs = cluster.hdfsUri();
      MnistConverter.write(MnistData.load(mnist, "train"),
          new org.apache.hadoop.fs.Path(hdfs + "/mnist/train/part-00000"), cluster.conf());
      MnistConverter.write(MnistData.load(mnist, "t10k"),
          new org.apache.hadoop.fs.Path(hdfs + "/mnist/test/part-00000"), cluster.conf());

      Result ok = example("--data", hdfs + "/mnist/train", "--workers", "2", "--groups", "1",
          "--epochs", "1", "--model", dir.resolve("m.bin").toString(), "--report",
          dir.resolve("report").toString());
      assertEquals(0, ok.code, ok.output);
      assertTrue(ok.output.contains("MNIST test accuracy: 0.9"), ok.output);

      Result bad = example("--data", hdfs + "/nope/train", "--workers", "2", "--groups", "1",
          "--epochs", "1", "--model", dir.resolve("m2.bin").toString());
      assertTrue(bad.code != 0, bad.output);
      assertTrue(bad.output.contains("/nope/train"), bad.output);
      assertFalse(bad.output.contains("usage:"), bad.output);
    }
  }

  private record Result(int code, String output) {}

  private Result example(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1500m",
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), MnistExample.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .directory(dir.toFile());
    pb.environment().remove("HORN_CONF_DIR"); // local mode, reading from HDFS
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the example did not end");
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
