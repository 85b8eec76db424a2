package io.horn.core.engine;

import java.util.Arrays;

/**
 * Where a CPU engine's training steps spend their time, summed since the engine was made: the
 * BLAS products and each element-wise piece around them. Benchmarks read it through {@link
 * CpuBackend#phaseNanos} to show which piece keeps the fast path from the sgemm ceiling.
 *
 * <p>Not thread-safe: written by the engine's calling thread only, like the engine itself.
 */
final class StepPhases {
  /** The pieces of a step, in the order the benchmark prints them. */
  enum Phase {
    /** The sgemm calls (forward products, gradients, errors). */
    BLAS,
    /** Copying the features under the bias row of ones. */
    INPUT,
    /** Activation functions and dropout after each forward product. */
    ACTIVATE,
    /** Cost and the output layer's error. */
    COST,
    /** Activation derivatives and dropout masks on the errors. */
    DERIVATIVE,
    /** Layers of user-written neurons, forward and backward. */
    NEURONS,
    /** The optimizer's update of every parameter. */
    UPDATE,
    /** Waiting for the engine's other threads (barriers, blocks of a gradient to report). */
    SYNC
  }

  private final long[] nanos = new long[Phase.values().length];
  private long mark;

  /** Starts timing a piece. */
  void start() {
    mark = System.nanoTime();
  }

  /** Ends the piece started last, charging it to {@code p}, and starts the next one. */
  void charge(Phase p) {
    long now = System.nanoTime();
    nanos[p.ordinal()] += now - mark;
    mark = now;
  }

  long get(Phase p) {
    return nanos[p.ordinal()];
  }

  long[] snapshot() {
    return Arrays.copyOf(nanos, nanos.length);
  }
}
