package io.horn.bsp.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which files a training-data path stands for, the same for {@link SequenceFileDatasetFormat}
 * and {@link HornInputFormat}, so that a path reads the same samples in one process as split
 * over a cluster.
 *
 * <p>The rule: a file stands for itself; a directory for the files directly in it, in name
 * order, skipping names that start with {@code _} or {@code .} (job markers such as {@code
 * _SUCCESS}, checksum files, and {@link MnistConverter}'s unfinished files); a directory with no
 * such files but a {@code train} subdirectory (what {@link MnistConverter} writes) for that
 * subdirectory's files.
 *
 * <p>Stateless and thread-safe.
 */
final class InputFiles {
  /** The subdirectory a dataset directory's training samples are looked for in. */
  static final String TRAIN_DIR = "train";

  private InputFiles() {}

  /** Whether a file of this name is skipped in a directory listing. */
  static boolean isHidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  /**
   * The files {@code path} stands for, in reading order.
   *
   * @throws FileNotFoundException if {@code path} does not exist
   * @throws IOException if it is a directory with no files to read
   */
  static List<FileStatus> list(Path path, Configuration conf) throws IOException {
    return list(path, conf, true);
  }

  private static List<FileStatus> list(Path path, Configuration conf, boolean top)
      throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      FileNotFoundException f =
          new FileNotFoundException("training data path does not exist: " + path);
      f.initCause(e);
      throw f;
    }
    List<FileStatus> files = new ArrayList<>();
    if (!status.isDirectory()) {
      files.add(status);
      return files;
    }
    FileStatus train = null;
    for (FileStatus s : fs.listStatus(path)) {
      if (s.isFile() && !isHidden(s.getPath().getName())) {
        files.add(s);
      } else if (top && s.isDirectory() && TRAIN_DIR.equals(s.getPath().getName())) {
        train = s;
      }
    }
    if (files.isEmpty() && train != null) {
      return list(train.getPath(), conf, false);
    }
    if (files.isEmpty()) {
      throw new IOException("no data files in " + path
          + " (names starting with '_' or '.' are skipped)");
    }
    files.sort(Comparator.comparing(s -> s.getPath().getName()));
    return files;
  }

  /** The paths of {@link #list}'s files. */
  static List<Path> paths(Path path, Configuration conf) throws IOException {
    List<Path> out = new ArrayList<>();
    for (FileStatus s : list(path, conf)) {
      out.add(s.getPath());
    }
    return out;
  }
}
