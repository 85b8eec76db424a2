package io.horn.bsp.io;

import java.io.EOFException;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;

/**
 * A buffered, seekable stream over a file that can also look at bytes ahead of its position
 * without moving it.
 *
 * <p>Why: {@link org.apache.hadoop.io.SequenceFile.Reader} trusts the record length it reads and
 * allocates a buffer of that size before reading, so a few garbage bytes can ask for 2 GiB.
 * {@link SampleFileReader} hands the reader this stream and, before each record, peeks at the
 * lengths ahead to check them against the bytes the file has left. Peeking must not cost a seek
 * of the underlying stream (on HDFS a backward seek can reopen a block reader), hence the own
 * buffer, which is then the only one between the reader and the file's stream.
 *
 * <p>Invariant: the underlying stream stands at {@code bufStart + limit}.
 *
 * <p>Not thread-safe; owned by one reader.
 */
final class PeekableInput extends FSInputStream {
  private static final int BUFFER = 1 << 16;

  private final FSDataInputStream in;
  private final byte[] buf = new byte[BUFFER];
  /** File position of {@code buf[0]}. */
  private long bufStart;
  private int pos;
  private int limit;

  PeekableInput(FSDataInputStream in) throws IOException {
    this.in = in;
    this.bufStart = in.getPos();
  }

  /**
   * The big-endian int {@code offset} bytes past the current position, or {@code null} if the
   * file ends before its last byte. {@code offset + 4} must not exceed the buffer size.
   */
  Integer peekInt(int offset) throws IOException {
    if (!ensure(offset + 4)) {
      return null;
    }
    int p = pos + offset;
    return (buf[p] & 0xff) << 24 | (buf[p + 1] & 0xff) << 16 | (buf[p + 2] & 0xff) << 8
        | (buf[p + 3] & 0xff);
  }

  /** Makes {@code n} bytes from the position available in the buffer, if the file has them. */
  private boolean ensure(int n) throws IOException {
    if (n > buf.length) {
      throw new IllegalArgumentException("cannot peek " + n + " bytes ahead");
    }
    if (limit - pos >= n) {
      return true;
    }
    System.arraycopy(buf, pos, buf, 0, limit - pos);
    bufStart += pos;
    limit -= pos;
    pos = 0;
    while (limit < n) {
      int got = in.read(buf, limit, buf.length - limit);
      if (got < 0) {
        return false;
      }
      limit += got;
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    if (pos == limit && !refill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == limit) {
      if (len >= buf.length) {
        // Large reads (a whole record) skip the copy through the buffer.
        int got = in.read(b, off, len);
        if (got > 0) {
          bufStart += limit + got;
          pos = 0;
          limit = 0;
        }
        return got;
      }
      if (!refill()) {
        return -1;
      }
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean refill() throws IOException {
    bufStart += limit;
    pos = 0;
    limit = 0;
    int got = in.read(buf, 0, buf.length);
    if (got <= 0) {
      return false;
    }
    limit = got;
    return true;
  }

  @Override
  public void seek(long target) throws IOException {
    if (target < 0) {
      throw new EOFException("cannot seek to negative position " + target);
    }
    if (target >= bufStart && target <= bufStart + limit) {
      pos = (int) (target - bufStart);
      return;
    }
    in.seek(target);
    bufStart = target;
    pos = 0;
    limit = 0;
  }

  @Override
  public long getPos() {
    return bufStart + pos;
  }

  @Override
  public boolean seekToNewSource(long targetPos) {
    return false;
  }

  @Override
  public int available() throws IOException {
    return limit - pos;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
