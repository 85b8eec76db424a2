package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hadoop's in-process MiniDFSCluster works under JUnit 5 with this module's test dependencies. */
@Tag("slow")
class MiniDfsTest {

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void writesAndReadsAFileOverHdfs(@TempDir Path dir) throws Exception {
    Configuration conf = new HdfsConfiguration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      dfs.waitActive();
      String uri = "hdfs://localhost:" + dfs.getNameNodePort();
      try (FileSystem fs = FileSystem.newInstance(URI.create(uri), conf)) {
        assertEquals("hdfs", fs.getUri().getScheme());
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri + "/horn/test/data.txt");
        try (FSDataOutputStream out = fs.create(p)) {
          out.write("horn over hdfs".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(fs.exists(p));
        try (FSDataInputStream in = fs.open(p)) {
          assertEquals("horn over hdfs", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(14, fs.getFileStatus(p).getLen());
      }
    } finally {
      dfs.shutdown();
    }
  }
}
