package io.horn.bsp.io;

import io.horn.bsp.io.MultiFileRangeSplit.Segment;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.text.MalformedLineException;
import io.horn.core.data.text.Row;
import io.horn.core.data.text.SampleParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.util.LineReader;
import org.apache.hama.bsp.RecordReader;

/**
 * Reads the samples of a {@link MultiFileRangeSplit} of text files: the lines that start inside
 * each segment (a segment that does not start a file skips the line it begins in, which the
 * split before it reads to its end), parsed into one-hot samples of the network's shape. The key
 * is the line's byte offset in its file.
 *
 * <p>A file's first line may be a header ({@link SampleParser#isHeader}); blank and {@code #}
 * lines are skipped. A malformed line fails with its file, line number (counted from the file's
 * start, on the error path only) and column.
 *
 * <p>Not thread-safe; one per task.
 */
final class TextSplitReader implements RecordReader<LongWritable, SampleWritable> {
  private final List<Segment> segments;
  private final Configuration conf;
  private final SampleParser parser;
  private final int features;
  private final int classes;
  private final long length;
  private final Row row = new Row();
  private final Text line = new Text();
  private final float[] x;
  private final float[] t;
  private int next;
  private Segment segment;
  private FSDataInputStream stream;
  private LineReader reader;
  /** The file offset of the next line to read. */
  private long pos;
  private long finished;

  TextSplitReader(MultiFileRangeSplit split, Configuration conf, SampleParser parser,
      int features, int classes) {
    this.segments = split.getSegments();
    this.conf = conf;
    this.parser = parser;
    this.features = features;
    this.classes = classes;
    this.length = split.getLength();
    this.x = new float[features];
    this.t = new float[classes];
  }

  @Override
  public boolean next(LongWritable key, SampleWritable value) throws IOException {
    while (true) {
      if (reader == null && !openNext()) {
        return false;
      }
      if (pos >= segment.getEnd()) {
        closeSegment();
        continue;
      }
      long start = pos;
      int read = reader.readLine(line);
      if (read == 0) {
        closeSegment();
        continue;
      }
      pos += read;
      String s = line.toString();
      if ((start == 0 && parser.isHeader(s)) || !SampleParser.isSample(s)) {
        continue;
      }
      try {
        parser.parse(s, row);
        row.fill(features, classes, x, 0, t, 0);
      } catch (MalformedLineException e) {
        throw new DataFormatException(e.describe(TextDatasetFormat.describe(segment.getPath()),
            lineNumber(start)));
      }
      key.set(start);
      value.set(x, t);
      return true;
    }
  }

  private boolean openNext() throws IOException {
    if (next == segments.size()) {
      return false;
    }
    segment = segments.get(next++);
    stream = segment.getPath().getFileSystem(conf).open(segment.getPath());
    pos = segment.getStart();
    if (pos > 0) {
      // The line running into the segment is the previous split's: skip to just past its end.
      stream.seek(pos - 1);
      reader = new LineReader(stream, conf);
      pos += reader.readLine(new Text(), 0, Integer.MAX_VALUE) - 1;
    } else {
      reader = new LineReader(stream, conf);
    }
    return true;
  }

  private void closeSegment() throws IOException {
    finished += segment.getLength();
    LineReader open = reader;
    reader = null;
    stream = null;
    open.close();
  }

  /** The line number (from 1) of the line starting at {@code offset}: its newlines before it. */
  private long lineNumber(long offset) throws IOException {
    long lines = 1;
    try (InputStream in = segment.getPath().getFileSystem(conf).open(segment.getPath())) {
      byte[] buf = new byte[1 << 16];
      long left = offset;
      while (left > 0) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (r <= 0) {
          break;
        }
        for (int k = 0; k < r; k++) {
          lines += buf[k] == '\n' ? 1 : 0;
        }
        left -= r;
      }
    }
    return lines;
  }

  @Override
  public LongWritable createKey() {
    return new LongWritable();
  }

  @Override
  public SampleWritable createValue() {
    return new SampleWritable();
  }

  @Override
  public long getPos() {
    return reader == null ? finished
        : finished + Math.max(0, Math.min(segment.getLength(), pos - segment.getStart()));
  }

  @Override
  public float getProgress() {
    return length == 0 ? 1f : Math.min(1f, getPos() / (float) length);
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      LineReader open = reader;
      reader = null;
      open.close();
    }
  }
}
