package io.horn.examples.tools;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a CSV file of feature rows: one sample per line, its features as comma-separated
 * numbers, every row as wide as the model's input layer. Blank lines and lines starting with
 * {@code #} are skipped; so is a first row in which no field is a number (a header). Every
 * problem names the file and the line.
 *
 * <p>Stateless and thread-safe.
 */
public final class CsvFeatures {
  private static final int SHOWN_CHARS = 24;

  private CsvFeatures() {}

  /**
   * Reads up to {@code limit} rows of {@code width} numbers, sample-major.
   *
   * @throws ToolFailure if a row has another width, a field is not a finite number, or the file
   *     holds no rows
   * @throws IOException if the file cannot be read or is not text
   */
  public static float[] read(Path file, int width, int limit) throws IOException, ToolFailure {
    return read(checkNotNull(file, "file"), file.toString(), width, limit);
  }

  /**
   * {@link #read(Path, int, int)} with messages that call the file {@code name} (the path it
   * was copied from).
   */
  public static float[] read(Path file, String name, int width, int limit)
      throws IOException, ToolFailure {
    checkNotNull(file, "file");
    checkNotNull(name, "name");
    float[] x = new float[Math.max(width, Math.min(limit, 1024) * width)];
    int rows = 0;
    int lineNo = 0;
    boolean first = true;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while (rows < limit && (line = r.readLine()) != null) {
        lineNo++;
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] fields = trimmed.split(",", -1);
        if (first && isHeader(fields)) {
          first = false;
          continue;
        }
        first = false;
        if (fields.length != width) {
          throw new ToolFailure(name + " line " + lineNo + ": " + fields.length
              + (fields.length == 1 ? " value" : " values") + ", but the model's input layer"
              + " takes " + width + " (one sample per line, features separated by commas)");
        }
        if ((long) (rows + 1) * width > x.length) {
          long grown = Math.max((long) (rows + 1) * width, 2L * x.length);
          if (grown > Integer.MAX_VALUE - 8) {
            throw new ToolFailure(name + ": too many rows for one run (line " + lineNo
                + "); use --limit or split the file");
          }
          x = Arrays.copyOf(x, (int) grown);
        }
        for (int j = 0; j < width; j++) {
          x[rows * width + j] = parse(name, lineNo, j, fields[j]);
        }
        rows++;
      }
    } catch (CharacterCodingException e) {
      throw new IOException(name + " is not a text (UTF-8) file, nor an idx or SequenceFile"
          + " dataset (line " + (lineNo + 1) + ")", e);
    }
    if (rows == 0) {
      throw new ToolFailure(name + " holds no samples (expected rows of " + width
          + " comma-separated numbers)");
    }
    return rows * width == x.length ? x : Arrays.copyOf(x, rows * width);
  }

  private static float parse(String name, int lineNo, int column, String field)
      throws ToolFailure {
    String f = field.trim();
    float v;
    try {
      v = Float.parseFloat(f);
    } catch (NumberFormatException e) {
      throw new ToolFailure(name + " line " + lineNo + ", column " + (column + 1) + ": '"
          + shown(f) + "' is not a number");
    }
    if (!Float.isFinite(v)) {
      throw new ToolFailure(name + " line " + lineNo + ", column " + (column + 1) + ": " + f
          + " is not a finite number");
    }
    return v;
  }

  /** A header: no field parses as a number. */
  private static boolean isHeader(String[] fields) {
    for (String f : fields) {
      try {
        Float.parseFloat(f.trim());
        return false;
      } catch (NumberFormatException e) {
        // not a number: a header field, or a bad row reported when read as data
      }
    }
    return true;
  }

  /** A field as it may appear in a one-line message: short, without control characters. */
  private static String shown(String f) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < f.length() && sb.length() < SHOWN_CHARS; i++) {
      char ch = f.charAt(i);
      sb.append(Character.isISOControl(ch) ? '?' : ch);
    }
    return f.length() > SHOWN_CHARS ? sb + "..." : sb.toString();
  }
}
