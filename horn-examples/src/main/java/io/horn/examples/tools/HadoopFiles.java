package io.horn.examples.tools;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.DataFormatException;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files the model tools read and write, on the local disk or on any Hadoop file system:
 * a path with a URI scheme other than {@code file} ({@code hdfs://namenode:port/...}, {@code
 * hdfs:///...} against {@code fs.defaultFS}, {@code viewfs://...}) goes through Hadoop's {@link
 * FileSystem} with the {@link Configuration} on the class path ({@code $HORN_CONF_DIR} first,
 * where {@code bin/horn} puts it); any other path is a local one.
 *
 * <p>Horn's readers of model, idx and CSV files take a local {@link java.nio.file.Path} (they
 * check a file's length and checksum before parsing it, which needs random access), so {@link
 * #read} hands them a copy of a remote file in a fresh temporary directory, deleted as soon as
 * the reader is done, and puts the remote path back into their messages in place of the copy's.
 *
 * <p>Hadoop's RPC client retries a connection for minutes by default ({@code
 * ipc.client.connect.max.retries.on.timeouts} = 45 connect timeouts of 20 s); a command-line tool
 * that reads one file should fail in seconds, so those settings are lowered unless a site file
 * sets them.
 *
 * <p>Stateless and thread-safe; every call opens its own {@link FileSystem} instance and closes
 * it.
 */
final class HadoopFiles {
  /**
   * A URI scheme and the slash that every Hadoop file-system URI has after it. Two letters at
   * least, so that a Windows drive ({@code C:\}) is not taken for one; and the slash, so that a
   * local file name with a colon in it ({@code model:v2.bin}) stays local.
   */
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/.*");

  private HadoopFiles() {}

  /** Reads a copy of a file; see {@link #read}. */
  @FunctionalInterface
  interface LocalReader<T, E extends Exception> {
    T read(java.nio.file.Path file) throws IOException, E;
  }

  /** Whether {@code path} names a file on a Hadoop file system other than the local one. */
  static boolean isRemote(String path) {
    checkNotNull(path, "path");
    return SCHEME.matcher(path).matches() && !path.regionMatches(true, 0, "file:", 0, 5);
  }

  /**
   * The local file {@code path} names: a plain path, or a {@code file:} URI.
   *
   * @throws IOException naming the path when it is remote or not a valid local path
   */
  static java.nio.file.Path local(String path) throws IOException {
    checkNotNull(path, "path");
    if (isRemote(path)) {
      throw new IOException("not a local path: '" + path + "'");
    }
    try {
      return Paths.get(SCHEME.matcher(path).matches() ? new Path(path).toUri().getPath() : path);
    } catch (IllegalArgumentException e) { // InvalidPathException, or a malformed URI
      throw new IOException("not a valid path: '" + path + "' (" + e.getMessage() + ")");
    }
  }

