package io.horn.core.data.text;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Parses the lines of a text dataset ({@link TextFormat}) into {@link Row}s.
 *
 * <p>CSV: fields split at the separator, each a number, optionally in double quotes (a quoted
 * field may not hold the separator); one field is the label. LibSVM: {@code label index:value
 * ...}, separated by spaces or tabs; indices from 1 (or 0 with {@code zero-based}). A label is an
 * integer (written {@code 3} or {@code 3.0}); its class id is the label less the format's label
 * base, and must not be negative. Features must be finite numbers.
 *
 * <p>Blank lines and lines starting with {@code #} hold no sample ({@link #isSample}). A file's
 * first line may be a header ({@link #isHeader}).
 *
 * <p>Stateless apart from its format; thread-safe (each caller brings its own {@link Row}).
 */
public final class SampleParser {
  private final TextFormat format;

  public SampleParser(TextFormat format) {
    this.format = checkNotNull(format, "format");
  }

  public TextFormat format() {
    return format;
  }

  /** Whether {@code line} holds a sample: not blank and not a {@code #} comment. */
  public static boolean isSample(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (!Character.isWhitespace(c)) {
        return c != '#';
      }
    }
    return false;
  }

  /**
   * Whether {@code line}, the first of a file, is a header: always with {@code header=yes},
   * never with {@code header=no}, and in {@code auto} mode when it is a CSV line with a field
   * that is not a number (LibSVM files have no header unless told).
   */
  public boolean isHeader(String line) {
    switch (format.header()) {
      case PRESENT:
        return true;
      case ABSENT:
        return false;
      default:
        if (format.kind() != TextFormat.Kind.CSV || !isSample(line)) {
          return false;
        }
        int start = 0;
        char sep = format.separator();
        while (start <= line.length()) {
          int end = line.indexOf(sep, start);
          end = end < 0 ? line.length() : end;
          String field = unquote(line.substring(start, end).trim());
          if (!field.isEmpty() && !isNumber(field)) {
            return true;
          }
          start = end + 1;
        }
        return false;
    }
  }

  /**
   * Parses {@code line} (which {@link #isSample}) into {@code row}.
   *
   * @throws MalformedLineException naming the column and what is wrong there
   */
  public void parse(String line, Row row) throws MalformedLineException {
    if (format.kind() == TextFormat.Kind.CSV) {
      parseCsv(line, row);
    } else {
      parseLibSvm(line, row);
    }
  }

  private void parseCsv(String line, Row row) throws MalformedLineException {
    row.clear(false);
    char sep = format.separator();
    int fields = 1;
    for (int i = line.indexOf(sep); i >= 0; i = line.indexOf(sep, i + 1)) {
      fields++;
    }
    int label = format.labelColumn() == TextFormat.LAST_COLUMN ? fields - 1
        : format.labelColumn();
    if (label >= fields) {
      throw new MalformedLineException(fields, "the line has " + fields + " columns, but the "
          + "label is column " + label + " (from 0; option label=)");
    }
    if (fields < 2) {
      throw new MalformedLineException(1, "a label and at least one feature are needed, the "
          + "line has one column (is the separator '" + printable(sep) + "'? option sep=)");
    }
    int start = 0;
    for (int f = 0; f < fields; f++) {
      int end = line.indexOf(sep, start);
      end = end < 0 ? line.length() : end;
      String field = unquote(line.substring(start, end).trim());
      if (f == label) {
        row.labelColumn = f + 1;
        row.classId = classId(field, f + 1);
      } else {
        row.add(row.count, number(field, f + 1, "feature"), f + 1);
      }
      start = end + 1;
    }
  }

  private void parseLibSvm(String line, Row row) throws MalformedLineException {
    row.clear(true);
    int n = line.length();
    int i = skipSpace(line, 0);
    int end = tokenEnd(line, i);
    row.labelColumn = i + 1;
    row.classId = classId(line.substring(i, end), i + 1);
    int base = format.zeroBased() ? 0 : 1;
    for (i = skipSpace(line, end); i < n; i = skipSpace(line, end)) {
      end = tokenEnd(line, i);
      String token = line.substring(i, end);
      int colon = token.indexOf(':');
      if (colon <= 0 || colon == token.length() - 1) {
        throw new MalformedLineException(i + 1, "'" + token + "' is not index:value");
      }
      int index;
      try {
        index = Integer.parseInt(token.substring(0, colon));
      } catch (NumberFormatException e) {
        throw new MalformedLineException(i + 1, "index '" + token.substring(0, colon)
            + "' of '" + token + "' is not an integer");
      }
      if (index < base) {
        throw new MalformedLineException(i + 1, "index " + index + " of '" + token + "': indices"
            + " start at " + base + (base == 1 ? " (option zero-based for data from 0)" : ""));
      }
      row.add(index - base, number(token.substring(colon + 1), i + 1, "value"), i + 1);
    }
  }

  private int classId(String field, int column) throws MalformedLineException {
    double v;
    try {
      v = Double.parseDouble(field);
    } catch (NumberFormatException e) {
      throw new MalformedLineException(column, "label '" + shorten(field) + "' is not a number"
          + (field.isEmpty() ? " (empty)" : ""));
    }
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE / 2) {
      throw new MalformedLineException(column, "label '" + shorten(field) + "' is not a class "
          + "id (an integer)");
    }
    long id = (long) v - format.labelBase();
    if (id < 0) {
      throw new MalformedLineException(column, "label " + (long) v + " gives class id " + id
          + " (label-base " + format.labelBase() + "); class ids start at 0");
    }
    return (int) id;
  }

  private static float number(String s, int column, String what) throws MalformedLineException {
    int n = s.length();
    if (n > 0 && n < 9) {
      // Whole numbers (pixel values, counts) are most fields of most datasets: no parser needed.
      int v = 0;
      int i = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        v = v * 10 + (s.charAt(i++) - '0');
      }
      if (i == n) {
        return v;
      }
    }
    float v;
    try {
      v = Float.parseFloat(s);
    } catch (NumberFormatException e) {
      throw new MalformedLineException(column, what + " '" + shorten(s) + "' is not a number"
          + (s.isEmpty() ? " (empty)" : ""));
    }
    if (!Float.isFinite(v)) {
      throw new MalformedLineException(column, what + " '" + shorten(s) + "' is not finite");
    }
    return v;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"'
        ? s.substring(1, s.length() - 1).trim() : s;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static int tokenEnd(String s, int i) {
    while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
      i++;
    }
    return i;
  }

  private static String shorten(String s) {
    return s.length() <= 24 ? s : s.substring(0, 21) + "...";
  }

  private static String printable(char c) {
    return c == '\t' ? "\\t" : String.valueOf(c);
  }
}
