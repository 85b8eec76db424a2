package io.horn.bsp.io;

import io.horn.core.data.text.TextFormat;

/**
 * The {@link io.horn.core.data.DatasetFormat} {@code csv}: a label column and feature columns
 * per line ({@link TextDatasetFormat}, {@link TextFormat}). Stateless and thread-safe.
 */
public final class CsvDatasetFormat extends TextDatasetFormat {
  public CsvDatasetFormat() {
    super(TextFormat.Kind.CSV);
  }
}
