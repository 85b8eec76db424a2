package io.horn.examples.tools;

/**
 * The command line itself is wrong in a way the parser cannot see (an {@code --out} that names a
 * directory, a {@code --limit} below 1): {@link ModelTool} reports it with the usage line and
 * exits with status 2.
 */
public final class UsageException extends io.horn.bsp.cli.UsageException {
  private static final long serialVersionUID = 1L;

  /** An error whose message says what is wrong with the arguments. */
  public UsageException(String message) {
    super(message);
  }
}
