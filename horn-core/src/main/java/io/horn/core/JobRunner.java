package io.horn.core;

/**
 * Runs a {@link HornJob}: horn-core's in-process trainer, or a runner from another module (such
 * as horn-bsp's Hama runner), found with {@link java.util.ServiceLoader} (register in {@code
 * META-INF/services/io.horn.core.JobRunner}).
 *
 * <p>Contract: a public no-argument constructor; thread-safe.
 */
public interface JobRunner {

  /** The name users select it by ({@code horn.runner}). */
  String name();

  /** Higher wins under {@code horn.runner=auto}. The in-process runner is 0. */
  int priority();

  /**
   * Runs the job to completion.
   *
   * @return true when training finished and the model (if a path was set) was written
   */
  boolean run(HornJob job, boolean verbose) throws java.io.IOException, InterruptedException;
}
