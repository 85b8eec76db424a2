package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.model.NetworkSpec;
import io.horn.core.parallel.HeapBudget;
import io.horn.core.parallel.NeuronSlices;
import io.horn.core.parallel.SlicedEngine;
import io.horn.paramserver.collective.CollectiveException;
import io.horn.paramserver.collective.GroupCollective;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's training loop in a model-parallel group ({@code horn.parallelism=model}): the
 * member holds its slice of every layer ({@link NeuronSlices}) in a {@link SlicedEngine}, and
 * every member takes the same mini-batches of the whole training set in the same order (the
 * in-process trainer's order for worker 0), so the group trains as one engine would. At the end
 * each member's slice is broadcast in turn and the leader alone assembles the whole vector,
 * which it writes as the model. Before anything model-sized is allocated, the member checks
 * that its heap can hold its slice ({@link HeapBudget}).
 *
 * <p>Confined to the worker's BSP thread.
 */
final class ModelParallelWorker {
  private static final Logger LOG = LoggerFactory.getLogger(ModelParallelWorker.class);

  private ModelParallelWorker() {}

  /**
   * Trains for {@code budget} steps from {@code start} (the whole initial vector; only this
   * member's slice of it is kept) and returns the whole final vector.
   */
  static GroupWorker.Result run(NetworkSpec spec, TrainingSettings settings, int member,
      Dataset data, GroupCollective collective, float[] start, long budget)
      throws CollectiveException {
    NeuronSlices slices = NeuronSlices.of(spec, collective.size());
    HeapBudget.check(HeapBudget.bytes(spec, settings, slices.parameterCount(member),
        settings.batchSize, 0), slices.parameterCount(member), "model-parallel member "
        + member + " of " + collective.size());
    CollectiveExchange exchange = new CollectiveExchange(collective, member);
    SlicedEngine engine = new SlicedEngine(slices, settings, settings.batchSize, exchange);
    engine.setParameters(slices.slice(start, member));
    LOG.info("model-parallel member {} of {} holds {} of the {} parameters", member,
        collective.size(), slices.parameterCount(member), spec.parameterCount());
    int in = spec.inputSize();
    int out = spec.outputSize();
    float[] x = new float[in * settings.batchSize];
    float[] t = new float[out * settings.batchSize];
    DataCursor place = new DataCursor(data.size(), settings, 0);
    long began = System.nanoTime();
    double lastCost = Double.NaN;
    long step = 0;
    while (step < budget) {
      int b = place.next(settings.batchSize);
      data.fill(place.order(), place.start(), b, x, in, t);
      double cost = engine.trainStep(x, t, b);
      if (!Double.isFinite(cost)) {
        throw new TrainingDivergedException("the model-parallel group diverged at step " + step
            + ": the cost became " + cost + "; lower horn.learning.rate (now "
            + settings.learningRate + ")");
      }
      lastCost = cost / b;
      step++;
    }
    double secs = (System.nanoTime() - began) / 1e9;
    double commMs = exchange.nanos() / 1e6 / Math.max(1, step);
    double stepMs = secs * 1e3 / Math.max(1, step);
    String timing = String.format(Locale.ROOT, "compute %.2f ms/step, barrier %.2f ms/step, "
        + "push+pull 0.00 ms/step, %d steps in %.2f s", stepMs - commMs, commMs, step, secs);
    float[] mine = new float[slices.parameterCount(member)];
    engine.getParameters(mine);
    engine = null; // its state may go before the leader assembles the whole vector
    // Each member's slice goes to the leader in turn; only the leader holds the whole vector.
    float[] whole = member == 0 ? new float[spec.parameterCount()] : null;
    for (int m = 0; m < collective.size(); m++) {
      float[] part = m == member ? mine : new float[slices.parameterCount(m)];
      collective.broadcast(part, 0, part.length, m);
      if (whole != null) {
        slices.place(part, m, whole);
      }
    }
    return new GroupWorker.Result(step, lastCost, whole, timing);
  }
}
