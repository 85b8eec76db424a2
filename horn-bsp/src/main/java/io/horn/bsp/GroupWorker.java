package io.horn.bsp;

import io.horn.core.checkpoint.GroupState;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.engine.TrainingDivergedException;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.paramserver.ParameterServerClient;
import io.horn.paramserver.collective.GroupCollective;
import io.horn.paramserver.collective.OverlappedReducer;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's training loop inside a task group. Every step: compute gradient sums on the
 * worker's own slice of the group's mini-batch while the group sums each finished layer
 * (the region barrier is the end of that all-reduce), apply the group's sum (so all members hold
 * the same weights after every step). Every {@code pushInterval} steps the leader pushes the
 * group's weight delta to the parameter server, pulls the master weights and broadcasts them to
 * the members. The leader's stop (the job's step budget is spent) travels in the next step's
 * header, so every member stops after the same step.
 *
 * <p>Confined to the worker's BSP thread (plus the reducer's communication thread).
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
    /**
     * A model-parallel group's final parameters, streamed from the members as the leader writes
     * them ({@link #weights} is then null); null otherwise.
     */
    SliceStream stream;

    Result(long steps, double lastCost, float[] weights, String timing) {
      this.steps = steps;
      this.lastCost = lastCost;
      this.weights = weights;
      this.timing = timing;
    }

    Result streaming(SliceStream s) {
      this.stream = s;
      return this;
    }
  }

  private final int group;
  private final int member;
  private final int worker;
  private final TrainingSettings settings;
  private final NetworkEngine engine;
  private final Dataset data;
  private final int localBatch;
  private final GroupCollective collective;
  private final boolean overlap;
  private final ParameterServerClient ps;
  private final boolean paramServer;
  private final int pushInterval;
  private final long localBudget;
  private final long delayMillis;
  private final GroupTrace trace;
  private final ProgressTrace progress;
  private GroupReporter reporter;
  private GroupState resume;
  private LeaderCheckpoints checkpoints;
  private long failAt;
  private long computeNanos;
  private long barrierNanos;
  private long pushNanos;

  /**
   * @param collective this member's handle on the group's collectives
   * @param overlap sum each layer while the engine computes the layers below
   * @param ps the parameter server, for the leader only (null for other members)
   * @param paramServer whether the group synchronises with a parameter server
   * @param localBudget steps after which the group stops without a server; 0 = the server says
   */
  GroupWorker(int group, int member, int worker, TrainingSettings settings, NetworkEngine engine,
      Dataset data, int localBatch, GroupCollective collective, boolean overlap,
      ParameterServerClient ps, boolean paramServer, int pushInterval, long localBudget,
      long delayMillis) {
    this.group = group;
    this.member = member;
    this.worker = worker;
    this.settings = settings;
    this.engine = engine;
    this.data = data;
    this.localBatch = localBatch;
    this.collective = collective;
    this.overlap = overlap;
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

  /** The group continues from {@code state} (a checkpoint's) instead of step 0. */
  GroupWorker resumeFrom(GroupState state) {
    this.resume = state;
    return this;
  }

  /** The leader of a group without a parameter server cuts checkpoints through {@code c}. */
  GroupWorker checkpointTo(LeaderCheckpoints c) {
    this.checkpoints = c;
    return this;
  }

  /** Test hook: fail at step {@code step} (0: never). */
  GroupWorker failAt(long step) {
    this.failAt = step;
    return this;
  }

  Result run(float[] start) throws IOException, InterruptedException {
    try (OverlappedReducer reducer = overlap && collective.size() > 1
        ? new OverlappedReducer(collective, "horn-collective-g" + group + "m" + member + "-reduce")
        : null) {
      return train(start, reducer);
    }
  }

  private Result train(float[] start, OverlappedReducer reducer)
      throws IOException, InterruptedException {
    boolean leads = member == 0;
    // Every member starts from the leader's weights (the server's, when there is one).
    collective.broadcast(start, 0, start.length, 0);
    checkSameStart(start);
    engine.setParameters(start);
    float[] lastPulled = start.clone();
    float[] current = new float[start.length];
    int in = engine.spec().inputSize();
    int out = engine.spec().outputSize();
    float[] x = new float[in * localBatch];
    float[] t = new float[out * localBatch];
    DataCursor place = new DataCursor(data.size(), settings, worker);
    Gradients g = new Gradients(start.length);
    double[] header = new double[3];
    long began = System.nanoTime();
    long step = 0;
    if (resume != null) {
      // Where the group stood at the checkpoint: its step, optimizer and place in the data.
      step = resume.steps();
      place.skip(step, localBatch);
      if (!resume.finished()) {
        engine.restoreOptimizerState(resume.optimizer());
      }
      LOG.info("worker {} resumes at step {} (pass {}, sample {} of its data)", worker, step,
          place.epoch(), place.cursor());
    }
    long sincePush = 0;
    double intervalCost = 0;
    long intervalSamples = 0;
    double lastCost = Double.NaN;
    boolean stopRequested = false;
    boolean stop = localBudget > 0 && step >= localBudget;
    boolean alone = collective.size() == 1 && reducer == null;
    if (progress != null) {
      progress.begin();
    }
    while (!stop) {
      int b = place.next(localBatch);
      data.fill(place.order(), place.start(), b, x, in, t);
      long t0 = System.nanoTime();
      g.clear();
      long seed = step + ((long) worker << 40);
      if (alone) {
        // A group of one sums nothing: the step the in-process trainer takes (the engine may
        // fuse the update into it), with the same bits.
        header[1] = engine.trainStep(x, t, b, seed, g);
        header[0] = b;
      } else if (reducer != null) {
        reducer.begin(g.sums());
        engine.computeGradients(x, t, b, seed, g, reducer);
      } else {
        engine.computeGradients(x, t, b, seed, g);
      }
      long t1 = System.nanoTime();
      if (!alone) {
        header[0] = g.count();
        header[1] = g.cost();
      }
      header[2] = leads && stopRequested ? 1 : 0;
      if (reducer != null) {
        reducer.finish(header);
      } else if (!alone) {
        collective.allReduce(g.sums(), 0, g.sums().length);
        collective.allReduce(header);
      }
      long t2 = System.nanoTime();
      int samples = (int) header[0];
      double cost = header[1];
      if (!Double.isFinite(cost)) {
        throw new TrainingDivergedException("group " + group + " diverged at step " + step
            + ": the cost became " + cost + "; lower horn.learning.rate (now "
            + settings.learningRate + ")");
      }
      if (!alone) {
        engine.applyUpdate(Gradients.wrap(g.sums(), samples, cost));
      }
      computeNanos += t1 - t0 + System.nanoTime() - t2;
      barrierNanos += t2 - t1;
      lastCost = cost / samples;
      step++;
      if (reporter != null) {
        reporter.step(step, place.epoch(), samples, cost, engine);
      }
      if (trace != null) {
        engine.getParameters(current);
        trace.record(group, member, step, current);
      }
      sincePush++;
      intervalCost += cost;
      intervalSamples += samples;
      if (step % settings.convergenceCheckInterval == 0) {
        // As the in-process trainer: the group stops once its mean cost over a check interval
        // falls below the threshold (the leader's stop reaches the members in the next header).
        if (leads && intervalCost / intervalSamples < settings.convergenceThreshold) {
          LOG.info("group {} converged at step {}: mean cost {} < {}", group, step,
              intervalCost / intervalSamples, settings.convergenceThreshold);
          stopRequested = true;
        }
        intervalCost = 0;
        intervalSamples = 0;
      }
      stop = header[2] > 0 || (localBudget > 0 && step >= localBudget);
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      if (checkpoints != null) {
        checkpoints.afterStep(step, place, engine);
      }
      if (step == failAt) {
        throw new IOException("the failure injected at step " + step + " ("
            + "horn.test.fail.step)");
      }
      if (paramServer && !stop && sincePush == pushInterval) {
        long t3 = System.nanoTime();
        if (leads) {
          engine.getParameters(current);
          stopRequested |= pushDelta(current, lastPulled, (int) sincePush);
          sendStateIfWanted(step, place);
        }
        // The master weights (in lastPulled on the leader) go to every member.
        collective.broadcast(lastPulled, 0, lastPulled.length, 0);
        engine.setParameters(lastPulled);
        sincePush = 0;
        pushNanos += System.nanoTime() - t3;
      }
      if (progress != null && progress.due()) {
        engine.getParameters(current);
        progress.add(step, current);
      }
      if (leads && step % settings.convergenceCheckInterval == 0) {
        LOG.debug(String.format("group %d step %d cost %.4f", group, step, lastCost));
      }
    }
    engine.getParameters(current);
    if (ps != null && sincePush > 0) {
      float[] end = current.clone();
      pushDelta(end, lastPulled, (int) sincePush);
      sendStateIfWanted(step, place);
    }
    if (progress != null) {
      progress.add(step, current);
    }
    double per = Math.max(step, 1) * 1e6;
    String timing = String.format(java.util.Locale.ROOT,
        "compute %.2f ms/step, barrier %.2f ms/step, push+pull %.2f ms/step, %d steps in %.2f s",
        computeNanos / per, barrierNanos / per, pushNanos / per, step,
        (System.nanoTime() - began) / 1e9);
    LOG.info("group {} member {}: {} steps; {}", group, member, step, timing);
    Result r = new Result(step, lastCost, current, timing);
    if (reporter != null) {
      reporter.finish(step, place.epoch());
      r.history = reporter.history();
    }
    return r;
  }

  /**
   * Fails unless every member holds the same start weights: each contributes two 16-bit halves
   * of a CRC of its weights and their squares; the sums equal size × own value for every member
   * only when all the values are equal (zero variance), and stay exact in doubles.
   */
  private void checkSameStart(float[] start) throws IOException {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * start.length);
    b.asFloatBuffer().put(start);
    crc.update(b.array());
    long h = crc.getValue();
    double lo = h & 0xFFFF;
    double hi = h >>> 16;
    double[] sums = {lo, hi, lo * lo, hi * hi};
    collective.allReduce(sums);
    int p = collective.size();
    if (sums[0] != p * lo || sums[1] != p * hi || sums[2] != p * lo * lo
        || sums[3] != p * hi * hi) {
      throw new IllegalStateException("group " + group + ": its members do not start from the "
          + "same weights (member " + member + " holds CRC " + Long.toHexString(h) + ")");
    }
  }

  /** A checkpoint is being cut: the server wants the group's state as of the push just made. */
  private void sendStateIfWanted(long step, DataCursor place) throws IOException {
    if (ps.checkpointWanted()) {
      ps.sendState(new GroupState(group, step, place.epoch(), place.cursor(),
          engine.optimizerState()));
    }
  }

  /**
   * The leader's push: sends {@code current - lastPulled} and receives the master weights into
   * {@code lastPulled}; returns whether the job's step budget is spent.
   */
  private boolean pushDelta(float[] current, float[] lastPulled, int steps) throws IOException {
    for (int i = 0; i < current.length; i++) {
      current[i] -= lastPulled[i];
    }
    return ps.pushAndPull(steps, current, lastPulled);
  }
}
