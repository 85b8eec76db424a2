package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.paramserver.collective.Handshake;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A sharded parameter server, tested the way MXNet tests its kvstore: group r pushes
 * {@code (r+1)} times a fixed pattern for n rounds, from its own thread, all groups at once;
 * every pulled value is then exact (small integers in floats), so a lost, doubled or misplaced
 * update anywhere — in particular at a shard boundary — shows.
 */
class ShardedServerTest {
  private static final Handshake HS = new Handshake("the-job-secret-0123456789");
  private static final int GROUPS = 6;
  private static final int ROUNDS = 40;

  /** A pattern that differs between neighbours, so a shifted range cannot pass. */
  private static float pattern(int i) {
    return 1 + i % 3;
  }

  private static float[] initial(int n) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = i % 7;
    }
    return w;
  }

  /** The weights after every group's rounds: exact, as all values are small integers. */
  private static float[] expected(int n) {
    float[] w = initial(n);
    long sum = 0;
    for (int r = 0; r < GROUPS; r++) {
      sum += (long) ROUNDS * (r + 1);
    }
    for (int i = 0; i < n; i++) {
      w[i] += sum * pattern(i);
    }
    return w;
  }

  /** Every group pushes its rounds from its own thread; returns the weights pulled at the end. */
  private static float[] pushFromAllGroups(int n, List<ParameterServerClient> clients)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(GROUPS);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        ParameterServerClient c = clients.get(g);
        int r = g;
        runs.add(pool.submit(() -> {
          float[] w = new float[n];
          c.pull(w);
          for (int round = 0; round < ROUNDS; round++) {
            float[] delta = new float[n];
            for (int i = 0; i < n; i++) {
              delta[i] = (r + 1) * pattern(i);
            }
            assertFalse(c.pushAndPull(1, delta, w));
          }
          c.done(ROUNDS, "", "");
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    float[] w = new float[n];
    clients.get(0).pull(w);
    return w;
  }

  private static ParameterServer[] servers(ShardPlan plan) {
    float[] start = initial(plan.parameterCount());
    ParameterServer[] servers = new ParameterServer[plan.shards()];
    for (int s = 0; s < servers.length; s++) {
      servers[s] = new ParameterServer(plan.slice(start, s), GROUPS, 0);
    }
    return servers;
  }

  @Test
  void inProcessShardsCutAtEveryLayerEdgeAndInsideALayerLoseNothing() throws Exception {
    int n = 2_410;
    // Three layers of nearly equal blocks (edges 800 and 1,610): three shards cut at both.
    ShardPlan atEdges = ShardPlan.of(n, 3, 800, 1_610);
    assertEquals("[0, 800) [800, 1610) [1610, 2410)", atEdges.toString());
    // Blocks of 1,200, 880 and 330: four shards cut at the first edge and inside two layers.
    ShardPlan inside = ShardPlan.of(n, 4, 1_200, 2_080);
    assertEquals("[0, 602) [602, 1200) [1200, 1807) [1807, 2410)", inside.toString());
    for (ShardPlan plan : List.of(atEdges, inside)) {
      ParameterServer[] servers = servers(plan);
      List<ParameterServerClient> clients = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        List<ParameterServerClient> perShard = new ArrayList<>();
        for (ParameterServer s : servers) {
          perShard.add(new LocalServerClient(s, g));
        }
        clients.add(new ShardedServerClient(plan, perShard, g));
      }
      try {
        assertArrayEquals(expected(n), pushFromAllGroups(n, clients), plan.toString());
        for (ParameterServer s : servers) {
          assertTrue(s.awaitAllDone(0), "every group finished on every shard");
          assertEquals(Long.toString(GROUPS * ROUNDS), s.stats().get("ps.steps"));
        }
      } finally {
        clients.forEach(ParameterServerClient::close);
      }
    }
  }

  @Test
  void shardsOverTcpCutMidLayerLoseNothing() throws Exception {
    int n = 50_001; // odd, so no cut is round
    ShardPlan plan = ShardPlan.of(n, 3, 0, 20_000, n);
    ParameterServer[] servers = servers(plan);
    List<ServerEndpoint> endpoints = new ArrayList<>();
    List<ParameterServerClient> clients = new ArrayList<>();
    try {
      for (ParameterServer s : servers) {
        endpoints.add(ServerEndpoint.open(s, "127.0.0.1", HS, GROUPS, 5_000));
      }
      for (int g = 0; g < GROUPS; g++) {
        List<ParameterServerClient> perShard = new ArrayList<>();
        for (int s = 0; s < plan.shards(); s++) {
          perShard.add(RemoteServerClient.connect(endpoints.get(s).address(), HS, g,
              plan.size(s), 5_000));
        }
        clients.add(new ShardedServerClient(plan, perShard, g));
      }
      assertArrayEquals(expected(n), pushFromAllGroups(n, clients));
    } finally {
      clients.forEach(ParameterServerClient::close);
      endpoints.forEach(ServerEndpoint::close);
    }
  }

  @Test
  void aDivergedDeltaReachesNoShardAndABudgetStopsEveryGroup() throws Exception {
    int n = 100;
    ShardPlan plan = ShardPlan.of(n, 2);
    ParameterServer[] servers = new ParameterServer[2];
    for (int s = 0; s < 2; s++) {
      servers[s] = new ParameterServer(plan.slice(initial(n), s), 1, 5);
    }
    ShardedServerClient c = new ShardedServerClient(plan,
        List.of(new LocalServerClient(servers[0], 0), new LocalServerClient(servers[1], 0)), 0);
    float[] w = new float[n];
    float[] delta = new float[n];
    delta[99] = Float.NaN;
    IOException e = assertThrows(IOException.class, () -> c.pushAndPull(1, delta, w));
    assertTrue(e.getMessage().contains("non-finite value (NaN at 99)"), e.getMessage());
    assertArrayEquals(plan.slice(initial(n), 0), servers[0].weights(), "shard 0 untouched");
    delta[99] = 0;
    assertFalse(c.pushAndPull(4, delta, w));
    assertTrue(c.pushAndPull(1, delta, w), "5 steps: the budget is spent on every shard");
    c.close();
  }
}
