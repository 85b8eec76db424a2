package io.horn.examples.tools;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table: columns padded to their widest cell and separated by two spaces, each
 * column aligned left or right, every line indented. Cells are strings; {@link #number} and
 * {@link #ratio} format the common cases.
 *
 * <p>Not thread-safe; build, print, discard.
 */
public final class TextTable {
  private final boolean[] rightAligned;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * A table whose columns are aligned as {@code alignment} says, one character per column:
   * {@code l} for left, {@code r} for right (e.g. {@code "lrr"}).
   */
  public TextTable(String alignment) {
    rightAligned = new boolean[alignment.length()];
    for (int c = 0; c < rightAligned.length; c++) {
      char a = alignment.charAt(c);
      if (a != 'l' && a != 'r') {
        throw new IllegalArgumentException("alignment is 'l' or 'r', got '" + a + "'");
      }
      rightAligned[c] = a == 'r';
    }
  }

  /** Adds a row; missing trailing cells are empty, extra cells are an error. */
  public TextTable row(String... cells) {
    if (cells.length > rightAligned.length) {
      throw new IllegalArgumentException(
          cells.length + " cells for " + rightAligned.length + " columns");
    }
    String[] r = Arrays.copyOf(cells, rightAligned.length);
    for (int c = 0; c < r.length; c++) {
      r[c] = r[c] == null ? "" : r[c];
    }
    rows.add(r);
    return this;
  }

  /** Adds a row of any objects, each shown with {@link String#valueOf}. */
  public TextTable rowOf(Object... cells) {
    String[] s = new String[cells.length];
    for (int c = 0; c < cells.length; c++) {
      s[c] = String.valueOf(cells[c]);
    }
    return row(s);
  }

  /** Prints the table, each line starting with {@code indent} and without trailing blanks. */
  public void print(PrintStream out, String indent) {
    int[] width = new int[rightAligned.length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      sb.setLength(0);
      sb.append(indent);
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          sb.append("  ");
        }
        String pad = " ".repeat(width[c] - r[c].length());
        sb.append(rightAligned[c] ? pad + r[c] : r[c] + pad);
      }
      out.println(stripTrailing(sb));
    }
  }

  private static String stripTrailing(StringBuilder sb) {
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    return sb.substring(0, end);
  }

  /** {@code v} with four decimals, or {@code -} when it is NaN (a ratio of nothing). */
  public static String ratio(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** {@code v} in plain digits. */
  public static String number(long v) {
    return Long.toString(v);
  }
}
