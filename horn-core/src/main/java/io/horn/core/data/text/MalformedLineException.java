package io.horn.core.data.text;

/**
 * A line of a text dataset that cannot be read, with the column at fault: the field number
 * (from 1) in a CSV line, the character position (from 1) in a LibSVM line. The reader that knows
 * the file and the line number turns it into a {@link io.horn.core.data.DataFormatException}
 * ({@link #describe}).
 */
public final class MalformedLineException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int column;
  private final String problem;

  public MalformedLineException(int column, String problem) {
    super("column " + column + ": " + problem);
    this.column = column;
    this.problem = problem;
  }

  /** The column at fault, from 1. */
  public int column() {
    return column;
  }

  /** What is wrong there. */
  public String problem() {
    return problem;
  }

  /** {@code <file>, line <n>, column <c>: <problem>}, the form every text reader reports. */
  public String describe(String file, long line) {
    return file + ", line " + line + ", column " + column + ": " + problem;
  }
}
