package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Shuffle;
import java.util.SplittableRandom;

/**
 * A worker's place in its data: the order of the current pass, the passes begun and the samples
 * taken from the current one. Each pass shuffles the previous order with a generator seeded by
 * the job's seed, the pass and the worker, exactly as the in-process trainer does, so a place is
 * a function of the number of batches taken, and {@link #skip} finds it again after a restart.
 *
 * <p>Not thread-safe; one per worker.
 */
final class DataCursor {
  private final int[] order;
  private final TrainingSettings settings;
  private final int worker;
  private int epoch;
  private int cursor;
  private int start;

  DataCursor(int samples, TrainingSettings settings, int worker) {
    this.order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    this.settings = settings;
    this.worker = worker;
    this.cursor = samples;
  }

  /** Takes the next batch of at most {@code batch} samples; returns its size. */
  int next(int batch) {
    if (cursor >= order.length) {
      if (settings.shuffle) {
        Shuffle.shuffle(order, new SplittableRandom(settings.seed + 31L * epoch
            + 1_000_003L * worker));
      }
      epoch++;
      cursor = 0;
    }
    int b = Math.min(batch, order.length - cursor);
    start = cursor;
    cursor += b;
    return b;
  }

  /** Takes {@code batches} batches without reading them: where a resumed worker stood. */
  void skip(long batches, int batch) {
    for (long i = 0; i < batches; i++) {
      next(batch);
    }
  }

  /** The order of the current pass; the last batch is {@code order()[start() .. +size)}. */
  int[] order() {
    return order;
  }

  int start() {
    return start;
  }

  /** Passes begun. */
  int epoch() {
    return epoch;
  }

  /** Samples taken from the current pass. */
  int cursor() {
    return cursor;
  }
}
