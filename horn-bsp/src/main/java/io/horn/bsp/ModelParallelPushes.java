package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.model.NetworkSpec;
import io.horn.core.parallel.SlicedEngine;
import io.horn.paramserver.ParameterServerClient;
import io.horn.paramserver.collective.GroupCollective;
import io.horn.paramserver.collective.Handshake;
import java.io.IOException;

/**
 * A model-parallel member's part in hybrid training: with a parameter server, member m of every
 * group holds the same slice of the model, and shard m of the server holds that slice
 * ({@link ServerTask#plan(NetworkSpec, JobLayout)}). Every push interval each member pushes the
 * change of its own slice and pulls the shard's; nothing else crosses, and no task holds the
 * whole vector. The members push at the same steps (they run in lock-step), and a group stops
 * when any of its shards says the job's step budget is spent: the members agree on it over the
 * group before the next step.
 *
 * <p>Lifecycle: {@link #connect}, {@link #start}, {@link #afterStep} after every step, {@link
 * #finish}, {@link #close}. Confined to the member's training thread.
 */
final class ModelParallelPushes implements AutoCloseable {
  private final ParameterServerClient ps;
  private final GroupCollective collective;
  private final int interval;
  private final float[] lastPulled;
  private final float[] current;
  private int since;
  private long nanos;

  private ModelParallelPushes(ParameterServerClient ps, GroupCollective collective,
      int interval, int size) {
    this.ps = ps;
    this.collective = collective;
    this.interval = interval;
    this.lastPulled = new float[size];
    this.current = new float[size];
  }

  /** Member {@code member} of {@code group} connects to its shard. */
  static ModelParallelPushes connect(HornConfiguration conf, NetworkSpec spec, JobLayout layout,
      Peers.Inbox inbox, String token, Handshake handshake, int group, int member,
      long timeout, GroupCollective collective) throws IOException {
    ParameterServerClient ps = ServerClients.connectShard(conf, spec, layout, inbox, token,
        handshake, group, member, timeout, () -> "model-parallel member " + member + " of "
            + "group " + group);
    return new ModelParallelPushes(ps, collective, layout.pushInterval,
        ServerTask.plan(spec, layout).size(member));
  }

  /** The group starts from the server's weights: each member from its shard's. */
  void start(SlicedEngine engine) throws IOException {
    ps.pull(lastPulled);
    engine.setParameters(lastPulled);
  }

  /**
   * After a step: every interval, pushes this member's change and takes the shard's weights;
   * returns whether the group stops (the budget is spent on any of its members' shards).
   */
  boolean afterStep(SlicedEngine engine) throws IOException {
    if (++since < interval) {
      return false;
    }
    long t0 = System.nanoTime();
    boolean spent = push(engine);
    double[] votes = {spent ? 1 : 0};
    collective.allReduce(votes);
    nanos += System.nanoTime() - t0;
    return votes[0] > 0;
  }

  private boolean push(SlicedEngine engine) throws IOException {
    engine.getParameters(current);
    for (int i = 0; i < current.length; i++) {
      current[i] -= lastPulled[i];
    }
    boolean spent = ps.pushAndPull(since, current, lastPulled);
    engine.setParameters(lastPulled);
    since = 0;
    return spent;
  }

  /** Pushes what is left and tells the shard the group finished after {@code steps}. */
  void finish(SlicedEngine engine, long steps, String timing) throws IOException {
    if (since > 0) {
      push(engine);
    }
    ps.done(steps, timing, "");
  }

  /** Milliseconds per step spent pushing, pulling and agreeing on stopping. */
  double millisPerStep(long steps) {
    return nanos / 1e6 / Math.max(1, steps);
  }

  @Override
  public void close() {
    ps.close();
  }
}
