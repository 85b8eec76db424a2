package io.horn.bsp;

import io.horn.core.engine.ProgressBoard;

/**
 * Where a group leader's progress goes: the submitter's live board directly when the tasks are
 * threads of its JVM, or files the submitter reads when they run in child JVMs ({@link
 * ProgressFiles}). Confined to the leader's thread.
 */
interface ProgressSink {
  void update(int group, int epoch, long step, double cost, double samplesPerSecond);

  void accuracy(int group, double accuracy);

  /** The job's step budget, for the bar and the ETA. */
  void totalSteps(long steps);

  /** Passes on what is held back (the last word of a finished group). */
  default void flush() {}

  /** The board itself, in the submitter's JVM. */
  static ProgressSink of(ProgressBoard board) {
    return new ProgressSink() {
      @Override
      public void update(int group, int epoch, long step, double cost, double rate) {
        board.update(group, epoch, step, cost, rate);
      }

      @Override
      public void accuracy(int group, double accuracy) {
        board.accuracy(group, accuracy);
      }

      @Override
      public void totalSteps(long steps) {
        board.setTotalSteps(steps);
      }
    };
  }
}
