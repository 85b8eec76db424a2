package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointWriter;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.GroupState;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints of a job without a parameter server, cut by its group's leader between two steps:
 * every member holds the same weights and optimizer state then, so the leader's copy is the
 * whole job's state. The copy is taken on the training thread (a memory copy); the file is
 * written by the {@link CheckpointWriter}'s thread.
 *
 * <p>Confined to the leader's training thread.
 */
final class LeaderCheckpoints {
  private final long everySteps;
  private final long everyMillis;
  private final int group;
  private final NetworkSpec spec;
  private final Map<String, String> metadata;
  private final CheckpointWriter writer;
  private long sequence;
  private long lastStep = -1;
  private long lastMillis = System.currentTimeMillis();

  LeaderCheckpoints(long everySteps, long everyMillis, long firstSequence, int group,
      NetworkSpec spec, Map<String, String> metadata, CheckpointWriter writer) {
    this.everySteps = everySteps;
    this.everyMillis = everyMillis;
    this.sequence = firstSequence;
    this.group = group;
    this.spec = spec;
    this.metadata = metadata;
    this.writer = writer;
  }

  /** After step {@code step}: cuts a checkpoint when one is due. */
  void afterStep(long step, DataCursor place, NetworkEngine engine) {
    if (lastStep < 0) {
      lastStep = step - 1; // the first step seen (a resumed job starts past 0)
    }
    boolean due = (everySteps > 0 && step - lastStep >= everySteps)
        || (everyMillis > 0 && System.currentTimeMillis() - lastMillis >= everyMillis);
    if (!due) {
      return;
    }
    float[] weights = new float[spec.parameterCount()];
    engine.getParameters(weights);
    OptimizerState optimizer = engine.optimizerState();
    GroupState state = new GroupState(group, step, place.epoch(), place.cursor(), optimizer);
    long seq = sequence++;
    writer.submit(() -> new Checkpoint(seq, step, new Model(spec, weights,
        Checkpoints.stamp(metadata)), List.of(state)));
    lastStep = step;
    lastMillis = System.currentTimeMillis();
  }
}
