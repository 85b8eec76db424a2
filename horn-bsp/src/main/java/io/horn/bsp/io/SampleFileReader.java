package io.horn.bsp.io;

import io.horn.core.data.DataFormatException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.util.ReflectionUtils;

/**
 * Reads the {@link SampleWritable} records of one SequenceFile, or of the part of it that one
 * input split owns, and turns every way a file can be broken into a {@link DataFormatException}
 * naming the file and the byte.
 *
 * <p>Which records a byte range {@code [start, end)} owns follows Hadoop's SequenceFile record
 * readers: every record belongs to a <em>sync block</em>, and a block belongs to the range in
 * which it starts. A block starts at its sync mark, except the first block of a file, which has
 * none and starts at byte 0. So ranges that partition a file's bytes read each record exactly
 * once, wherever their edges fall, even inside the header (where Hadoop's own readers would read
 * the first block twice). {@link #anchor()} tells where the last record's block starts.
 *
 * <p>Lifecycle: {@link #open}, {@link #next} until it returns false, {@link #close}. Not
 * thread-safe.
 */
final class SampleFileReader implements Closeable {
  /** Bytes of a sync entry: the escape int -1 and the 16-byte sync hash. */
  private static final int SYNC_ENTRY = 4 + 16;
  private static final int SYNC_ESCAPE = -1;

  private final Path path;
  private final long length;
  private final PeekableInput input;
  private final SequenceFile.Reader reader;
  private final long end;
  /** Where the last record's block starts, or -1 before the first record. */
  private long anchor = -1;
  private long position;
  private long records;
  private boolean done;

  private SampleFileReader(Path path, long length, PeekableInput input,
      SequenceFile.Reader reader, long end) {
    this.path = path;
    this.length = length;
    this.input = input;
    this.reader = reader;
    this.end = end;
  }

  /**
   * Opens {@code file} to read the records whose blocks start in {@code [start, end)}.
   *
   * @param longKeys whether to insist on {@link LongWritable} keys (input splits do; whole-file
   *     reads take any {@link Writable} key and ignore it)
   * @throws DataFormatException if the file is not a SequenceFile of {@link SampleWritable}s
   */
  static SampleFileReader open(Path file, Configuration conf, long start, long end,
      boolean longKeys) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    long length = fs.getFileStatus(file).getLen();
    PeekableInput input = new PeekableInput(fs.open(file));
    SequenceFile.Reader reader = null;
    try {
      Integer magic = input.peekInt(0);
      if (magic == null || (magic >>> 8) != ('S' << 16 | 'E' << 8 | 'Q')) {
        throw new DataFormatException(file + " is not a SequenceFile (it does not start with"
            + " the bytes SEQ)");
      }
      try {
        reader = new SequenceFile.Reader(conf,
            SequenceFile.Reader.stream(new FSDataInputStream(input)),
            SequenceFile.Reader.length(length));
      } catch (EOFException e) {
        throw new DataFormatException(file + " is truncated: it ends inside the SequenceFile"
            + " header", e);
      } catch (IOException | RuntimeException e) {
        throw new DataFormatException(file + " is not a readable SequenceFile: " + e, e);
      }
      checkClasses(file, reader, longKeys);
      if (start > 0) {
        // Never below the header's end: Reader.sync treats such positions as "the first block".
        reader.sync(Math.max(start, reader.getPosition()));
      }
      return new SampleFileReader(file, length, input, reader, end);
    } catch (IOException | RuntimeException e) {
      if (reader != null) {
        reader.close();
      } else {
        input.close();
      }
      throw e;
    }
  }

  private static void checkClasses(Path file, SequenceFile.Reader reader, boolean longKeys)
      throws IOException {
    String value = reader.getValueClassName();
    if (!SampleWritable.class.getName().equals(value)) {
      throw new DataFormatException(file + " holds values of class " + value + ", not "
          + SampleWritable.class.getName() + " (write training data with MnistConverter.write)");
    }
    String key = reader.getKeyClassName();
    if (longKeys ? !LongWritable.class.getName().equals(key)
        : !Writable.class.isAssignableFrom(reader.getKeyClass())) {
      throw new DataFormatException(file + " has keys of class " + key + ", expected "
          + (longKeys ? LongWritable.class.getName() : "a Writable"));
    }
  }

  /** A key object of the file's key class, for {@link #next}. */
  Writable createKey(Configuration conf) {
    return (Writable) ReflectionUtils.newInstance(reader.getKeyClass(), conf);
  }

  /**
   * Reads the next record of this reader's range into {@code key} and {@code value}.
   *
   * @return false at the end of the range or of the file
   * @throws DataFormatException if the record is corrupt or the file ends inside it
   */
  boolean next(Writable key, SampleWritable value) throws IOException {
    if (done) {
      return false;
    }
    long p = reader.getPosition();
    if (!reader.isBlockCompressed()) {
      if (p >= length) {
        done = true;
        return false;
      }
      checkFraming(p);
    } // else p is the end of the block read last, which may still hold records: no shortcut
    boolean got;
    try {
      got = reader.next(key);
      if (got) {
        reader.getCurrentValue(value);
      }
    } catch (EOFException e) {
      throw new DataFormatException(path + " is truncated: it ends inside the record at byte "
          + p, e);
    } catch (IOException | RuntimeException e) {
      throw new DataFormatException(path + ": corrupt record at byte " + p + ": " + e, e);
    }
    if (!got) {
      done = true;
      return false;
    }
    if (reader.syncSeen()) {
      if (p >= end) {
        // This block starts in the next range; the record is that range's.
        done = true;
        return false;
      }
      anchor = p;
    } else if (anchor < 0) {
      anchor = 0; // opened at byte 0 and no sync before the first record: the first block
    }
    position = p;
    records++;
    return true;
  }

  /**
   * Checks the lengths of the record at {@code p} against the bytes the file has left, before
   * {@link SequenceFile.Reader} allocates a buffer of the size a corrupt length claims.
   */
  private void checkFraming(long p) throws IOException {
    Integer recordLength = input.peekInt(0);
    int lengths = 0;
    if (recordLength != null && recordLength == SYNC_ESCAPE) {
      if (length - p == SYNC_ENTRY) {
        return; // a sync mark closing the file (Writer.sync() after the last record)
      }
      lengths = SYNC_ENTRY;
      recordLength = input.peekInt(lengths);
    }
    Integer keyLength = input.peekInt(lengths + 4);
    if (recordLength == null || keyLength == null) {
      throw new DataFormatException(path + " is truncated: " + (length - p)
          + " bytes at byte " + p + " are too few for a record");
    }
    long left = length - p - lengths - 8;
    if (recordLength < 0 || keyLength < 0 || keyLength > recordLength) {
      throw new DataFormatException(path + ": corrupt record at byte " + p + ": record length "
          + recordLength + ", key length " + keyLength);
    }
    if (recordLength > left) {
      throw new DataFormatException(path + " is truncated or corrupt: the record at byte " + p
          + " claims " + recordLength + " bytes, the file has " + left + " left");
    }
  }

  /** Where the block of the last record read starts (a sync mark, or 0 for the first block). */
  long anchor() {
    return anchor;
  }

  /** The byte at which the last record read (with its sync mark, if any) starts. */
  long position() {
    return position;
  }

  /** Where the reader stands now: the start of the next record, or the end of the file. */
  long currentPosition() throws IOException {
    return reader.getPosition();
  }

  /** How many records this reader has returned. */
  long records() {
    return records;
  }

  Path path() {
    return path;
  }

  long length() {
    return length;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
