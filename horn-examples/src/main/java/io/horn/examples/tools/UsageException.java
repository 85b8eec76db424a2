package io.horn.examples.tools;

/**
 * The command line itself is wrong (an unknown option, a missing argument, a bad option value):
 * {@link ModelTool} reports it with the usage line and exits with status 2.
 */
public final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An error whose message says what is wrong with the arguments. */
  public UsageException(String message) {
    super(message);
  }
}
