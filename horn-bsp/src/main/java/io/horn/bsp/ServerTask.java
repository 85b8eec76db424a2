package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointWriter;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.NetworkSpec;
import io.horn.core.parallel.NeuronSlices;
import io.horn.paramserver.ParameterServer;
import io.horn.paramserver.ServerEndpoint;
import io.horn.paramserver.ShardPlan;
import io.horn.paramserver.collective.Handshake;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A parameter-server task of a job: shard {@code s} of {@code S} holds its range of the master
 * weights ({@link ShardPlan}), serves the groups' pushes and pulls, and at the end hands its
 * weights to shard 0, which writes the model (with one shard, it writes at once). Shard 0 also
 * cuts the checkpoints (only unsharded servers cut them).
 *
 * <p>Lifecycle: {@link #start} in the job's second superstep, {@link #awaitGroups} after it,
 * then {@link #finish} around the job's last barrier, then {@link #close}. Used by the task's
 * own thread only.
 */
final class ServerTask {
  private final int shard;
  private final ShardPlan plan;
  /** A model-parallel job's member slices (shard m holds slice m), or null. */
  private final NeuronSlices slices;
  private final ParameterServer server;
  private final ServerEndpoint endpoint;
  private final CheckpointWriter checkpoints;
  private final String address;

  private ServerTask(int shard, ShardPlan plan, NeuronSlices slices, ParameterServer server,
      ServerEndpoint endpoint, CheckpointWriter checkpoints, String address) {
    this.shard = shard;
    this.plan = plan;
    this.slices = slices;
    this.server = server;
    this.endpoint = endpoint;
    this.checkpoints = checkpoints;
    this.address = address;
  }

  /**
   * The plan every task of a job derives from its network and layout. Model-parallel groups:
   * shard m holds member m's slice ({@link NeuronSlices}), so the server's vector is the
   * members' slices one after the other and a member pushes and pulls one contiguous range of
   * one shard. Otherwise cuts snap to weight-layer edges.
   */
  static ShardPlan plan(NetworkSpec spec, JobLayout layout) {
    if (layout.modelParallel) {
      NeuronSlices slices = NeuronSlices.of(spec, layout.groupSize);
      int[] sizes = new int[layout.groupSize];
      for (int m = 0; m < sizes.length; m++) {
        sizes[m] = slices.parameterCount(m);
      }
      return ShardPlan.ofSizes(sizes);
    }
    return plan(spec, layout.shards);
  }

  /** The plan of a data-parallel job: cuts snap to weight-layer edges. */
  static ShardPlan plan(NetworkSpec spec, int shards) {
    int[] edges = new int[spec.depth() - 1];
    for (int l = 1; l < spec.depth(); l++) {
      edges[l - 1] = spec.offset(l);
    }
    return ShardPlan.of(spec.parameterCount(), shards, edges);
  }

  /**
   * Starts shard {@code layout.shardOf(index)}: its server over its range of the start weights
   * (those of {@code resume} when continuing), checkpoints when enabled, and its endpoint (or
   * an in-process entry under {@code "ps" + shard} in local mode).
   */
  static ServerTask start(HornConfiguration conf, Configuration hama, NetworkSpec spec,
      JobLayout layout, int index, long budget, float[] start, Checkpoint resume, String host,
      Handshake handshake, long heartbeat, boolean inProcess, String token) throws IOException {
    int shard = layout.shardOf(index);
    ShardPlan plan = plan(spec, layout);
    NeuronSlices slices = layout.modelParallel ? NeuronSlices.of(spec, layout.groupSize) : null;
    TrainingSettings settings = TrainingSettings.from(conf);
    // A model-parallel job's shard draws its member slice itself: no task holds the whole vector.
    float[] mine = slices != null
        ? slices.initial(shard, settings.initialization, settings.seed)
        : plan.slice(resume != null ? resume.model().parameters() : start, shard);
    ParameterServer server = new ParameterServer(mine, layout.groups, budget);
    // A push may wait for a slow group as long as any wait between tasks; meanwhile the
    // endpoint tells the waiting client it is alive, every quarter of the heartbeat.
    server.configure(conf.get(HornOptions.PARAMSERVER_UPDATE).equals("average"),
        conf.get(HornOptions.STALENESS), conf.get(HornOptions.GROUP_TIMEOUT));
    if (resume != null) {
      long[] groupSteps = new long[layout.groups];
      for (int g = 0; g < layout.groups; g++) {
        groupSteps[g] = resume.group(g).steps();
      }
      server.resume(groupSteps);
    }
    CheckpointWriter checkpoints = null;
    if (Checkpoints.enabled(conf)) {
      // JobLayout refuses checkpoints with several shards: only an unsharded server gets here.
      checkpoints = Checkpoints.writer(conf, hama);
      CheckpointWriter writer = checkpoints;
      Map<String, String> about = Checkpoints.metadata(conf, layout);
      server.checkpointEvery(conf.get(HornOptions.CHECKPOINT_STEPS),
          1000 * conf.get(HornOptions.CHECKPOINT_SECONDS),
          resume == null ? 1 : resume.sequence() + 1,
          cut -> writer.submit(() -> Checkpoints.fromCut(cut, spec, about)));
    }
    ServerEndpoint endpoint = null;
    String address = "in-process";
    try {
      if (inProcess) {
        InProcessEndpoints.put(token, InProcessEndpoints.Key.server(shard), server);
      } else {
        endpoint = ServerEndpoint.open(server, host, handshake, layout.groups, heartbeat);
        address = endpoint.address();
      }
    } catch (IOException | RuntimeException e) {
      if (checkpoints != null) {
        checkpoints.close();
      }
      throw e;
    }
    return new ServerTask(shard, plan, slices, server, endpoint, checkpoints, address);
  }

  /** Where the groups reach this shard: {@code host:port}, or "in-process" in local mode. */
  String address() {
    return address;
  }

  int shard() {
    return shard;
  }

  /**
   * Waits until every group has finished (failing on a lost group or after {@code timeout} ms
   * of silence), then flushes the checkpoints. Returns the server's statistics.
   */
  Map<String, String> awaitGroups(long timeout) throws IOException, InterruptedException {
    if (!server.awaitAllDone(timeout)) {
      throw new IOException("parameter server" + (plan.shards() > 1 ? " shard " + shard : "")
          + ": no unfinished group pushed, pulled or finished for " + timeout + " ms ("
          + HornOptions.GROUP_TIMEOUT.key() + ")");
    }
    if (checkpoints != null) {
      checkpoints.close();
    }
    Map<String, String> stats = server.stats();
    if (plan.shards() > 1) {
      stats.put(MetadataKeys.PS_SHARDS, Integer.toString(plan.shards()));
      stats.put(MetadataKeys.PS_SHARD_RANGES, plan.toString());
    }
    return stats;
  }

  /** This shard's final weights (its range only). */
  float[] weights() {
    return server.weights();
  }

  /**
   * The whole final weight vector on shard 0, from its own range and the other shards'
   * {@code parts} (indexed by shard; entry 0 is ignored).
   */
  float[] join(float[][] parts) throws IOException {
    parts[0] = server.weights();
    for (int s = 1; s < parts.length; s++) {
      if (parts[s] == null) {
        throw new IOException("parameter-server shard " + s + " did not hand in its weights "
            + "at the end of the job");
      }
    }
    try {
      if (slices != null) {
        // Member slices back into the model's layout.
        float[] whole = new float[plan.parameterCount()];
        for (int m = 0; m < parts.length; m++) {
          slices.place(parts[m], m, whole);
        }
        return whole;
      }
      return plan.join(parts);
    } catch (IllegalArgumentException e) {
      throw new IOException("the parameter-server shards' final weights do not fit together: "
          + e.getMessage(), e);
    }
  }

  /** Stops serving (the in-process entry, or the endpoint). Idempotent. */
  void close(String token) {
    InProcessEndpoints.remove(token, InProcessEndpoints.Key.server(shard));
    if (endpoint != null) {
      endpoint.close();
    }
  }
}
