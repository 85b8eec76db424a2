package io.horn.paramserver.collective;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * A one-way byte ring in shared memory between two tasks on the same host: what a loopback
 * socket would do, without the two kernel copies and the system calls per piece, so that members
 * of a group that share a host exchange gradients at memory speed.
 *
 * <p>Layout of the mapped file: a random 16-byte token (proves the other side mapped the same
 * file, i.e. runs on the same host), the writer's position and the reader's position (each on its
 * own cache line, read and written with volatile semantics), then {@code capacity} bytes of data.
 * Positions only grow; the data offset is the position modulo the capacity. Frames are written
 * whole and contiguous (a frame that would cross the end is preceded by a pad to the end), and
 * every frame is a multiple of 8 bytes, so no value ever straddles the end.
 *
 * <p>The receiving side creates the file (owner-only permissions) and deletes it as soon as the
 * sender has mapped it, so nothing is left behind even if both processes are killed later.
 *
 * <p>Thread-safety: one writer thread and one reader thread, in two processes.
 */
final class ShmRing implements AutoCloseable {
  static final int TOKEN_BYTES = 16;
  private static final int WRITE_POS = 64;
  private static final int READ_POS = 128;
  private static final int DATA = 192;
  private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class,
      ByteOrder.LITTLE_ENDIAN);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path path;
  private final MappedByteBuffer map;
  private final int capacity;
  private boolean deleted;

  private ShmRing(Path path, MappedByteBuffer map, int capacity) {
    this.path = path;
    this.map = map;
    this.capacity = capacity;
  }

  /** Where rings live: the host's shared-memory file system when there is one. */
  static Path directory() {
    Path shm = Paths.get("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm) ? shm
        : Paths.get(System.getProperty("java.io.tmpdir"));
  }

  /** Creates a ring of {@code capacity} bytes (a power of two) with a fresh token. */
  static ShmRing create(int capacity) throws IOException {
    Path dir = directory();
    Path p = Files.createTempFile(dir, "horn-ring-", ".shm",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, DATA + (long) capacity);
      byte[] token = new byte[TOKEN_BYTES];
      RANDOM.nextBytes(token);
      m.put(0, token);
      return new ShmRing(p, m, capacity);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(p);
      throw e;
    }
  }

  /** Maps a ring another task created; fails unless its token is {@code token}. */
  static ShmRing open(Path p, byte[] token, int capacity) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      if (ch.size() != DATA + (long) capacity) {
        throw new IOException(p + " is not a ring of " + capacity + " bytes");
      }
      MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, DATA + (long) capacity);
      byte[] have = new byte[TOKEN_BYTES];
      m.get(0, have);
      if (!MessageDigest.isEqual(have, token)) {
        throw new IOException(p + " holds another ring (not the same host?)");
      }
      return new ShmRing(null, m, capacity);
    }
  }

  Path path() {
    return path;
  }

  byte[] token() {
    byte[] t = new byte[TOKEN_BYTES];
    map.get(0, t);
    return t;
  }

  int capacity() {
    return capacity;
  }

  long writePosition() {
    return (long) LONG.getVolatile(map, WRITE_POS);
  }

  void publishWrite(long position) {
    LONG.setVolatile(map, WRITE_POS, position);
  }

  long readPosition() {
    return (long) LONG.getVolatile(map, READ_POS);
  }

  void publishRead(long position) {
    LONG.setVolatile(map, READ_POS, position);
  }

  /** A little-endian view of the data region, for one side's own use. */
  ByteBuffer data() {
    return map.slice(DATA, capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Removes the file (the mapping stays valid); done once both sides have mapped it. */
  void unlink() {
    if (path != null && !deleted) {
      deleted = true;
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // a file left in the shared-memory directory is harmless and small
      }
    }
  }

  @Override
  public void close() {
    unlink();
  }
}
