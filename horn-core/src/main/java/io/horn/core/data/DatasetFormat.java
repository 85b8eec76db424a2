package io.horn.core.data;

import java.io.IOException;

/**
 * A reader of training data, plugged in through {@link java.util.ServiceLoader}: list the
 * implementation's class name in {@code META-INF/services/io.horn.core.data.DatasetFormat} and
 * {@link Datasets#open} will offer it every path the user gives.
 *
 * <p>Contract: a public no-argument constructor; {@link #accepts} is cheap, never throws, and
 * says yes only to paths the format recognises as its own (by form or by a quick look at the
 * file), because the first format that accepts a path gets it; {@link #load} returns a complete
 * dataset or throws an {@link IOException} whose message names the path and the problem.
 *
 * <p>Lifecycle and thread-safety: {@link Datasets} makes a fresh instance per lookup, so
 * implementations may keep state, but stateless ones are simpler and may be shared freely.
 */
public interface DatasetFormat {

  /** A short lower-case name for messages and listings, e.g. {@code idx}. */
  String name();

  /** Whether this format reads {@code path} (a file, directory, or a format-specific form). */
  boolean accepts(String path);

  /** Reads the dataset at {@code path}, which {@link #accepts} accepted. */
  Dataset load(String path) throws IOException;

  /**
   * Reads the dataset at {@code path} for a network of the {@code expected} shape. A format whose
   * data leaves the shape open (class ids rather than one-hot targets, sparse features) uses it to
   * size the samples and to report a mismatch by file and line; the default ignores it and
   * returns {@link #load(String)}'s dataset, which the caller then checks as a whole.
   */
  default Dataset load(String path, DataShape expected) throws IOException {
    return load(path);
  }
}
