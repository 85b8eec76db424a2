package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.model.NetworkSpec;
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
 * the members' slices are summed into the whole weight vector (each member contributes its own
 * runs, zeros elsewhere), which the leader writes as the model.
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
    float[] whole = new float[spec.parameterCount()];
    slices.place(mine, member, whole);
    collective.allReduce(whole, 0, whole.length);
    return new GroupWorker.Result(step, lastCost, whole, timing);
  }
}
