package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;

/**
 * How a Horn job maps onto Hama peers: {@code workers} training peers in {@code groups} groups of
 * {@code groupSize}, and, when enabled, the parameter server's {@code shards} tasks after them
 * (peer indices {@code workers .. workers+shards-1}, which get no input split). Immutable.
 */
final class JobLayout {
  final int workers;
  final int groups;
  final int groupSize;
  final boolean paramServer;
  final int pushInterval;
  /** Whether each group splits the model's neurons among its members (horn.parallelism). */
  final boolean modelParallel;
  /** Parameter-server tasks (0 without a parameter server). */
  final int shards;

  JobLayout(HornConfiguration conf) {
    workers = conf.get(HornOptions.WORKERS);
    groups = conf.get(HornOptions.GROUPS);
    if (workers % groups != 0) {
      throw new IllegalArgumentException(HornOptions.GROUPS.key() + "=" + groups
          + " does not divide " + HornOptions.WORKERS.key() + "=" + workers
          + ": every group needs the same number of peers");
    }
    groupSize = workers / groups;
    String ps = conf.get(HornOptions.PARAMSERVER);
    paramServer = ps.equals("on") || (ps.equals("auto") && groups > 1);
    if (!paramServer && groups > 1) {
      throw new IllegalArgumentException(HornOptions.GROUPS.key() + "=" + groups
          + " needs the parameter server (" + HornOptions.PARAMSERVER.key() + " is off)");
    }
    pushInterval = conf.get(HornOptions.PUSH_INTERVAL);
    modelParallel = conf.get(HornOptions.PARALLELISM).equals("model");
    int wanted = conf.get(HornOptions.PARAMSERVER_SHARDS);
    if (modelParallel && paramServer) {
      // Shard m holds member m's slice of every group: a member pushes and pulls its own only.
      if (wanted > 1 && wanted != groupSize) {
        throw new IllegalArgumentException(HornOptions.PARAMSERVER_SHARDS.key() + "=" + wanted
            + " with " + HornOptions.PARALLELISM.key() + "=model: the server has one shard per "
            + "member of a group (" + groupSize + "); leave it unset");
      }
      wanted = groupSize;
    }
    if (wanted > 1 && !paramServer) {
      throw new IllegalArgumentException(HornOptions.PARAMSERVER_SHARDS.key() + "=" + wanted
          + " needs the parameter server (" + HornOptions.PARAMSERVER.key() + "=on, or "
          + HornOptions.GROUPS.key() + " > 1)");
    }
    // Checkpoints on by default are left off (Checkpoints.enabled); asked-for ones are refused.
    if ((wanted > 1 || (modelParallel && paramServer)) && ((conf.isSet(
        HornOptions.CHECKPOINT_STEPS)
        && conf.get(HornOptions.CHECKPOINT_STEPS) > 0)
        || (conf.isSet(HornOptions.CHECKPOINT_SECONDS)
        && conf.get(HornOptions.CHECKPOINT_SECONDS) > 0))) {
      throw new IllegalArgumentException((modelParallel
          ? "model-parallel groups with a parameter server (" + wanted + " shards, one per "
              + "member) cut" : HornOptions.PARAMSERVER_SHARDS.key() + "=" + wanted + ": a "
              + "sharded parameter server cuts") + " no checkpoints; use one shard with "
          + HornOptions.CHECKPOINT_STEPS.key() + "/" + HornOptions.CHECKPOINT_SECONDS.key()
          + (modelParallel ? ", or one model-parallel group without a server" : ""));
    }
    shards = paramServer ? wanted : 0;
  }

  /** Whether checkpoints can be cut at all in this layout (a sharded server cuts none). */
  boolean cutsCheckpoints() {
    return shards <= 1 && !(modelParallel && paramServer);
  }

  int tasks() {
    return workers + shards;
  }

  int groupOf(int worker) {
    return worker / groupSize;
  }

  int memberOf(int worker) {
    return worker % groupSize;
  }

  boolean isServer(int peerIndex) {
    return paramServer && peerIndex >= workers;
  }

  /** The parameter-server shard that peer {@code peerIndex} serves. */
  int shardOf(int peerIndex) {
    return peerIndex - workers;
  }

  /** Milliseconds of extra delay per step for {@code group} (test hook), 0 for none. */
  static long delayOf(HornConfiguration conf, int group) {
    String spec = conf.get(HornOptions.GROUP_DELAY);
    if (spec.isEmpty()) {
      return 0;
    }
    for (String pair : spec.split(",")) {
      String[] kv = pair.split(":");
      if (Integer.parseInt(kv[0]) == group) {
        return Long.parseLong(kv[1]);
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    return groups + " group(s) x " + groupSize + " peer(s)"
        + (modelParallel ? " (model-parallel)" : "")
        + (paramServer ? " + parameter server" + (shards > 1 ? " (" + shards + " shards)" : "")
            : "");
  }
}
