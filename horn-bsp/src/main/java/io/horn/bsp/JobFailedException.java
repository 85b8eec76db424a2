package io.horn.bsp;

import java.io.IOException;

/**
 * A submitted job failed. {@link #retryable()} says whether running it again (from its newest
 * checkpoint) could get past the failure: a lost or stalled task can be, bad input or a diverged
 * model cannot.
 */
public final class JobFailedException extends IOException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  JobFailedException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  JobFailedException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
