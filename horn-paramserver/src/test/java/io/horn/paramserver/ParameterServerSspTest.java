package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The parameter server's update rules and staleness bound, in closed form (as MXNet tests its
 * kvstore): group r pushes (r+1)·ones n times from its own thread, all groups at once, and the
 * weights must be exactly the initial ones plus n·Σ(r+1), or that over G when averaging; with
 * one group delayed, no push returns further than {@code horn.staleness} ahead of the slowest.
 */
class ParameterServerSspTest {
  private static final int N = 1000;

  /** Each group pushes (group+1)·ones {@code rounds} times, {@code delayMillis[g]} apart. */
  private static void run(ParameterServer ps, int rounds, long[] delayMillis) throws Exception {
    int groups = ps.groups();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int group = g;
      Thread t = new Thread(() -> {
        try {
          float[] delta = new float[N];
          Arrays.fill(delta, group + 1);
          float[] out = new float[N];
          for (int i = 0; i < rounds; i++) {
            if (delayMillis[group] > 0) {
              Thread.sleep(delayMillis[group]);
            }
            ParameterServer.PushResult r = ps.pushAndPull(group, 1, FloatBuffer.wrap(delta),
                FloatBuffer.wrap(out));
            assertTrue(r.accepted(), r.error());
          }
          ps.done(group, rounds, "", "");
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "group-" + g);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
      assertFalse(t.isAlive(), t.getName() + " did not finish");
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  private static float[] expected(int groups, int rounds, float scale) {
    float[] w = new float[N];
    float perRound = 0;
    for (int g = 0; g < groups; g++) {
      perRound += scale * (g + 1);
    }
    Arrays.fill(w, rounds * perRound);
    return w;
  }

  @Test
  void concurrentPushesAreSummedOrAveragedExactly() throws Exception {
    ParameterServer sum = new ParameterServer(new float[N], 4, 0);
    run(sum, 200, new long[4]);
    assertArrayEquals(expected(4, 200, 1f), sum.weights());
    assertEquals("800", sum.stats().get("ps.steps"));

    ParameterServer avg = new ParameterServer(new float[N], 4, 0);
    avg.configure(true, -1, 10_000);
    run(avg, 200, new long[4]);
    assertArrayEquals(expected(4, 200, 0.25f), avg.weights());
  }

  @Test
  void noPushReturnsFurtherAheadThanTheBound() throws Exception {
    long[] slowGroupTwo = {0, 0, 3};
    for (int k : new int[] {0, 1, 3}) {
      ParameterServer ps = new ParameterServer(new float[N], 3, 0);
      ps.configure(false, k, 10_000);
      run(ps, 60, slowGroupTwo);
      assertArrayEquals(expected(3, 60, 1f), ps.weights(), "k=" + k + ": a push was lost");
      long lead = Long.parseLong(ps.stats().get("ps.max.lead"));
      assertTrue(lead <= k, "k=" + k + ": a push returned " + lead + " clocks ahead");
    }
    // Without a bound the fast groups run far ahead: the check above can fail.
    ParameterServer free = new ParameterServer(new float[N], 3, 0);
    run(free, 60, slowGroupTwo);
    assertTrue(Long.parseLong(free.stats().get("ps.max.lead")) > 10,
        "unbounded lead " + free.stats().get("ps.max.lead"));
  }

  @Test
  void aGroupThatNeverPushesFailsTheWaitInBoundedTimeNamingIt() {
    ParameterServer ps = new ParameterServer(new float[N], 2, 0);
    ps.configure(false, 0, 300);
    float[] d = new float[N];
    float[] out = new float[N];
    long t0 = System.nanoTime();
    ParameterServer.PushResult r = ps.pushAndPull(0, 1, FloatBuffer.wrap(d),
        FloatBuffer.wrap(out));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertFalse(r.accepted());
    assertTrue(r.error().contains("waited 300 ms for group 1"), r.error());
    assertTrue(ms >= 250 && ms < 5000, ms + " ms");
  }

  @Test
  void inLockStepALateGroupStartsFromTheInitialWeightsAndEveryoneFromTheRoundsWeights()
      throws Exception {
    float[] initial = new float[N];
    Arrays.fill(initial, 5);
    ParameterServer ps = new ParameterServer(initial, 2, 0);
    ps.configure(false, 0, 10_000);
    float[] one = new float[N];
    Arrays.fill(one, 1);
    float[] fromA = new float[N];
    Thread a = new Thread(() -> {
      ps.pushAndPull(0, 1, FloatBuffer.wrap(one), FloatBuffer.wrap(fromA)); // waits for B
    });
    a.start();
    while (ps.stats().get("ps.group.0.pushes").equals("0")) {
      Thread.sleep(1);
    }
    float[] start = new float[N];
    ps.pull(1, FloatBuffer.wrap(start));
    assertArrayEquals(initial, start, "B starts where A started, not after A's push");
    float[] fromB = new float[N];
    ps.pushAndPull(1, 1, FloatBuffer.wrap(one), FloatBuffer.wrap(fromB)); // completes round 1
    // B races ahead into round 2 before A has read round 1's weights.
    Thread b2 = new Thread(() -> ps.pushAndPull(1, 1, FloatBuffer.wrap(one),
        FloatBuffer.wrap(new float[N])));
    b2.start();
    a.join(10_000);
    float[] round1 = new float[N];
    Arrays.fill(round1, 7);
    assertArrayEquals(round1, fromB);
    assertArrayEquals(round1, fromA, "A continues from round 1's weights, without B's round 2");
    ps.done(0, 1, "", "");
    b2.join(10_000);
  }

  @Test
  void aFinishedGroupNoLongerHoldsTheOthersBack() throws Exception {
    ParameterServer ps = new ParameterServer(new float[N], 2, 0);
    ps.configure(false, 0, 10_000);
    float[] d = new float[N];
    float[] out = new float[N];
    ps.pushAndPull(1, 1, FloatBuffer.wrap(d), FloatBuffer.wrap(out));
    ps.done(1, 1, "", "");
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      assertTrue(ps.pushAndPull(0, 1, FloatBuffer.wrap(d), FloatBuffer.wrap(out)).accepted());
    }
    assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "waited for a finished group");
  }

  /**
   * Over TCP, a push may wait for a slow group far longer than the client's deadline: the
   * endpoint answers with heartbeats meanwhile (here 4 s of waiting against a 1 s deadline).
   */
  @Test
  void aLongStalenessWaitOverTcpIsKeptAliveByHeartbeats() throws Exception {
    io.horn.paramserver.collective.Handshake hs =
        new io.horn.paramserver.collective.Handshake("the-job-secret-0123456789");
    ParameterServer ps = new ParameterServer(new float[N], 2, 0);
    ps.configure(false, 0, 30_000);
    try (ServerEndpoint server = ServerEndpoint.open(ps, "127.0.0.1", hs, 2, 1_000);
        RemoteServerClient fast = RemoteServerClient.connect(server.address(), hs, 0, N, 1_000);
        RemoteServerClient slow = RemoteServerClient.connect(server.address(), hs, 1, N, 1_000)) {
      float[] d = new float[N];
      Arrays.fill(d, 1);
      float[] w = new float[N];
      Thread late = new Thread(() -> {
        try {
          Thread.sleep(4_000);
          float[] mine = new float[N];
          Arrays.fill(mine, 2);
          slow.pushAndPull(1, mine, new float[N]);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      late.start();
      long t0 = System.nanoTime();
      fast.pushAndPull(1, d, w); // lock-step: waits for the slow group's first push
      long waited = (System.nanoTime() - t0) / 1_000_000;
      late.join();
      assertTrue(waited >= 3_500, "returned after " + waited + " ms without the slow group");
      float[] both = new float[N];
      Arrays.fill(both, 3);
      assertArrayEquals(both, w, "the round's weights hold both pushes");
    }
  }
}
