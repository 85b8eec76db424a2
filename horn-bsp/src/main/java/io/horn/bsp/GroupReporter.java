package io.horn.bsp;

import io.horn.core.data.Dataset;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Evaluation;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import io.horn.core.model.HistoryRecord;

/**
 * A group leader's progress: every check interval it records the mean cost (and, once per pass
 * over the group's data, the held-out accuracy) into a history that ends up in the model's
 * metadata, and updates the live board when the job's submitter runs in this JVM.
 *
 * <p>Confined to the leader's thread.
 */
final class GroupReporter {
  private final int group;
  private final ProgressSink board;
  private final Dataset test;
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final long evalEvery;
  private final java.util.List<HistoryRecord> history = new java.util.ArrayList<>();
  private final long start = System.nanoTime();
  private final float[] weights;
  private double intervalCost;
  private long totalSamples;
  private double lastMean = Double.NaN;
  private long intervalSamples;
  private long intervalStart = System.nanoTime();
  private long snapshotEvery;
  /** Weights copied during training, evaluated after it: {seconds, step, mean cost} + copy. */
  private final java.util.List<double[]> snapshotTimes = new java.util.ArrayList<>();
  private final java.util.List<float[]> snapshots = new java.util.ArrayList<>();

  /**
   * @param board where progress goes (the live board or files for it), or null
   * @param test held-out data evaluated every {@code evalEvery} steps, or null
   */
  GroupReporter(int group, ProgressSink board, Dataset test, NetworkSpec spec,
      TrainingSettings settings, long evalEvery) {
    this.group = group;
    this.board = board;
    this.test = test;
    this.spec = spec;
    this.settings = settings;
    this.evalEvery = Math.max(1, evalEvery);
    this.weights = test != null ? new float[spec.parameterCount()] : null;
  }

  /**
   * Copies the weights every {@code steps} steps, to be evaluated on the held-out data after
   * training ({@link #finish}), so that the evaluation costs the training no time.
   */
  void snapshotEvery(long steps) {
    this.snapshotEvery = steps;
  }

  void step(long step, int epoch, int samples, double cost, NetworkEngine engine) {
    intervalCost += cost;
    intervalSamples += samples;
    totalSamples += samples;
    if (snapshotEvery > 0 && test != null && step % snapshotEvery == 0) {
      float[] copy = new float[spec.parameterCount()];
      engine.getParameters(copy);
      snapshots.add(copy);
      snapshotTimes.add(new double[] {(System.nanoTime() - start) / 1e9, step,
          intervalCost / Math.max(1, intervalSamples)});
    }
    boolean evaluate = test != null && step % evalEvery == 0;
    if (step % settings.convergenceCheckInterval != 0 && !evaluate) {
      return;
    }
    double secs = (System.nanoTime() - intervalStart) / 1e9;
    double mean = intervalCost / Math.max(1, intervalSamples);
    lastMean = mean;
    double rate = intervalSamples / Math.max(1e-9, secs);
    double acc = Double.NaN;
    if (evaluate) {
      engine.getParameters(weights);
      try (NetworkEngine e = new CpuBackend().createEngine(spec, settings, 1000)) {
        e.setParameters(weights);
        acc = Evaluation.of(e, test).accuracy();
      }
    }
    history.add(new HistoryRecord((System.nanoTime() - start) / 1e9, step, mean, acc));
    if (board != null) {
      board.update(group, epoch, step, mean, rate);
      if (!Double.isNaN(acc)) {
        board.accuracy(group, acc);
      }
    }
    intervalCost = 0;
    intervalSamples = 0;
    intervalStart = System.nanoTime();
  }

  /** The last word on the board: the group's final step count; evaluates the snapshots. */
  void finish(long step, int epoch) {
    if (!snapshots.isEmpty()) {
      try (NetworkEngine e = new CpuBackend().createEngine(spec, settings, 1000)) {
        for (int i = 0; i < snapshots.size(); i++) {
          e.setParameters(snapshots.get(i));
          double[] t = snapshotTimes.get(i);
          history.add(new HistoryRecord(t[0], (long) t[1], t[2],
              Evaluation.of(e, test).accuracy()));
        }
      }
      snapshots.clear();
    }
    if (board != null) {
      double secs = (System.nanoTime() - start) / 1e9;
      board.update(group, epoch, step, lastMean, totalSamples / Math.max(1e-9, secs));
      board.flush();
    }
  }

  /** The history's text form, as the model's metadata and the parameter server take it. */
  String history() {
    return HistoryRecord.encode(history);
  }
}
