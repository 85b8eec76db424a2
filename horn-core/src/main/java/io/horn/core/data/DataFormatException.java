package io.horn.core.data;

import java.io.IOException;

/**
 * A data or model file that exists and can be read but whose content is wrong: a bad magic
 * number, a header that disagrees with the file's length, values out of range. The message names
 * the file and the problem, so it can be shown to the user as it is.
 *
 * <p>Distinct from plain {@link IOException} so callers can tell "fix your file" from "fix your
 * disk or path". Not to be confused with {@link java.util.zip.DataFormatException}, which is not
 * an {@code IOException}.
 */
public class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public DataFormatException(String message) {
    super(message);
  }

  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
