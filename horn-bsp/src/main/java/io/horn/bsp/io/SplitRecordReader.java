package io.horn.bsp.io;

import io.horn.bsp.io.MultiFileRangeSplit.Segment;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hama.bsp.RecordReader;

/**
 * Reads the records of a {@link MultiFileRangeSplit}: its segments in order, each through a
 * {@link SampleFileReader} limited to the segment's range, opened only when reached so that one
 * file is open at a time.
 *
 * <p>Positions ({@link #getPos}) count the split's bytes consumed so far, from 0 to the split's
 * length, so progress is comparable across splits that span several files.
 *
 * <p>Not thread-safe; one per task.
 */
final class SplitRecordReader implements RecordReader<LongWritable, SampleWritable> {
  private final List<Segment> segments;
  private final Configuration conf;
  private final long length;
  private int next;
  private Segment segment;
  private SampleFileReader current;
  /** Bytes of the segments already finished. */
  private long finished;

  SplitRecordReader(MultiFileRangeSplit split, Configuration conf) {
    this.segments = split.getSegments();
    this.conf = conf;
    this.length = split.getLength();
  }

  @Override
  public boolean next(LongWritable key, SampleWritable value) throws IOException {
    while (true) {
      if (current == null) {
        if (next == segments.size()) {
          return false;
        }
        segment = segments.get(next++);
        current = SampleFileReader.open(segment.getPath(), conf, segment.getStart(),
            segment.getEnd(), true);
      }
      if (current.next(key, value)) {
        return true;
      }
      finished += segment.getLength();
      SampleFileReader done = current;
      current = null;
      done.close();
    }
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
  public long getPos() throws IOException {
    if (current == null) {
      return finished;
    }
    // The last block of a segment may run past its end: count no more than the segment.
    long in = current.currentPosition() - segment.getStart();
    return finished + Math.max(0, Math.min(segment.getLength(), in));
  }

  @Override
  public float getProgress() throws IOException {
    return length == 0 ? 1f : Math.min(1f, getPos() / (float) length);
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      SampleFileReader open = current;
      current = null;
      open.close();
    }
  }
}
