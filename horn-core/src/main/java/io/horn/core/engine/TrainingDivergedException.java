package io.horn.core.engine;

/** Training produced a non-finite cost: the weights are no longer usable. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
