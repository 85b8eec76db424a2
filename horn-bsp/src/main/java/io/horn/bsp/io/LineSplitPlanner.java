package io.horn.bsp.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;

/**
 * Cuts text files into exactly {@code n} splits at line boundaries, balanced by bytes, for
 * {@link TextSampleInputFormat}.
 *
 * <p>The files are laid end to end as one run of bytes; the ideal cuts lie at {@code i * total /
 * n}, and each is moved forward to the start of the next line (just past a {@code \n}, or the
 * start of the next file). A line belongs to the split in which it starts ({@link
 * TextSplitReader} follows the same rule), so moving a cut changes no line's owner but makes an
 * empty split visible as two equal cuts; then the input has fewer lines than workers, and the
 * planner says so. Finding a line start costs a seek and a read up to the next newline, so large
 * inputs are planned without reading them.
 *
 * <p>Single use, one thread.
 */
final class LineSplitPlanner {
  private final List<FileStatus> files;
  private final Configuration conf;
  private final String input;
  private final long[] starts;

  LineSplitPlanner(List<FileStatus> files, Configuration conf, String input) {
    this.files = files;
    this.conf = conf;
    this.input = input;
    this.starts = new long[files.size() + 1];
    for (int f = 0; f < files.size(); f++) {
      starts[f + 1] = starts[f] + files.get(f).getLen();
    }
  }

  List<MultiFileRangeSplit> plan(int n) throws IOException {
    long total = starts[files.size()];
    long[] cuts = new long[n + 1];
    cuts[n] = total;
    for (int i = 1; i < n; i++) {
      long ideal = total / n * i + total % n * i / n;
      cuts[i] = lineStart(Math.max(ideal, cuts[i - 1] + 1));
      if (cuts[i] >= total) {
        throw new IOException((n == 1 ? "1 worker" : n + " workers") + " but only "
            + lines() + " lines in " + input);
      }
    }
    List<MultiFileRangeSplit> splits = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      splits.add(SplitPlanner.split(files, starts, conf, cuts[i], cuts[i + 1]));
    }
    return splits;
  }

  /** The first line start at or after virtual position {@code v}, or the total if none. */
  private long lineStart(long v) throws IOException {
    int f = 0;
    while (f < files.size() && starts[f + 1] <= v) {
      f++;
    }
    if (f == files.size()) {
      return starts[f];
    }
    long local = v - starts[f];
    if (local == 0) {
      return v;
    }
    // v starts a line when the byte before it ends one: scan from there to the next newline.
    try (FSDataInputStream in = files.get(f).getPath().getFileSystem(conf)
        .open(files.get(f).getPath())) {
      in.seek(local - 1);
      long pos = local - 1;
      byte[] buf = new byte[8192];
      for (int r = in.read(buf); r > 0; r = in.read(buf)) {
        for (int k = 0; k < r; k++) {
          if (buf[k] == '\n') {
            return starts[f] + pos + k + 1;
          }
        }
        pos += r;
      }
    }
    return starts[f + 1]; // the last line of the file runs to its end
  }

  /** The number of lines in all files, for the message when there are too few. */
  private long lines() throws IOException {
    long lines = 0;
    for (FileStatus s : files) {
      try (InputStream in = s.getPath().getFileSystem(conf).open(s.getPath())) {
        byte[] buf = new byte[8192];
        int last = '\n';
        for (int r = in.read(buf); r > 0; r = in.read(buf)) {
          for (int k = 0; k < r; k++) {
            lines += buf[k] == '\n' ? 1 : 0;
          }
          last = buf[r - 1];
        }
        lines += last == '\n' ? 0 : 1;
      }
    }
    return lines;
  }
}
