package io.horn.bsp;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.paramserver.ParameterServerProtocol;
import io.horn.paramserver.ParamsWritable;
import io.horn.paramserver.PullReply;
import java.io.IOException;
import io.horn.core.data.Shuffle;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's training loop inside a task group. Every step: compute gradient sums on the
 * worker's own slice of the group's mini-batch, reduce them across the group behind the region
 * barrier, apply the group's sum (so all members hold the same weights after every step). Every
 * {@code pushInterval} steps the leader pushes the group's weight delta to the parameter server
 * and pulls the master weights, which the other members fetch from it.
 *
 * <p>Confined to the worker's BSP thread.
 */
final class GroupWorker {
  private static final Logger LOG = LoggerFactory.getLogger(GroupWorker.class);

  /** What a finished worker reports. */
  static final class Result {
    final long steps;
    final double lastCost;
    final float[] weights;
    /** Milliseconds per step computing, waiting at the barrier, and pushing/pulling. */
    final String timing;
    /** The leader's progress records, or empty. */
    String history = "";

    Result(long steps, double lastCost, float[] weights, String timing) {
      this.steps = steps;
      this.lastCost = lastCost;
      this.weights = weights;
      this.timing = timing;
    }
  }

  private final int group;
  private final int member;
  private final int worker;
  private final TrainingSettings settings;
  private final NetworkEngine engine;
  private final Dataset data;
  private final int localBatch;
  private final GroupProtocol barrier;
  private final GroupCoordinator leader;
  private final ParameterServerProtocol ps;
  private final boolean paramServer;
  private final int pushInterval;
  private final long localBudget;
  private final long delayMillis;
  private final GroupTrace trace;
  private final ProgressTrace progress;
  private GroupReporter reporter;
  private long computeNanos;
  private long barrierNanos;
  private long pushNanos;

  /**
   * @param leader this group's coordinator when this worker leads it, else null
   * @param barrier the coordinator, local or a proxy
   * @param ps the parameter server, for the leader only (null for other members)
   * @param paramServer whether the group synchronises with a parameter server
   * @param localBudget steps after which the group stops without a server; 0 = the server says
   */
  GroupWorker(int group, int member, int worker, TrainingSettings settings, NetworkEngine engine,
      Dataset data, int localBatch, GroupProtocol barrier, GroupCoordinator leader,
      ParameterServerProtocol ps, boolean paramServer, int pushInterval, long localBudget,
      long delayMillis) {
    this.group = group;
    this.member = member;
    this.worker = worker;
    this.settings = settings;
    this.engine = engine;
    this.data = data;
    this.localBatch = localBatch;
    this.barrier = barrier;
    this.leader = leader;
    this.ps = ps;
    this.paramServer = paramServer;
    this.pushInterval = pushInterval;
    this.localBudget = localBudget;
    this.delayMillis = delayMillis;
    this.trace = GroupTrace.forJob(settings);
    this.progress = group == 0 && member == 0 ? ProgressTrace.forJob(settings) : null;
  }

  /** The leader reports progress through {@code r}. */
  GroupWorker reportTo(GroupReporter r) {
    this.reporter = r;
    return this;
  }

  Result run(float[] start) throws IOException, InterruptedException {
    engine.setParameters(start);
    float[] lastPulled = start.clone();
    float[] current = new float[start.length];
    int in = engine.spec().inputSize();
    int out = engine.spec().outputSize();
    float[] x = new float[in * localBatch];
    float[] t = new float[out * localBatch];
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    int epoch = 0;
    int cursor = order.length;
    Gradients g = new Gradients(start.length);
    long step = 0;
    long sincePush = 0;
    double lastCost = Double.NaN;
    boolean stop = localBudget > 0 && step >= localBudget;
    if (progress != null) {
      progress.begin();
    }
    while (!stop) {
      if (cursor >= order.length) {
        // Worker 0 shuffles exactly as the in-process Trainer does, so a 1x1 job repeats it.
        if (settings.shuffle) {
          Shuffle.shuffle(order, new SplittableRandom(settings.seed + 31L * epoch + 1_000_003L * worker));
        }
        epoch++;
        cursor = 0;
      }
      int b = Math.min(localBatch, order.length - cursor);
      data.fill(order, cursor, b, x, in, t);
      cursor += b;
      long t0 = System.nanoTime();
      g.clear();
      engine.computeGradients(x, t, b, step + ((long) worker << 40), g);
      long t1 = System.nanoTime();
      StepReply reply = barrier.reduce(member, step,
          new ParamsWritable(step, g.count(), g.cost(), g.sums()));
      long t2 = System.nanoTime();
      ParamsWritable sum = reply.sum();
      if (!Double.isFinite(sum.cost())) {
        throw new TrainingDivergedException("group " + group + " diverged at step " + step
            + ": the cost became " + sum.cost() + "; lower horn.learning.rate (now "
            + settings.learningRate + ")");
      }
      engine.applyUpdate(Gradients.wrap(sum.values(), sum.samples(), sum.cost()));
      computeNanos += t1 - t0 + System.nanoTime() - t2;
      barrierNanos += t2 - t1;
      lastCost = sum.cost() / sum.samples();
      step++;
      if (reporter != null) {
        reporter.step(step, epoch, sum.samples(), sum.cost(), engine);
      }
      if (trace != null) {
        engine.getParameters(current);
        trace.record(group, member, step, current);
      }
      sincePush++;
      stop = reply.stop() || (localBudget > 0 && step >= localBudget);
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      if (paramServer && !stop && sincePush == pushInterval) {
        long t3 = System.nanoTime();
        if (leader != null) {
          engine.getParameters(current);
          float[] pulled = pushDelta(current, lastPulled, (int) sincePush);
          lastPulled = pulled;
          leader.publish(step, pulled);
        } else {
          lastPulled = barrier.fetch(member, step).values();
        }
        engine.setParameters(lastPulled);
        sincePush = 0;
        pushNanos += System.nanoTime() - t3;
      }
      if (progress != null && progress.due()) {
        engine.getParameters(current);
        progress.add(step, current);
      }
      if (member == 0 && step % settings.convergenceCheckInterval == 0) {
        LOG.debug(String.format("group %d step %d cost %.4f", group, step, lastCost));
      }
    }
    engine.getParameters(current);
    if (ps != null && leader != null && sincePush > 0) {
      pushDelta(current, lastPulled, (int) sincePush);
    }
    if (progress != null) {
      progress.add(step, current);
    }
    double per = Math.max(step, 1) * 1e6;
    String timing = String.format(java.util.Locale.ROOT,
        "compute %.2f ms/step, barrier %.2f ms/step, push+pull %.2f ms/step", computeNanos / per,
        barrierNanos / per, pushNanos / per);
    LOG.info("group {} member {}: {} steps; {}", group, member, step, timing);
    Result r = new Result(step, lastCost, current, timing);
    if (reporter != null) {
      reporter.finish(step, epoch);
      r.history = reporter.history();
    }
    return r;
  }

  /** The leader's push: delta = current - lastPulled; returns the master weights. */
  private float[] pushDelta(float[] current, float[] lastPulled, int steps) throws IOException {
    float[] delta = new float[current.length];
    for (int i = 0; i < delta.length; i++) {
      delta[i] = current[i] - lastPulled[i];
    }
    PullReply r = ps.pushAndPull(group, steps, new ParamsWritable(0, 0, 0, delta));
    if (!r.accepted()) {
      throw new IOException("the parameter server rejected group " + group + "'s push: "
          + r.error());
    }
    if (r.stop()) {
      leader.requestStop();
    }
    return r.params().values();
  }
}
