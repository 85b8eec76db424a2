package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.paramserver.collective.Handshake;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Threshold-encoded pushes. Values are multiples of 1/8 and the threshold 1/4, so every sum is
 * exact: what the server holds plus what the worker still holds as its residual equals the start
 * weights plus every delta, to the bit, whatever the transport or sharding.
 */
class EncodedPushesTest {
  private static final float TAU = 0.25f;
  private static final Handshake HS = new Handshake("the-job-secret-0123456789");

  private static float[] delta(Random r, int n, boolean sparse) {
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      // Sparse: mostly zero, one in 40 at +-3/8 (sends 1/4, keeps 1/8); dense: -2..2.
      d[i] = sparse ? (r.nextInt(40) == 0 ? (r.nextBoolean() ? 3 : -3) / 8f : 0)
          : (r.nextInt(33) - 16) / 8f;
    }
    return d;
  }

  @Test
  void encodingKeepsEveryUpdateEitherSentOrInTheResidual() {
    int n = 1000;
    float[] residual = new float[n];
    float[] sent = new float[n];
    float[] total = new float[n];
    int[] codes = new int[n / 16];
    Random r = new Random(3);
    int dense = 0;
    for (int push = 0; push < 50; push++) {
      float[] d = delta(r, n, push % 10 != 9);
      for (int i = 0; i < n; i++) {
        total[i] += d[i];
      }
      int count = ThresholdCodes.encode(d, residual, TAU, codes);
      if (count < 0) {
        dense++;
        for (int i = 0; i < n; i++) {
          sent[i] += residual[i];
          residual[i] = 0;
        }
        continue;
      }
      assertTrue(count <= codes.length);
      ThresholdCodes.decode(IntBuffer.wrap(codes), count, TAU, sent);
      for (float v : residual) {
        assertTrue(Math.abs(v) < 2 * 2 + TAU, "a residual of " + v); // bounded, not drifting
      }
    }
    assertEquals(5, dense, "every tenth delta is dense: more than 1/16 of it over the threshold");
    for (int i = 0; i < n; i++) {
      assertEquals(total[i], sent[i] + residual[i], "index " + i);
    }
  }

  @Test
  void badCodesAndThresholdsAreNamed() {
    IntBuffer codes = IntBuffer.wrap(new int[] {3, -1, 0});
    assertEquals(null, ThresholdCodes.check(codes, 2, 3, TAU));
    assertTrue(ThresholdCodes.check(codes, 3, 3, TAU).startsWith("code 0 at 2"));
    assertTrue(ThresholdCodes.check(IntBuffer.wrap(new int[] {4}), 1, 3, TAU)
        .startsWith("code 4 at 0"));
    assertTrue(ThresholdCodes.check(codes, 1, 3, Float.NaN).startsWith("threshold NaN"));
    assertTrue(ThresholdCodes.check(codes, 4, 3, TAU).startsWith("4 codes in a buffer of 3"));
  }

  /** Three groups push encoded deltas concurrently; returns nothing, asserts the invariant. */
  private static void pushAndCheck(int n, List<ParameterServerClient> clients,
      ParameterServerClient puller, float[] start) throws Exception {
    int groups = clients.size();
    float[][] totals = new float[groups][n];
    List<EncodedPushes> encoders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int g = 0; g < groups; g++) {
      EncodedPushes e = new EncodedPushes(clients.get(g), n, TAU);
      encoders.add(e);
      int group = g;
      threads.add(new Thread(() -> {
        try {
          Random r = new Random(group);
          float[] w = new float[n];
          for (int push = 0; push < 30; push++) {
            float[] d = delta(r, n, push != 7);
            for (int i = 0; i < n; i++) {
              totals[group][i] += d[i];
            }
            assertFalse(e.pushAndPull(1, d, w));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    for (Throwable t : failures) {
      throw new AssertionError(t);
    }
    float[] w = new float[n];
    puller.pull(w);
    for (int i = 0; i < n; i++) {
      float expected = start[i];
      float held = w[i];
      for (int g = 0; g < groups; g++) {
        expected += totals[g][i];
        held += encoders.get(g).residualAt(i);
      }
      assertEquals(expected, held, "index " + i);
    }
    for (EncodedPushes e : encoders) {
      assertEquals(30, e.pushes());
      assertEquals(1, e.densePushes());
      // 29 sparse pushes of about 1/50 + 1/3 * 1/8 ... of the values: far below dense.
      assertTrue(e.bytesSent() < 0.25 * 30 * 4L * n, e.summary());
    }
  }

  @Test
  void encodedPushesOverTcpToTwoShardsLoseNothing() throws Exception {
    int n = 4_001;
    float[] start = new float[n];
    for (int i = 0; i < n; i++) {
      start[i] = (i % 9) / 8f;
    }
    ShardPlan plan = ShardPlan.of(n, 2, 1_500);
    List<ServerEndpoint> endpoints = new ArrayList<>();
    List<ParameterServerClient> clients = new ArrayList<>();
    try {
      for (int s = 0; s < 2; s++) {
        endpoints.add(ServerEndpoint.open(new ParameterServer(plan.slice(start, s), 4, 0),
            "127.0.0.1", HS, 4, 5_000));
      }
      for (int g = 0; g < 4; g++) {
        List<ParameterServerClient> perShard = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
          perShard.add(RemoteServerClient.connect(endpoints.get(s).address(), HS, g,
              plan.size(s), 5_000));
        }
        clients.add(new ShardedServerClient(plan, perShard, g));
      }
      pushAndCheck(n, clients.subList(0, 3), clients.get(3), start);
    } finally {
      clients.forEach(ParameterServerClient::close);
      endpoints.forEach(ServerEndpoint::close);
    }
  }

  @Test
  void encodedPushesInProcessLoseNothing() throws Exception {
    int n = 3_000;
    float[] start = new float[n];
    ParameterServer ps = new ParameterServer(start, 4, 0);
    List<ParameterServerClient> clients = new ArrayList<>();
    for (int g = 0; g < 4; g++) {
      clients.add(new LocalServerClient(ps, g));
    }
    pushAndCheck(n, clients.subList(0, 3), clients.get(3), start);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> clients.get(0).pushEncodedAndPull(1, new int[] {n + 1}, 1, TAU, new float[n]));
    assertTrue(e.getMessage().contains("code " + (n + 1)), e.getMessage());
  }
}
