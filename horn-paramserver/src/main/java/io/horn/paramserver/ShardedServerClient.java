package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.checkpoint.GroupState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A group's client of a sharded parameter server: one {@link ParameterServerClient} per shard,
 * each over its own range of the parameter vector ({@link ShardPlan}). Every call goes to all
 * shards at once — shard 0 on the caller's thread, the others on one thread each — and returns
 * when all have answered, so a push costs the slowest shard's time, not the sum.
 *
 * <p>Every shard sees the same pushes with the same step counts, so their step budgets, clocks
 * and staleness waits agree; the reply says stop when any shard does. A delta with a
 * non-finite value is refused here, before any shard applies part of it. Checkpoints are not
 * cut by a sharded server ({@link #sendState} refuses).
 *
 * <p>Lifecycle and thread-safety as {@link ParameterServerClient}: one thread per client;
 * {@link #close} closes every shard's client and stops the threads.
 */
public final class ShardedServerClient implements ParameterServerClient {
  private final ShardPlan plan;
  private final List<ParameterServerClient> shards;
  private final int group;
  private final ExecutorService pool;
  private final float[][] deltaParts;
  private final float[][] weightParts;
  private int[][] codeParts; // per shard, an encoded push's codes in the shard's own indices
  private final int[] codeCounts;

  /** Per shard: a call on that shard's client with its parts. */
  private interface ShardCall {
    boolean call(int shard, ParameterServerClient client) throws IOException;
  }

  /**
   * @param plan how the vector is split
   * @param shards one client per shard, each for {@code plan.size(s)} parameters; owned from
   *     now on (closed by {@link #close})
   * @param group the group, for error messages
   */
  public ShardedServerClient(ShardPlan plan, List<? extends ParameterServerClient> shards,
      int group) {
    this.plan = checkNotNull(plan, "plan");
    checkArgument(shards.size() == plan.shards(), "%s clients for %s shards", shards.size(),
        plan.shards());
    this.shards = new ArrayList<>(shards);
    this.group = group;
    this.codeCounts = new int[plan.shards()];
    this.deltaParts = new float[plan.shards()][];
    this.weightParts = new float[plan.shards()][];
    for (int s = 0; s < plan.shards(); s++) {
      deltaParts[s] = new float[plan.size(s)];
      weightParts[s] = new float[plan.size(s)];
    }
    this.pool = plan.shards() == 1 ? null : Executors.newFixedThreadPool(plan.shards() - 1, r -> {
      Thread t = new Thread(r, "horn-psclient-g" + group + "-shards");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void pull(float[] weights) throws IOException {
    checkLength(weights, "weights");
    onAll("pull", (s, c) -> {
      c.pull(weightParts[s]);
      return false;
    });
    gather(weights);
  }

  @Override
  public boolean pushAndPull(int steps, float[] delta, float[] weights) throws IOException {
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkLength(delta, "delta");
    checkLength(weights, "weights");
    for (int i = 0; i < delta.length; i++) {
      if (!Float.isFinite(delta[i])) {
        throw new IOException("group " + group + "'s delta holds a non-finite value ("
            + delta[i] + " at " + i + "): the group diverged; nothing was pushed");
      }
    }
    for (int s = 0; s < plan.shards(); s++) {
      System.arraycopy(delta, plan.from(s), deltaParts[s], 0, plan.size(s));
    }
    boolean stop = onAll("push", (s, c) -> c.pushAndPull(steps, deltaParts[s], weightParts[s]));
    gather(weights);
    return stop;
  }

  @Override
  public boolean pushEncodedAndPull(int steps, int[] codes, int count, float threshold,
      float[] weights) throws IOException {
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkNotNull(codes, "codes");
    checkLength(weights, "weights");
    String bad = ThresholdCodes.check(java.nio.IntBuffer.wrap(codes), count,
        plan.parameterCount(), threshold);
    checkArgument(bad == null, "group %s's encoded push: %s", group, bad);
    if (codeParts == null) {
      codeParts = new int[plan.shards()][];
      for (int s = 0; s < plan.shards(); s++) {
        codeParts[s] = new int[plan.size(s)];
      }
    }
    java.util.Arrays.fill(codeCounts, 0);
    for (int k = 0; k < count; k++) {
      int c = codes[k];
      int i = Math.abs(c) - 1;
      int s = shardOf(i);
      int local = i - plan.from(s) + 1;
      if (codeCounts[s] == codeParts[s].length) { // only with repeated indices
        codeParts[s] = java.util.Arrays.copyOf(codeParts[s], 2 * codeParts[s].length);
      }
      codeParts[s][codeCounts[s]++] = c > 0 ? local : -local;
    }
    boolean stop = onAll("push", (s, c) -> c.pushEncodedAndPull(steps, codeParts[s],
        codeCounts[s], threshold, weightParts[s]));
    gather(weights);
    return stop;
  }

  /** The shard that owns index {@code i} (few shards: a scan is as fast as a search). */
  private int shardOf(int i) {
    int s = 0;
    while (i >= plan.to(s)) {
      s++;
    }
    return s;
  }

  @Override
  public boolean checkpointWanted() {
    return false;
  }

  @Override
  public void sendState(GroupState state) throws IOException {
    throw new IOException("a sharded parameter server cuts no checkpoints");
  }

  @Override
  public void done(long totalSteps, String timing, String history) throws IOException {
    onAll("done", (s, c) -> {
      c.done(totalSteps, timing, history);
      return false;
    });
  }

  /** Runs {@code call} on every shard at once; true when any returned true. */
  private boolean onAll(String what, ShardCall call) throws IOException {
    List<Future<Boolean>> others = new ArrayList<>();
    for (int s = 1; s < plan.shards(); s++) {
      int shard = s;
      others.add(pool.submit(() -> call.call(shard, shards.get(shard))));
    }
    boolean any = false;
    IOException failure = null;
    try {
      any = call.call(0, shards.get(0));
    } catch (IOException e) {
      failure = shardFailure(0, what, e);
    }
    for (int s = 1; s < plan.shards(); s++) {
      try {
        any |= others.get(s - 1).get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        if (failure == null) {
          failure = shardFailure(s, what, cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted during a " + what + " of group " + group, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return any;
  }

  private IOException shardFailure(int shard, String what, Throwable e) {
    return new IOException("parameter-server shard " + shard + " of " + plan.shards() + " ("
        + plan.from(shard) + ".." + plan.to(shard) + "), group " + group + "'s " + what + ": "
        + e.getMessage(), e);
  }

  private void gather(float[] weights) {
    for (int s = 0; s < plan.shards(); s++) {
      System.arraycopy(weightParts[s], 0, weights, plan.from(s), plan.size(s));
    }
  }

  private void checkLength(float[] a, String name) {
    checkNotNull(a, name);
    checkArgument(a.length == plan.parameterCount(), "%s holds %s values, the model has %s",
        name, a.length, plan.parameterCount());
  }

  @Override
  public void close() {
    for (ParameterServerClient c : shards) {
      c.close();
    }
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
