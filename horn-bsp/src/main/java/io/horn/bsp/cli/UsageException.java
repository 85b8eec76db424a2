package io.horn.bsp.cli;

/**
 * The command line is wrong in a way the parser cannot see (two options that exclude each other,
 * a value that names no file): {@link Cli} reports it like a parse error, with the usage, and
 * exits 2.
 */
public class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An error whose message names the option or argument and what is wrong with it. */
  public UsageException(String message) {
    super(message);
  }
}
