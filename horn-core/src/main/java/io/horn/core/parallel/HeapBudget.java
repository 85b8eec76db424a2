package io.horn.core.parallel;

import io.horn.core.TrainingMethod;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.NetworkSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * Whether a task's heap can hold what its engine will allocate, checked before anything
 * model-sized is allocated, so that a model too large for one task fails at once with a message
 * naming the model, the heap and the way out, instead of an {@link OutOfMemoryError} somewhere
 * in the middle of setting up.
 *
 * <p>The estimate counts the arrays the engines keep per parameter (weights, previous change,
 * gradient sums, Adam's two moments, and {@code extraCopies} more the caller holds, such as a
 * data-parallel worker's copies for the parameter server and its group) and per unit of a
 * mini-batch (activations and errors, twice over for the exchange buffers); it is a floor, not
 * an exact figure, and the check leaves a tenth of the heap for everything else.
 */
public final class HeapBudget {
  private HeapBudget() {}

  /** Bytes the engine of {@code parameters} weights of {@code spec} needs at batch size. */
  public static long bytes(NetworkSpec spec, TrainingSettings settings, long parameters,
      int batch, int extraCopies) {
    int perParameter = 3 + extraCopies + (settings.method == TrainingMethod.ADAM ? 2 : 0);
    long units = 0;
    for (int l = 0; l < spec.depth(); l++) {
      units += spec.size(l) + 1;
    }
    return 4L * parameters * perParameter + 4L * 4 * units * batch;
  }

  /**
   * Throws {@link ModelTooLargeException} when {@code bytes} exceed nine tenths of the room this
   * JVM has for long-lived arrays ({@link #room}); {@code what} says whose engine it is (e.g.
   * "worker 3").
   */
  public static void check(long bytes, long parameters, String what) {
    long heap = Runtime.getRuntime().maxMemory();
    long room = room();
    if (bytes > room / 10 * 9) {
      throw new ModelTooLargeException(String.format(Locale.ROOT, "%s cannot hold its part of "
          + "the model: %,d parameters need about %d MB with their optimizer state, gradients "
          + "and buffers, and the task's heap is %d MB%s; train it model-parallel (%s=model, "
          + "several workers in one group) or give the tasks more heap", what, parameters,
          bytes >> 20, heap >> 20, room < heap ? String.format(Locale.ROOT, ", of which %d MB "
              + "can hold long-lived arrays (its old generation)", room >> 20) : "",
          HornOptions.PARALLELISM.key()));
    }
  }

  /**
   * The room for long-lived arrays: a model's arrays outlive every young collection, so with a
   * collector whose old generation has a fixed size (Serial, Parallel: about two thirds of the
   * heap) they must fit there; with the others (G1, ZGC) the whole heap.
   */
  static long room() {
    long heap = Runtime.getRuntime().maxMemory();
    long room = heap;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      String name = p.getName();
      if (p.getType() == MemoryType.HEAP && (name.contains("Old Gen")
          || name.contains("Tenured"))) {
        long max = p.getUsage().getMax();
        if (max > 0) {
          room = Math.min(room, max);
        }
      }
    }
    return room;
  }
}
