package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.engine.Evaluation;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.NetworkSpec;
import io.horn.core.parallel.HeapBudget;
import io.horn.core.parallel.NeuronSlices;
import io.horn.core.parallel.SlicedEngine;
import io.horn.paramserver.collective.CollectiveException;
import io.horn.paramserver.collective.GroupCollective;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's training loop in a model-parallel group ({@code horn.parallelism=model}): the
 * member holds its slice of every layer ({@link NeuronSlices}) in a {@link SlicedEngine}, and
 * every member takes the same mini-batches of the whole training set in the same order (the
 * in-process trainer's order for worker 0), so the group trains as one engine would. At the end
 * the group scores the model and the leader writes it, receiving the members' runs one at a
 * time ({@link SliceStream}): no task holds the whole vector to begin, train or end with.
 * Checkpoints are the exception: at a cut the leader assembles the whole weights and optimizer
 * state into a checkpoint of the usual format, and on resume it reads one and hands the members
 * their slices ({@link ModelParallelCheckpoints}). Before anything model-sized is allocated, the
 * member checks that its heap can hold its slice and, on the leader of a job with checkpoints,
 * a cut ({@link HeapBudget}).
 *
 * <p>Confined to the worker's BSP thread.
 */
final class ModelParallelWorker {
  private static final Logger LOG = LoggerFactory.getLogger(ModelParallelWorker.class);

  private ModelParallelWorker() {}

  /**
   * Trains for {@code budget} steps (with a parameter server, {@code pushes}: until the server
   * says the job's budget is spent) from the job's initial weights (this member draws only its
   * slice of them) or from the checkpoint the job resumes from, cutting checkpoints when the
   * job asks for them ({@link ModelParallelCheckpoints}), and scores the result on the test set
   * when there is one (its accuracy goes to the leader's {@code meta}). On the leader the result
   * streams the final parameters ({@link SliceStream}), which the leader must write or {@link
   * SliceStream#drain drain}: the other members hand it their runs before they return.
   */
  static GroupWorker.Result run(NetworkSpec spec, TrainingSettings settings,
      HornConfiguration conf, Configuration hadoop, JobLayout layout, int group, int member,
      Dataset data, GroupCollective collective, long budget, Map<String, String> meta,
      ModelParallelPushes pushes) throws IOException, InterruptedException {
    try {
      return train(spec, settings, conf, hadoop, layout, group, member, data, collective, budget,
          meta, pushes);
    } finally {
      if (pushes != null) {
        pushes.close();
      }
    }
  }

  private static GroupWorker.Result train(NetworkSpec spec, TrainingSettings settings,
      HornConfiguration conf, Configuration hadoop, JobLayout layout, int group, int member,
      Dataset data, GroupCollective collective, long budget, Map<String, String> meta,
      ModelParallelPushes pushes) throws IOException, InterruptedException {
    NeuronSlices slices = NeuronSlices.of(spec, collective.size());
    ModelParallelCheckpoints checkpoints = ModelParallelCheckpoints.of(conf, hadoop, layout,
        slices, member, collective);
    // The slice's engine and the data; at the end the model goes out one run at a time.
    long bytes = HeapBudget.bytes(spec, settings, slices.parameterCount(member),
        settings.batchSize, 0);
    if (checkpoints.holdsWholeState()) {
      // At a cut (and when resuming) the leader holds the whole vector and optimizer state.
      bytes += ModelParallelCheckpoints.heapBytes(spec, settings, slices, member);
    }
    bytes += 4L * data.size() * (data.featureCount() + data.targetCount());
    HeapBudget.check(bytes, slices.parameterCount(member), "model-parallel member " + member
        + " of " + collective.size() + (checkpoints.holdsWholeState() && member == 0
        ? " (the leader, which holds the whole model and its optimizer state at a checkpoint; "
        + "without checkpoints it needs less)" : ""));
    CollectiveExchange exchange = new CollectiveExchange(collective, member);
    SlicedEngine engine = new SlicedEngine(slices, settings, settings.batchSize, exchange);
    // No task ever holds the whole vector while training: each draws its own neurons' weights.
    engine.setParameters(slices.initial(member, settings.initialization, settings.seed));
    LOG.info("model-parallel member {} of {} holds {} of the {} parameters", member,
        collective.size(), slices.parameterCount(member), spec.parameterCount());
    long step = checkpoints.resume(engine, meta);
    if (pushes != null) {
      pushes.start(engine);
    }
    // The hook fails a job's first attempt only, so that the attempt resumed after it succeeds.
    long failAt = member == 0 && hadoop.get(Checkpoints.RESUME_FROM, "").isEmpty()
        ? conf.get(HornOptions.FAIL_STEP) : 0;
    long delayMillis = JobLayout.delayOf(conf, group); // test hook: slower steps
    int in = spec.inputSize();
    int out = spec.outputSize();
    float[] x = new float[in * settings.batchSize];
    float[] t = new float[out * settings.batchSize];
    // Each group its own order of the whole set; every member of a group the same.
    DataCursor place = new DataCursor(data.size(), settings, group);
    place.skip(step, settings.batchSize); // where a resumed group stood in the data
    long began = System.nanoTime();
    long first = step;
    double lastCost = Double.NaN;
    try {
      boolean stop = false;
      // With a server the job's budget is the server's to count: it says when to stop.
      while (pushes != null ? !stop : step < budget) {
        int b = place.next(settings.batchSize);
        data.fill(place.order(), place.start(), b, x, in, t);
        // Dropout drawn as a one-worker data-parallel group in this place would (worker g).
        double cost = engine.trainStep(x, t, b, step + ((long) group << 40));
        if (!Double.isFinite(cost)) {
          throw new TrainingDivergedException("the model-parallel group diverged at step " + step
              + ": the cost became " + cost + "; lower horn.learning.rate (now "
              + settings.learningRate + ")");
        }
        lastCost = cost / b;
        step++;
        if (delayMillis > 0) {
          Thread.sleep(delayMillis);
        }
        checkpoints.afterStep(step, place, engine);
        stop = pushes != null && pushes.afterStep(engine);
        if (step == failAt) {
          throw new IOException("the failure injected at step " + step + " ("
              + "horn.test.fail.step)");
        }
      }
    } finally {
      checkpoints.close(); // the last cut is written and let go before the model goes out
    }
    double secs = (System.nanoTime() - began) / 1e9;
    long ran = step - first;
    double commMs = exchange.nanos() / 1e6 / Math.max(1, ran);
    double stepMs = secs * 1e3 / Math.max(1, ran);
    double pushMs = pushes != null ? pushes.millisPerStep(ran) : 0;
    String timing = String.format(Locale.ROOT, "compute %.2f ms/step, barrier %.2f ms/step, "
        + "push+pull %.2f ms/step, %d steps in %.2f s", stepMs - commMs - pushMs, commMs, pushMs,
        ran, secs);
    if (pushes != null) {
      // The server holds the job's weights: it scores and writes the model.
      pushes.finish(engine, step, timing);
      return new GroupWorker.Result(step, lastCost, null, timing);
    }
    String testPath = conf.get(HornOptions.TEST_PATH);
    if (!testPath.isEmpty()) {
      // Scored here, by the group, because the leader alone may not hold the whole model and an
      // engine for it.
      evaluate(engine, spec, settings.batchSize, testPath, collective, member, meta);
    }
    float[] mine = new float[slices.parameterCount(member)];
    engine.getParameters(mine);
    engine = null; // its state may go before the model is written
    SliceStream stream = new SliceStream(slices, collective, member, mine);
    if (member != 0) {
      // The leader writes the model while the members hand it their runs, one at a time.
      stream.writeTo(null);
    }
    return new GroupWorker.Result(step, lastCost, null, timing).streaming(stream);
  }

  /**
   * Every member reads the test set and the group predicts it batch by batch; the leader puts
   * the accuracy in {@code meta}. A test set that some member cannot read leaves the model
   * unscored on every member (they agree first, so that none waits for the others in vain).
   */
  private static void evaluate(SlicedEngine engine, NetworkSpec spec, int batch,
      String testPath, GroupCollective collective, int member, Map<String, String> meta)
      throws CollectiveException {
    Dataset test = null;
    String error = null;
    try {
      test = Datasets.open(testPath, InputCheck.shape(spec));
      if (test.featureCount() != spec.inputSize() || test.targetCount() != spec.outputSize()) {
        throw new IOException("test data " + testPath + " has " + test.featureCount()
            + " features and " + test.targetCount() + " targets per sample; the network takes "
            + spec.inputSize() + " and gives " + spec.outputSize());
      }
    } catch (IOException | RuntimeException e) {
      error = String.valueOf(e.getMessage());
    }
    double[] readable = {error == null ? 1 : 0};
    collective.allReduce(readable);
    if (member == 0) {
      meta.put(MetadataKeys.DATA_TEST, testPath);
    }
    if (readable[0] < collective.size()) {
      if (member == 0) {
        meta.put(MetadataKeys.TEST_ERROR, error != null ? error
            : "another member of the group could not read " + testPath);
      }
      LOG.error("the model is not scored: {}", error != null ? error : "another member of the "
          + "group could not read " + testPath);
      return;
    }
    int in = spec.inputSize();
    int out = spec.outputSize();
    int[] order = new int[test.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[in * batch];
    float[] t = new float[out * batch];
    float[] y = new float[out * batch];
    int correct = 0;
    for (int from = 0; from < order.length; from += batch) {
      int b = Math.min(batch, order.length - from);
      test.fill(order, from, b, x, in, t);
      engine.predict(x, b, y);
      for (int s = 0; s < b; s++) {
        if (Evaluation.argmax(y, s * out, out) == Evaluation.argmax(t, s * out, out)) {
          correct++;
        }
      }
    }
    if (member == 0) {
      double accuracy = order.length == 0 ? Double.NaN : (double) correct / order.length;
      meta.put(MetadataKeys.TEST_ACCURACY, Double.toString(accuracy));
      meta.put(MetadataKeys.TEST_SAMPLES, Integer.toString(order.length));
      LOG.info("test accuracy {} on {} samples (scored by the model-parallel group)", accuracy,
          order.length);
    }
  }
}
