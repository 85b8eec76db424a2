package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableUtils;
import org.apache.hama.bsp.InputSplit;

/**
 * A worker's share of the input: byte ranges ({@link Segment}s) of one or more SequenceFiles.
 * {@link HornInputFormat} cuts the concatenated bytes of all input files into as many contiguous
 * pieces as there are workers, so a piece may end in one file and go on in the next.
 *
 * <p>A segment's range selects records the way Hadoop's SequenceFile readers do (see {@link
 * HornInputFormat}): the records whose sync block starts inside it. Splits whose segments
 * partition every file's bytes therefore read every record exactly once.
 *
 * <p>Serialized form ({@link #write}): the number of segments as a vint, then per segment the
 * path as a string and the start and length as vlongs. The locations are not written: like
 * Hadoop's {@code FileSplit}, they serve scheduling on the submitting side, and Hama's split file
 * carries them separately.
 *
 * <p>Lifecycle: built by {@link HornInputFormat#getSplits}, or made empty by the no-argument
 * constructor (which Hama calls) and filled by {@link #readFields}. Not thread-safe while being
 * read into; immutable otherwise.
 */
public final class MultiFileRangeSplit implements InputSplit {
  /** The most segments {@link #readFields} believes, to fail fast on a corrupt split. */
  private static final int MAX_SEGMENTS = 1 << 20;

  /** The bytes {@code [start, start + length)} of one file. Immutable. */
  public static final class Segment {
    private final Path path;
    private final long start;
    private final long length;

    /**
     * @throws IllegalArgumentException if {@code start} or {@code length} is negative
     */
    public Segment(Path path, long start, long length) {
      this.path = checkNotNull(path, "path");
      checkArgument(start >= 0, "start must not be negative, got %s", start);
      checkArgument(length >= 0, "length must not be negative, got %s", length);
      this.start = start;
      this.length = length;
    }

    public Path getPath() {
      return path;
    }

    public long getStart() {
      return start;
    }

    public long getLength() {
      return length;
    }

    /** The first byte past the segment. */
    public long getEnd() {
      return start + length;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Segment)) {
        return false;
      }
      Segment s = (Segment) o;
      return path.equals(s.path) && start == s.start && length == s.length;
    }

    @Override
    public int hashCode() {
      return (path.hashCode() * 31 + Long.hashCode(start)) * 31 + Long.hashCode(length);
    }

    @Override
    public String toString() {
      return path + ":" + start + "+" + length;
    }
  }

  private List<Segment> segments = Collections.emptyList();
  private String[] hosts = new String[0];

  /** An empty split, for {@link #readFields}. */
  public MultiFileRangeSplit() {}

  /**
   * A split of {@code segments}, stored on {@code hosts} (best first; may be empty).
   */
  public MultiFileRangeSplit(List<Segment> segments, String[] hosts) {
    checkNotNull(segments, "segments");
    checkNotNull(hosts, "hosts");
    for (Segment s : segments) {
      checkNotNull(s, "a segment is null");
    }
    this.segments = Collections.unmodifiableList(new ArrayList<>(segments));
    this.hosts = hosts.clone();
  }

  /** The segments, in reading order (unmodifiable). */
  public List<Segment> getSegments() {
    return segments;
  }

  /** The bytes of all segments together. */
  @Override
  public long getLength() {
    long n = 0;
    for (Segment s : segments) {
      n += s.length;
    }
    return n;
  }

  @Override
  public String[] getLocations() {
    return hosts.clone();
  }

  @Override
  public void write(DataOutput out) throws IOException {
    WritableUtils.writeVInt(out, segments.size());
    for (Segment s : segments) {
      Text.writeString(out, s.path.toString());
      WritableUtils.writeVLong(out, s.start);
      WritableUtils.writeVLong(out, s.length);
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    int n = WritableUtils.readVInt(in);
    if (n < 0 || n > MAX_SEGMENTS) {
      throw new IOException("corrupt split: " + n + " segments");
    }
    List<Segment> read = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String path = Text.readString(in);
      long start = WritableUtils.readVLong(in);
      long length = WritableUtils.readVLong(in);
      if (path.isEmpty() || start < 0 || length < 0) {
        throw new IOException("corrupt split: segment " + i + " is '" + path + "' from " + start
            + " for " + length + " bytes");
      }
      read.add(new Segment(new Path(path), start, length));
    }
    segments = Collections.unmodifiableList(read);
    hosts = new String[0];
  }

  @Override
  public String toString() {
    return "MultiFileRangeSplit" + segments;
  }
}
