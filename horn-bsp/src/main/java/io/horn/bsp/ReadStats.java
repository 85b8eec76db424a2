package io.horn.bsp;

import org.apache.hadoop.fs.FileSystem;

/**
 * Bytes this thread read through Hadoop file systems, and how many of them came from its own
 * host: HDFS counts a read from a DataNode of this host as local (network distance 0), and a
 * local file system's reads are all local. A worker takes one before and one after reading its
 * split; the difference shows whether Hama placed it next to its data. Immutable.
 */
final class ReadStats {
  final long bytes;
  final long localBytes;

  private ReadStats(long bytes, long localBytes) {
    this.bytes = bytes;
    this.localBytes = localBytes;
  }

  /** This thread's totals now (Hadoop keeps them per thread). */
  static ReadStats ofThisThread() {
    long bytes = 0;
    long local = 0;
    for (FileSystem.Statistics s : FileSystem.getAllStatistics()) {
      FileSystem.Statistics.StatisticsData d = s.getThreadStatistics();
      bytes += d.getBytesRead();
      local += "file".equals(s.getScheme()) ? d.getBytesRead() : d.getBytesReadLocalHost();
    }
    return new ReadStats(bytes, local);
  }

  /** What was read since {@code earlier}. */
  ReadStats since(ReadStats earlier) {
    return new ReadStats(bytes - earlier.bytes, localBytes - earlier.localBytes);
  }
}
