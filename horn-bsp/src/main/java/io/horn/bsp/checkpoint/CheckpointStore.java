package io.horn.bsp.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.CheckpointFile;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of checkpoints on any Hadoop file system (local, HDFS): {@code
 * checkpoint-<sequence>.horn}, each a complete model file ({@link CheckpointFile}).
 *
 * <p>A checkpoint is written under a temporary name and renamed into place only once complete
 * and flushed, so a reader never sees half of one, and a failed write (a full disk, the file
 * system gone) leaves every earlier checkpoint as it was; the oldest are deleted only after a
 * newer one is in place. {@link #newest} skips a checkpoint it cannot read (say, cut short by
 * a crash of the file system) and falls back to the one before, saying so.
 *
 * <p>Thread-safe as far as the file system is; one writer per directory.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{10})\\.horn");

  private final Path dir;
  private final FileSystem fs;
  private final int keep;

  /**
   * @param dir the directory (created when the first checkpoint is written)
   * @param keep how many of the newest checkpoints to keep
   */
  public CheckpointStore(Path dir, Configuration hadoop, int keep) throws IOException {
    checkNotNull(dir, "dir");
    checkArgument(keep > 0, "keep must be > 0, got %s", keep);
    FileSystem f = dir.getFileSystem(hadoop);
    // The raw local file system: no .crc files beside the checkpoints (the format has its own).
    this.fs = f instanceof LocalFileSystem ? ((LocalFileSystem) f).getRaw() : f;
    this.dir = fs.makeQualified(dir);
    this.keep = keep;
  }

  /**
   * The checkpoint directory a job's configuration names: {@code horn.checkpoint.dir}, else
   * {@code <model path>.checkpoints}; null when neither is set.
   */
  public static String directoryOf(HornConfiguration conf) {
    String d = conf.get(HornOptions.CHECKPOINT_DIR);
    if (!d.isEmpty()) {
      return d;
    }
    String model = conf.get(HornOptions.MODEL_PATH);
    return model.isEmpty() ? null : model + ".checkpoints";
  }

  /** The fully qualified directory, e.g. {@code file:/...} or {@code hdfs://host:port/...}. */
  public Path directory() {
    return dir;
  }

  /** Writes {@code c} atomically as {@code checkpoint-<sequence>.horn}, then prunes old ones. */
  public Path write(Checkpoint c) throws IOException {
    checkNotNull(c, "checkpoint");
    Path target = new Path(dir, String.format("checkpoint-%010d.horn", c.sequence()));
    Path tmp = new Path(dir, "." + target.getName() + ".tmp-" + System.nanoTime());
    fs.mkdirs(dir);
    boolean moved = false;
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        CheckpointFile.write(c, out);
        out.hsync();
      } catch (FSError e) {
        // Hadoop's local file system reports a full disk as an Error, not an IOException.
        throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
      }
      fs.delete(target, false); // a rerun of the same sequence replaces it
      if (!fs.rename(tmp, target)) {
        throw new IOException("could not rename " + tmp + " to " + target);
      }
      moved = true;
    } finally {
      if (!moved) {
        try {
          fs.delete(tmp, false);
        } catch (IOException e) {
          LOG.debug("could not remove {}: {}", tmp, e.toString());
        }
      }
    }
    prune();
    return target;
  }

  /** The checkpoints in the directory, oldest first (sequence order). */
  public List<Path> list() throws IOException {
    List<Path> found = new ArrayList<>();
    if (!fs.exists(dir)) {
      return found;
    }
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isFile() && NAME.matcher(s.getPath().getName()).matches()) {
        found.add(s.getPath());
      }
    }
    found.sort(Comparator.comparingLong(CheckpointStore::sequenceOf));
    return found;
  }

  /**
   * The newest readable checkpoint, or null when there is none; unreadable ones are skipped
   * with a warning naming them and why.
   */
  public Stored newest(ClassLoader loader) throws IOException {
    List<Path> all = list();
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        return new Stored(all.get(i), read(all.get(i), loader));
      } catch (IOException e) {
        LOG.warn("skipping checkpoint {}: {}", all.get(i), e.getMessage());
      }
    }
    return null;
  }

  /** A checkpoint and where it is stored. */
  public record Stored(Path path, Checkpoint checkpoint) {}

  /** Reads one checkpoint of this store's file system. */
  public Checkpoint read(Path p, ClassLoader loader) throws IOException {
    java.nio.file.Path local = Files.createTempFile("horn-checkpoint", ".horn");
    try {
      fs.copyToLocalFile(false, p, new Path(local.toUri()), true);
      return CheckpointFile.read(local, loader);
    } catch (IOException e) {
      throw new IOException(p + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      fs.delete(all.get(i), false);
    }
  }

  static long sequenceOf(Path p) {
    Matcher m = NAME.matcher(p.getName());
    checkArgument(m.matches(), "not a checkpoint name: %s", p);
    return Long.parseLong(m.group(1));
  }
}
