package io.horn.bsp.io;

import io.horn.bsp.io.MultiFileRangeSplit.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;

/**
 * Cuts the input files into exactly {@code n} splits that each own at least one record, balanced
 * by bytes, for {@link HornInputFormat}.
 *
 * <p>The files are laid end to end as one run of bytes ("virtual" positions). The ideal cuts lie
 * at {@code i * total / n}; each is moved forward to the next <em>anchor</em>, a position where
 * a sync block that holds records starts (see {@link SampleFileReader}). Moving a cut to the
 * next anchor changes no record's owner, but makes an empty split visible as two equal cuts.
 * Finding an anchor costs a seek and a short scan ({@code SequenceFile.Reader.sync}), so large
 * inputs are planned without reading them.
 *
 * <p>When a split would come out empty (tiny data, or files with few, large sync blocks), the
 * planner reads every file once to list all anchors and their record counts, then either places
 * the cuts so each split gets at least one block, or reports why it cannot: fewer samples than
 * workers, or fewer blocks.
 *
 * <p>Single use, one thread.
 */
final class SplitPlanner {
  /** Hosts named per split: the ones holding most of its bytes. */
  private static final int MAX_HOSTS = 3;

  private final List<FileStatus> files;
  private final Configuration conf;
  /** What to call the input in messages. */
  private final String input;
  /** Virtual position of each file's first byte; one more entry holds the total. */
  private final long[] starts;
  private final LongWritable key = new LongWritable();
  private final SampleWritable value = new SampleWritable();

  SplitPlanner(List<FileStatus> files, Configuration conf, String input) {
    this.files = files;
    this.conf = conf;
    this.input = input;
    this.starts = new long[files.size() + 1];
    for (int f = 0; f < files.size(); f++) {
      starts[f + 1] = starts[f] + files.get(f).getLen();
    }
  }

  List<MultiFileRangeSplit> plan(int n) throws IOException {
    for (FileStatus f : files) {
      // Opening checks the header and classes: a bad file fails here, on the submitting side.
      SampleFileReader.open(f.getPath(), conf, 0, 0, true).close();
    }
    long total = starts[files.size()];
    long[] cuts = new long[n + 1];
    cuts[n] = total;
    long previous = snap(0);
    boolean nonEmpty = previous < total;
    for (int i = 1; i < n && nonEmpty; i++) {
      // Strictly past the previous anchor, whose block belongs to the split before this cut.
      cuts[i] = snap(Math.max(ideal(i, n), previous + 1));
      nonEmpty = cuts[i] < total;
      previous = cuts[i];
    }
    if (!nonEmpty) {
      cuts = cutsFromAllAnchors(n);
    }
    List<MultiFileRangeSplit> splits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      splits.add(split(i == 0 ? 0 : cuts[i], cuts[i + 1]));
    }
    return splits;
  }

  private long ideal(int i, int n) {
    // Exact in long arithmetic up to ~8 EiB / n: total * i would overflow sooner.
    long total = starts[files.size()];
    return total / n * i + total % n * i / n;
  }

  /** The first anchor at or after virtual position {@code v}, or the total if none. */
  private long snap(long v) throws IOException {
    for (int f = fileAt(v); f < files.size(); f++) {
      long local = Math.max(0, v - starts[f]);
      try (SampleFileReader r = open(f, local)) {
        if (r.next(key, value)) {
          return starts[f] + r.anchor();
        }
      }
    }
    return starts[files.size()];
  }

  /** The file holding virtual position {@code v}, or the number of files for the total. */
  private int fileAt(long v) {
    int i = Arrays.binarySearch(starts, v);
    int f = i >= 0 ? i : -i - 2;
    // Several entries can equal v where files are empty; the last one is the file holding v.
    while (f + 1 < starts.length && starts[f + 1] == v) {
      f++;
    }
    return Math.min(f, files.size());
  }

  private SampleFileReader open(int f, long start) throws IOException {
    return SampleFileReader.open(files.get(f).getPath(), conf, start, Long.MAX_VALUE, true);
  }

  /** Reads every file to find all anchors, and places cuts so no split is empty. */
  private long[] cutsFromAllAnchors(int n) throws IOException {
    List<Long> anchors = new ArrayList<>();
    long samples = 0;
    for (int f = 0; f < files.size(); f++) {
      try (SampleFileReader r = open(f, 0)) {
        long last = -1;
        while (r.next(key, value)) {
          samples++;
          if (r.anchor() != last) {
            last = r.anchor();
            anchors.add(starts[f] + last);
          }
        }
      }
    }
    if (samples < n) {
      throw new IOException(workers(n) + " but only " + samples + " samples in " + input);
    }
    int k = anchors.size();
    if (k < n) {
      throw new IOException(workers(n) + " but the " + samples + " samples in " + input
          + " lie in only " + k + " sync blocks, which cannot be divided further; use at most "
          + k + " workers, or rewrite the data with MnistConverter.write (a sync mark per sample)");
    }
    long[] cuts = new long[n + 1];
    cuts[n] = starts[files.size()];
    int previous = 0;
    for (int i = 1; i < n; i++) {
      long target = ideal(i, n);
      int a = previous + 1;
      while (a < k && anchors.get(a) < target) {
        a++;
      }
      // Leave at least one block for each split still to come.
      a = Math.min(a, k - (n - i));
      cuts[i] = anchors.get(a);
      previous = a;
    }
    return cuts;
  }

  private static String workers(int n) {
    return n == 1 ? "1 worker" : n + " workers";
  }

  /** The split of virtual range {@code [from, to)}: a segment per file it touches. */
  private MultiFileRangeSplit split(long from, long to) throws IOException {
    return split(files, starts, conf, from, to);
  }

  /**
   * The split of virtual range {@code [from, to)} of {@code files} laid end to end ({@code
   * starts}: each file's first virtual byte, then the total): a segment per file it touches,
   * located on the hosts that hold most of its bytes. Shared with {@link LineSplitPlanner}.
   */
  static MultiFileRangeSplit split(List<FileStatus> files, long[] starts, Configuration conf,
      long from, long to) throws IOException {
    List<Segment> segments = new ArrayList<>();
    Map<String, Long> hostBytes = new HashMap<>();
    for (int f = 0; f < files.size(); f++) {
      long lo = Math.max(from, starts[f]);
      long hi = Math.min(to, starts[f + 1]);
      if (lo >= hi) {
        continue;
      }
      Segment s = new Segment(files.get(f).getPath(), lo - starts[f], hi - lo);
      segments.add(s);
      countHosts(files.get(f), s, hostBytes, conf);
    }
    List<Map.Entry<String, Long>> ranked = new ArrayList<>(hostBytes.entrySet());
    ranked.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    String[] hosts = new String[Math.min(MAX_HOSTS, ranked.size())];
    for (int i = 0; i < hosts.length; i++) {
      hosts[i] = ranked.get(i).getKey();
    }
    return new MultiFileRangeSplit(segments, hosts);
  }

  private static void countHosts(FileStatus file, Segment s, Map<String, Long> hostBytes,
      Configuration conf) throws IOException {
    FileSystem fs = file.getPath().getFileSystem(conf);
    BlockLocation[] blocks = fs.getFileBlockLocations(file, s.getStart(), s.getLength());
    if (blocks == null) {
      return;
    }
    for (BlockLocation b : blocks) {
      long overlap = Math.min(s.getEnd(), b.getOffset() + b.getLength())
          - Math.max(s.getStart(), b.getOffset());
      if (overlap > 0) {
        for (String h : b.getHosts()) {
          hostBytes.merge(h, overlap, Long::sum);
        }
      }
    }
  }
}
