package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointWriter;
import io.horn.core.TrainingMethod;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.GroupState;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import io.horn.core.parallel.NeuronSlices;
import io.horn.core.parallel.SlicedEngine;
import io.horn.paramserver.collective.CollectiveException;
import io.horn.paramserver.collective.GroupCollective;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of a model-parallel group ({@code horn.parallelism=model}), in the very format of
 * a data-parallel job's: the whole weight vector and one group's optimizer state over the whole
 * vector, so that {@code bin/horn info|eval|predict} and a resumed job of either kind read them
 * as any other.
 *
 * <p><b>The cut.</b> Members run in lock-step, so a step interval falls on the same step on
 * every member by itself; a time interval is the leader's decision, shared after every step by
 * an all-reduce of one flag (one small header per step, only while a time interval is set). At a
 * cut each member's weight slice, then each part of its optimizer state, is broadcast in turn;
 * the leader places them into whole vectors and hands them, without copies, to the {@link
 * CheckpointWriter}, which writes while the group trains on. Before assembling the next cut the
 * leader waits until the previous one is written, so it never holds two.
 *
 * <p><b>Resume.</b> Only the leader reads the checkpoint; it tells the members the step and the
 * updates in one header, then broadcasts each member's slices of the weights and optimizer
 * state in turn; each member keeps its own and finds its place in the data by replaying the
 * steps, as a data-parallel member does.
 *
 * <p><b>Memory.</b> At a cut and when resuming the leader holds the whole vector and the whole
 * optimizer state, and the writer copies the optimizer state once more while it writes ({@link
 * #heapBytes}); the other members hold one more copy of their own slices.
 *
 * <p>Confined to the member's training thread (the writer has its own).
 */
final class ModelParallelCheckpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelParallelCheckpoints.class);

  private final NeuronSlices slices;
  private final int member;
  private final GroupCollective collective;
  private final boolean enabled;
  private final boolean resuming;
  private final long everySteps;
  private final long everyMillis;
  private final Map<String, String> metadata;
  private final HornConfiguration conf;
  private final Configuration hadoop;
  private final JobLayout layout;
  private CheckpointWriter writer; // the leader's, from its first cut
  private final double[] flag = new double[1];
  private long sequence = 1;
  private boolean closed;
  private long lastStep;
  private long lastMillis = System.currentTimeMillis();

  private ModelParallelCheckpoints(HornConfiguration conf, Configuration hadoop,
      JobLayout layout, NeuronSlices slices, int member, GroupCollective collective) {
    this.conf = conf;
    this.hadoop = hadoop;
    this.layout = layout;
    this.slices = slices;
    this.member = member;
    this.collective = collective;
    this.enabled = Checkpoints.enabled(conf);
    this.resuming = !hadoop.get(Checkpoints.RESUME_FROM, "").isEmpty();
    this.everySteps = conf.get(HornOptions.CHECKPOINT_STEPS);
    this.everyMillis = 1000 * conf.get(HornOptions.CHECKPOINT_SECONDS);
    this.metadata = Checkpoints.metadata(conf, layout);
  }

  /** Every member's part in the group's checkpoints. */
  static ModelParallelCheckpoints of(HornConfiguration conf, Configuration hadoop,
      JobLayout layout, NeuronSlices slices, int member, GroupCollective collective) {
    return new ModelParallelCheckpoints(conf, hadoop, layout, slices, member, collective);
  }

  /** Whether this member will hold a cut or a resumed checkpoint's slices ({@link #heapBytes}). */
  boolean holdsWholeState() {
    return enabled || resuming;
  }

  /**
   * Bytes a member holds at a cut or while resuming, beyond its engine: the leader the whole
   * weights and optimizer state, the writer's copy of that state and one member's slice in
   * transit; every other member a copy of its own slices and one slice in transit.
   */
  static long heapBytes(NetworkSpec spec, TrainingSettings settings, NeuronSlices slices,
      int member) {
    int state = settings.method == TrainingMethod.ADAM ? 3 : 1; // prev, Adam's moments
    int largest = 0;
    for (int m = 0; m < slices.members(); m++) {
      largest = Math.max(largest, slices.parameterCount(m));
    }
    long whole = spec.parameterCount();
    return member == 0 ? 4L * whole * (1 + 2 * state) + 4L * largest
        : 4L * slices.parameterCount(member) * (1 + state) + 4L * largest;
  }

  /**
   * When the job resumes, puts this member's slices of the checkpoint's weights and optimizer
   * state into {@code engine} and returns the steps the group had run; returns 0 for a fresh
   * start. Only the leader reads the checkpoint (and notes it in its {@code meta}); every
   * member calls this, once, before training.
   */
  long resume(SlicedEngine engine, Map<String, String> meta)
      throws IOException {
    Checkpoint from = null;
    if (member == 0 && resuming) {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      from = Checkpoints.resumeFrom(conf, hadoop, slices.spec(), layout,
          loader != null ? loader : ModelParallelCheckpoints.class.getClassLoader());
      meta.put(MetadataKeys.RESUMED_FROM, hadoop.get(Checkpoints.RESUME_FROM));
      meta.put(MetadataKeys.RESUMED_AT_STEPS, Long.toString(from.totalSteps()));
    }
    double[] header = new double[3];
    GroupState state = from == null ? null : from.group(0);
    if (state != null) {
      header[0] = 1 + state.steps();
      header[1] = state.finished() ? -1 : state.optimizer().updates();
      header[2] = !state.finished() && state.optimizer().hasMoments() ? 1 : 0;
    }
    collective.allReduce(header); // only the leader's values are not zero
    if (header[0] == 0) {
      return 0;
    }
    long steps = (long) header[0] - 1;
    engine.setParameters(receive(from == null ? null : from.model().parameters()));
    if (header[1] >= 0) {
      OptimizerState o = state == null ? null : state.optimizer();
      float[] prev = receive(o == null ? null : o.prev());
      float[] m = header[2] > 0 ? receive(o == null ? null : o.adamM()) : null;
      float[] v = header[2] > 0 ? receive(o == null ? null : o.adamV()) : null;
      engine.restoreOptimizerState(OptimizerState.adopting((long) header[1], prev, m, v));
    }
    lastStep = steps;
    if (from != null) {
      sequence = from.sequence() + 1;
    }
    LOG.info("model-parallel member {} resumes at step {}", member, steps);
    return steps;
  }

  /**
   * This member's slice of {@code whole} (the leader's; null elsewhere), sent by the leader
   * slice by slice.
   */
  private float[] receive(float[] whole) throws CollectiveException {
    float[] mine = null;
    float[] transit = member == 0 ? null : new float[largest()];
    for (int m = 0; m < slices.members(); m++) {
      int n = slices.parameterCount(m);
      float[] part = member == 0 ? slices.slice(whole, m) : transit;
      collective.broadcast(part, 0, n, 0);
      if (m == member) {
        mine = java.util.Arrays.copyOf(part, n);
      }
    }
    return mine;
  }

  private int largest() {
    int l = 0;
    for (int m = 0; m < slices.members(); m++) {
      l = Math.max(l, slices.parameterCount(m));
    }
    return l;
  }

  /**
   * After step {@code step}, on every member: cuts a checkpoint when one is due. The members
   * agree on it without a word for a step interval, through one flag for a time interval.
   */
  void afterStep(long step, DataCursor place, SlicedEngine engine)
      throws IOException, InterruptedException {
    if (!enabled) {
      return;
    }
    boolean due = everySteps > 0 && step - lastStep >= everySteps;
    if (everyMillis > 0) {
      flag[0] = member == 0 && System.currentTimeMillis() - lastMillis >= everyMillis ? 1 : 0;
      collective.allReduce(flag);
      due |= flag[0] > 0;
    }
    if (!due) {
      return;
    }
    if (member == 0 && writer == null) {
      writer = Checkpoints.writer(conf, hadoop);
    } else if (writer != null) {
      writer.awaitIdle(); // the previous cut is gone before this one is assembled
    }
    float[] mine = new float[slices.parameterCount(member)];
    engine.getParameters(mine);
    float[] weights = gather(mine);
    OptimizerState o = engine.optimizerState();
    float[] prev = gather(o.prev());
    float[] m = o.hasMoments() ? gather(o.adamM()) : null;
    float[] v = o.hasMoments() ? gather(o.adamV()) : null;
    if (writer != null) {
      GroupState state = new GroupState(0, step, place.epoch(), place.cursor(),
          OptimizerState.adopting(o.updates(), prev, m, v));
      long seq = sequence++;
      NetworkSpec spec = slices.spec();
      writer.submit(() -> new Checkpoint(seq, step, Model.adopting(spec, weights,
          Checkpoints.stamp(metadata)), List.of(state)));
    }
    lastStep = step;
    lastMillis = System.currentTimeMillis();
  }

  /**
   * Every member's {@code mine} broadcast in turn; the whole vector on the leader, null on the
   * other members.
   */
  private float[] gather(float[] mine) throws CollectiveException {
    float[] whole = member == 0 ? new float[slices.spec().parameterCount()] : null;
    float[] transit = member == 0 ? null : new float[largest()];
    for (int m = 0; m < slices.members(); m++) {
      int n = slices.parameterCount(m);
      float[] part = m == member ? mine : member == 0 ? new float[n] : transit;
      collective.broadcast(part, 0, n, m);
      if (whole != null) {
        slices.place(part, m, whole);
      }
    }
    return whole;
  }

  /** Writes what the leader has submitted, then stops its writer; idempotent. */
  @Override
  public void close() {
    if (writer != null && !closed) {
      closed = true;
      writer.close();
      if (writer.lastError() != null) {
        LOG.warn("the last checkpoint could not be written: {}", writer.lastError().toString());
      }
    }
  }
}
