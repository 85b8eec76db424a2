package io.horn.core.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens training data named by a path string, through the {@link DatasetFormat}s on the class
 * path.
 *
 * <p>Formats are found with {@link ServiceLoader}, first through the thread's context class loader
 * (where a job's own jar lives in containers and application servers), then through Horn's own.
 * The built-in {@link IdxDatasetFormat} is always present and always asked last.
 *
 * <p>Stateless and thread-safe; formats are discovered afresh on each call, so a plugin added to
 * a context class loader later is seen.
 */
public final class Datasets {
  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

  private Datasets() {}

  /**
   * Loads the dataset at {@code path} with the first format that accepts it.
   *
   * @throws FileNotFoundException if no format accepts the path and it does not exist
   * @throws IOException if no format accepts the existing path, or the format fails to read it
   */
  public static Dataset open(String path) throws IOException {
    return open(path, null);
  }

  /**
   * Loads the dataset at {@code path} for a network of the {@code expected} shape ({@link
   * DatasetFormat#load(String, DataShape)}), with the first format that accepts it.
   *
   * @param expected the network's shape, or null when there is no network yet
   * @throws FileNotFoundException if no format accepts the path and it does not exist
   * @throws IOException if no format accepts the existing path, or the format fails to read it
   */
  public static Dataset open(String path, DataShape expected) throws IOException {
    checkNotNull(path, "training data path");
    checkArgument(!path.trim().isEmpty(), "the training data path is empty");
    List<DatasetFormat> formats = formats();
    for (DatasetFormat f : formats) {
      if (accepts(f, path)) {
        LOG.debug("reading '{}' as {}", path, f.name());
        Dataset d = expected == null ? f.load(path) : f.load(path, expected);
        if (d == null) {
          throw new IOException("dataset format " + f.name() + " (" + f.getClass().getName()
              + ") returned no dataset for '" + path + "'");
        }
        return d;
      }
    }
    if (!exists(path)) {
      throw new FileNotFoundException("training data path does not exist: " + path);
    }
    StringBuilder names = new StringBuilder();
    for (DatasetFormat f : formats) {
      names.append(names.length() > 0 ? ", " : "").append(f.name());
    }
    throw new IOException(
        "no dataset format accepts '" + path + "' (known formats: " + names + ")");
  }

  /**
   * The formats {@link #open} asks, in order: plugged-in ones (context class loader first, one
   * instance per class), then the built-in idx format.
   */
  public static List<DatasetFormat> formats() {
    Map<String, DatasetFormat> found = new LinkedHashMap<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      discover(context, found);
    }
    discover(Datasets.class.getClassLoader(), found);
    // Last, and present even when a repackaged jar lost META-INF/services.
    found.remove(IdxDatasetFormat.class.getName());
    List<DatasetFormat> formats = new ArrayList<>(found.values());
    formats.add(new IdxDatasetFormat());
    return formats;
  }

  private static void discover(ClassLoader loader, Map<String, DatasetFormat> found) {
    Iterator<DatasetFormat> it = ServiceLoader.load(DatasetFormat.class, loader).iterator();
    // Bounded: should an iterator keep failing on the same entry, give up rather than spin.
    for (int errors = 0; errors < 100; ) {
      try {
        if (!it.hasNext()) {
          return;
        }
        DatasetFormat f = it.next();
        found.putIfAbsent(f.getClass().getName(), f);
      } catch (ServiceConfigurationError e) {
        // One broken plugin must not hide the others; the iterator moves past the bad entry.
        LOG.warn("skipping a dataset format that cannot be loaded: {}", e.toString());
        errors++;
      }
    }
  }

  /** Asks a format, treating a plugin that throws from {@code accepts} as declining. */
  private static boolean accepts(DatasetFormat f, String path) {
    try {
      return f.accepts(path);
    } catch (RuntimeException e) {
      LOG.warn("dataset format {} failed on accepts('{}'); skipping it", f.name(), path, e);
      return false;
    }
  }

  private static boolean exists(String path) {
    try {
      return Files.exists(Paths.get(path));
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
