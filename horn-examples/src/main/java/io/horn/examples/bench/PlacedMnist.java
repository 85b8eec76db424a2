package io.horn.examples.bench;

import io.horn.bsp.io.MnistConverter;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.MnistData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;

/**
 * MNIST in HDFS with its training set in one part per host, each part's blocks on that host's
 * DataNode only (HDFS's favoured nodes, replication 1): a known placement, against which a job's
 * data locality can be checked. The test set goes to {@code <root>/test}. Stateless.
 */
public final class PlacedMnist {
  private PlacedMnist() {}

  /**
   * Writes {@code <root>/train/part-0000i} on {@code hosts.get(i)} and {@code <root>/test}.
   *
   * @param root e.g. {@code hdfs://10.213.7.1:9000/mnist}
   */
  public static void write(Path mnistDir, String root, List<String> hosts, Configuration conf)
      throws IOException {
    ArrayDataset train = MnistData.load(mnistDir, MnistData.TRAIN);
    org.apache.hadoop.fs.Path rootPath = new org.apache.hadoop.fs.Path(root);
    DistributedFileSystem dfs = (DistributedFileSystem) rootPath.getFileSystem(conf);
    List<InetSocketAddress> nodes = new ArrayList<>();
    for (String h : hosts) {
      nodes.add(dataNode(dfs, h));
    }
    Path tmp = Files.createTempDirectory("placed-mnist");
    try {
      int n = train.size();
      for (int i = 0; i < hosts.size(); i++) {
        int from = (int) ((long) n * i / hosts.size());
        int to = (int) ((long) n * (i + 1) / hosts.size());
        Path local = tmp.resolve("part-" + i);
        MnistConverter.write(slice(train, from, to), new org.apache.hadoop.fs.Path(local.toUri()),
            new Configuration());
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(rootPath,
            String.format("train/part-%05d", i));
        try (InputStream in = Files.newInputStream(local);
            OutputStream out = dfs.create(target, FsPermission.getFileDefault(), true, 65536,
                (short) 1, dfs.getDefaultBlockSize(target), null,
                new InetSocketAddress[] {nodes.get(i)})) {
          in.transferTo(out);
        }
      }
    } finally {
      try (var files = Files.walk(tmp)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    MnistConverter.write(MnistData.load(mnistDir, MnistData.TEST),
        new org.apache.hadoop.fs.Path(rootPath, "test/part-00000"), conf);
  }

  /** The data-transfer address of the DataNode on {@code host}. */
  private static InetSocketAddress dataNode(DistributedFileSystem dfs, String host)
      throws IOException {
    for (DatanodeInfo d : dfs.getDataNodeStats(HdfsConstants.DatanodeReportType.LIVE)) {
      if (d.getIpAddr().equals(host) || d.getHostName().equals(host)) {
        return new InetSocketAddress(d.getIpAddr(), d.getXferPort());
      }
    }
    throw new IOException("no live DataNode on host " + host);
  }

  private static ArrayDataset slice(ArrayDataset all, int from, int to) {
    int n = to - from;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = from + i;
    }
    float[] x = new float[n * all.featureCount()];
    float[] y = new float[n * all.targetCount()];
    all.fill(order, 0, n, x, all.featureCount(), y);
    return ArrayDataset.ofTargets(x, all.featureCount(), y, all.targetCount());
  }
}
