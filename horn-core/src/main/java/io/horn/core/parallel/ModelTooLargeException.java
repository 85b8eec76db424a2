package io.horn.core.parallel;

/**
 * A task's heap cannot hold its part of the model ({@link HeapBudget}). Deterministic: running
 * the job again on the same heaps fails the same way, so a runner should not retry it.
 */
public final class ModelTooLargeException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ModelTooLargeException(String message) {
    super(message);
  }
}
