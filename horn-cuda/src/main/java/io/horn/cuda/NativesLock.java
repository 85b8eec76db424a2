package io.horn.cuda;

/**
 * JCuda unpacks its native library into {@code java.io.tmpdir} unless the file already exists,
 * and loads it: a JVM that starts at the same moment as another (the tasks of a job) can load
 * the file while the other is still writing it, and die of SIGBUS (seen on a one-machine
 * cluster). A lock file in the same directory makes the unpacking one JVM's at a time.
 *
 * <p>Not thread-safe; {@link CudaProbe} holds it under its class-initialisation lock.
 */
final class NativesLock implements AutoCloseable {
  private final java.nio.channels.FileChannel channel;
  private final java.nio.channels.FileLock lock;

  private NativesLock(java.nio.channels.FileChannel channel,
      java.nio.channels.FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Waits for the lock; without a writable temporary directory, goes on unlocked. */
  static NativesLock acquire() {
    try {
      java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
          java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"),
              "horn-jcuda-natives.lock"),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
      return new NativesLock(ch, ch.lock());
    } catch (java.io.IOException | RuntimeException e) {
      return new NativesLock(null, null);
    }
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (java.io.IOException e) {
      // released with the process anyway
    }
  }
}
