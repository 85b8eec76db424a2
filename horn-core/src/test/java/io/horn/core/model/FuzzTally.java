package io.horn.core.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * What a fuzz child saw: accepted and rejected inputs, forbidden outcomes (each of the first five
 * printed with its input in hex), the largest allocation of one read; and its scratch directory.
 * The summary line and the exit code are what the launching test asserts.
 *
 * <p>Confined to the fuzz child's main thread.
 */
public final class FuzzTally {
  private final String mode;
  private final long seed;
  private long accepted;
  private long rejected;
  private long forbidden;
  private long maxAllocated;

  public FuzzTally(String mode, long seed) {
    this.mode = mode;
    this.seed = seed;
  }

  /** One read allocated {@code bytes}. */
  public void allocated(long bytes) {
    maxAllocated = Math.max(maxAllocated, bytes);
  }

  /**
   * The outcome of input {@code iteration}: with no {@code problem}, accepted or rejected; with
   * one, forbidden ({@code thrown}, if any, printed for the first).
   */
  public void record(int iteration, byte[] input, boolean wasAccepted, String problem,
      Throwable thrown) {
    if (problem == null) {
      if (wasAccepted) {
        accepted++;
      } else {
        rejected++;
      }
      return;
    }
    forbidden++;
    if (forbidden <= 5) {
      System.out.println("FORBIDDEN " + mode + " seed=" + seed + " iteration=" + iteration + ": "
          + problem + "; input=" + HexFormat.of().formatHex(input, 0,
              Math.min(input.length, 512)));
      if (thrown != null && forbidden == 1) {
        thrown.printStackTrace(System.out);
      }
    }
  }

  /** Prints the summary line and exits: 0 when nothing forbidden was seen, else 1. */
  public void finish(int iterations) {
    System.out.println("FUZZ " + mode + " seed=" + seed + " iterations=" + iterations
        + " accepted=" + accepted + " rejected=" + rejected + " forbidden=" + forbidden
        + " maxAllocated=" + maxAllocated);
    System.out.flush();
    System.exit(forbidden == 0 ? 0 : 1);
  }

  /** A scratch directory: on tmpfs where there is one (thousands of small files, 4x faster). */
  public static Path scratch(String prefix) throws IOException {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix);
  }

  /** Deletes a scratch directory and the files in it. */
  public static void delete(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }
}