  /**
   * Runs {@code reader} on the file {@code path} names: on the file itself when it is local,
   * else on a local copy that is deleted when {@code reader} returns or fails (and, should the
   * JVM be stopped first, when it exits). An {@link IOException} from {@code reader} that names
   * the copy is thrown again naming {@code path}, as the same kind of exception where it is one
   * of Horn's.
   *
   * @param what what the file is, for messages: {@code model file} gives {@code no such model
   *     file: hdfs://...}
   * @throws FileNotFoundException if there is no such remote file
   * @throws IOException if the remote file system cannot be reached, or {@code path} is a
   *     directory, or {@code reader} fails
   */
  static <T, E extends Exception> T read(String path, String what, LocalReader<T, E> reader)
      throws IOException, E {
    checkNotNull(what, "what");
    checkNotNull(reader, "reader");
    if (!isRemote(path)) {
      return reader.read(local(path));
    }
    java.nio.file.Path dir = Files.createTempDirectory("horn-copy");
    dir.toFile().deleteOnExit();
    // Named after the remote file, so that a message the rename below misses still makes sense.
    java.nio.file.Path copy = dir.resolve(fileName(path));
    copy.toFile().deleteOnExit(); // registered after dir: deleted before it
    try {
      try (FileSystem fs = fileSystem(path)) {
        FileStatus file = status(fs, path, what);
        if (file.isDirectory()) {
          throw new DataFormatException(path + " is a directory, not a " + what);
        }
        try (InputStream in = fs.open(file.getPath())) {
          Files.copy(in, copy);
        } catch (IOException | RuntimeException e) {
          throw new IOException("cannot read " + path + ": " + ModelTool.reason(e), e);
        }
      }
      try {
        return reader.read(copy);
      } catch (IOException e) {
        throw renamed(e, copy.toString(), path);
      }
    } finally {
      Files.deleteIfExists(copy);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * The first {@code n} bytes of the remote file {@code path} (fewer if it is shorter), or null
   * when {@code path} is a directory.
   *
   * @throws FileNotFoundException if there is no such path
   */
  static byte[] head(String path, String what, int n) throws IOException {
    try (FileSystem fs = fileSystem(path)) {
      FileStatus s = status(fs, path, what);
      if (s.isDirectory()) {
        return null;
      }
      try (InputStream in = fs.open(s.getPath())) {
        return in.readNBytes(n);
      } catch (IOException | RuntimeException e) {
        throw new IOException("cannot read " + path + ": " + ModelTool.reason(e), e);
      }
    }
  }

  /** Whether the remote {@code path} exists and is a directory. */
  static boolean isDirectory(String path) throws IOException {
    try (FileSystem fs = fileSystem(path)) {
      return status(fs, path, "file").isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /**
   * A new file at the remote {@code path}, replacing one that is there; missing parent
   * directories are made. Closing the stream closes its file system.
   */
  static OutputStream create(String path) throws IOException {
    FileSystem fs = fileSystem(path);
    try {
      return new FilterOutputStream(fs.create(new Path(path), true)) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len); // FilterOutputStream's own writes one byte at a time
        }

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            fs.close();
          }
        }
      };
    } catch (IOException | RuntimeException e) {
      fs.close();
      throw new IOException("cannot write " + path + ": " + ModelTool.reason(e), e);
    }
  }

  /** A file-system instance of this call's own, so that closing it affects no other caller. */
  private static FileSystem fileSystem(String path) throws IOException {
    try {
      return FileSystem.newInstance(new Path(path).toUri(), configuration());
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot reach " + path + ": " + ModelTool.reason(e), e);
    }
  }

  /** The class path's configuration, with connection retries bounded unless a site sets them. */
  static Configuration configuration() {
    Configuration conf = new Configuration();
    lower(conf, "ipc.client.connect.max.retries", 2);
    lower(conf, "ipc.client.connect.max.retries.on.timeouts", 2);
    lower(conf, "ipc.client.connect.timeout", 5_000);
    return conf;
  }

  private static void lower(Configuration conf, String key, int value) {
    String[] sources = conf.getPropertySources(key);
    boolean fromDefaults = sources == null || sources.length == 0
        || sources[sources.length - 1].equals("core-default.xml");
    if (fromDefaults && conf.getInt(key, Integer.MAX_VALUE) > value) {
      conf.setInt(key, value);
    }
  }

  /**
   * The status of {@code path}: {@code no such <what>: <path>} when it is missing, {@code cannot
   * reach <path>: ...} when the file system does not answer.
   */
  private static FileStatus status(FileSystem fs, String path, String what) throws IOException {
    try {
      return fs.getFileStatus(new Path(path));
    } catch (FileNotFoundException e) {
      FileNotFoundException f = new FileNotFoundException("no such " + what + ": " + path);
      f.initCause(e);
      throw f;
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot reach " + path + ": " + ModelTool.reason(e), e);
    }
  }

  private static String fileName(String path) {
    String name = new Path(path).getName();
    return name.isEmpty() || name.startsWith(".") ? "copy" + name : name;
  }

  /** {@code e} with {@code from} replaced by {@code to} in its message. */
  private static IOException renamed(IOException e, String from, String to) {
    String m = e.getMessage();
    if (m == null || !m.contains(from)) {
      return e;
    }
    String r = m.replace(from, to);
    IOException out;
    if (e instanceof DataFormatException) {
      out = new DataFormatException(r, e);
    } else if (e instanceof FileNotFoundException) {
      out = new FileNotFoundException(r);
      out.initCause(e);
    } else {
      // Also for java.nio.file's exceptions, whose message is the file alone: keep what the
      // tools say of them ("no such file: ...").
      out = new IOException(ModelTool.reason(e).replace(from, to), e);
    }
    return out;
  }
}
