package io.horn.bsp.io;

import io.horn.core.data.text.TextFormat;

/**
 * The {@link io.horn.core.data.DatasetFormat} {@code libsvm}: {@code label index:value ...} per
 * line ({@link TextDatasetFormat}, {@link TextFormat}). Stateless and thread-safe.
 */
public final class LibSvmDatasetFormat extends TextDatasetFormat {
  public LibSvmDatasetFormat() {
    super(TextFormat.Kind.LIBSVM);
  }
}
