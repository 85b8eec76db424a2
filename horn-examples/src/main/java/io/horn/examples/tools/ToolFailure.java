package io.horn.examples.tools;

/**
 * The arguments were well formed but the work cannot be done (data of the wrong shape, an empty
 * input): {@link ModelTool} reports it and exits with status 1, as it does for I/O errors.
 */
public final class ToolFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** A failure whose message names the file and the problem. */
  public ToolFailure(String message) {
    super(message);
  }
}
