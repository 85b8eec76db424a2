package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class ParameterServerTest {

  private static float[] array(FloatBuffer b) {
    float[] a = new float[b.limit()];
    b.get(0, a);
    return a;
  }

  @Test
  void pushesAddDeltasAndCountSteps() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 2, 10);
    FloatBuffer out = FloatBuffer.allocate(3);
    ParameterServer.PushResult r = ps.pushAndPull(0, 4, FloatBuffer.wrap(new float[] {1, 1, 1}),
        out);
    assertTrue(r.accepted());
    assertFalse(r.stop());
    assertArrayEquals(new float[] {2, 3, 4}, array(out));
    r = ps.pushAndPull(1, 6, FloatBuffer.wrap(new float[] {0, -3, 0}), out);
    assertArrayEquals(new float[] {2, 0, 4}, array(out));
    assertTrue(r.stop(), "10 of 10 budgeted steps done");
    assertEquals("4", ps.stats().get("ps.group.0.steps"));
    assertEquals("1", ps.stats().get("ps.group.1.pushes"));
    assertEquals("10", ps.stats().get("ps.steps"));
  }

  @Test
  void deltaAndWeightsMayShareOneBuffer() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    FloatBuffer both = FloatBuffer.wrap(new float[] {10, 20, 30});
    assertTrue(ps.pushAndPull(0, 1, both, both).accepted());
    assertArrayEquals(new float[] {11, 22, 33}, array(both));
    assertArrayEquals(new float[] {11, 22, 33}, ps.weights());
  }

  @Test
  void pullWritesTheWeightsAndLeavesPositionsAlone() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    FloatBuffer out = FloatBuffer.allocate(3);
    out.position(2);
    ps.pull(0, out);
    assertEquals(2, out.position());
    assertArrayEquals(new float[] {1, 2, 3}, array(out));
    assertEquals(3, ps.parameterCount());
  }

  @Test
  void mismatchedShapeIsRejectedAndNotApplied() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    FloatBuffer out = FloatBuffer.allocate(3);
    ParameterServer.PushResult r = ps.pushAndPull(0, 1, FloatBuffer.wrap(new float[] {5, 5}),
        out);
    assertFalse(r.accepted());
    assertTrue(r.error().contains("shape mismatch"), r.error());
    assertArrayEquals(new float[] {1, 2, 3}, ps.weights());
    assertArrayEquals(new float[] {1, 2, 3}, array(out), "weights are written when rejected");
    assertEquals("1", ps.stats().get("ps.rejected"));
    assertEquals("0", ps.stats().get("ps.group.0.pushes"));
  }

  @Test
  void nonFiniteDeltaIsRejectedWhole() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2}, 1, 0);
    FloatBuffer out = FloatBuffer.allocate(2);
    ParameterServer.PushResult r = ps.pushAndPull(0, 1,
        FloatBuffer.wrap(new float[] {1, Float.NaN}), out);
    assertFalse(r.accepted());
    assertTrue(r.error().contains("non-finite"), r.error());
    assertArrayEquals(new float[] {1, 2}, ps.weights(), "not even the finite part applied");
    r = ps.pushAndPull(0, 1, FloatBuffer.wrap(new float[] {Float.POSITIVE_INFINITY, 0}), out);
    assertFalse(r.accepted());
    assertEquals("2", ps.stats().get("ps.rejected"));
  }

  @Test
  void negativeStepsAreRejected() {
    ParameterServer ps = new ParameterServer(new float[] {1}, 1, 0);
    ParameterServer.PushResult r = ps.pushAndPull(0, -1, FloatBuffer.wrap(new float[] {1}),
        FloatBuffer.allocate(1));
    assertFalse(r.accepted());
    assertArrayEquals(new float[] {1}, ps.weights());
  }

  @Test
  void rejectedPushStillReportsASpentBudget() {
    ParameterServer ps = new ParameterServer(new float[] {0}, 1, 2);
    FloatBuffer out = FloatBuffer.allocate(1);
    assertTrue(ps.pushAndPull(0, 2, FloatBuffer.wrap(new float[] {1}), out).stop());
    ParameterServer.PushResult r = ps.pushAndPull(0, 1, FloatBuffer.wrap(new float[] {Float.NaN}),
        out);
    assertFalse(r.accepted());
    assertTrue(r.stop());
  }

  @Test
  void unknownGroupAndShortOutputAreProgrammingErrors() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2}, 1, 0);
    assertThrows(IllegalArgumentException.class, () -> ps.pull(1, FloatBuffer.allocate(2)));
    assertThrows(IllegalArgumentException.class, () -> ps.pull(0, FloatBuffer.allocate(1)));
  }

  @Test
  void doneWaitsForEveryGroup() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {0}, 2, 0);
    assertFalse(ps.done(0, 5, "t0", "h0"));
    assertFalse(ps.awaitAllDone(50));
    assertTrue(ps.done(1, 5, "", ""));
    assertTrue(ps.awaitAllDone(50));
    assertEquals("t0", ps.stats().get("group.0.leader.timing"));
    assertEquals("h0", ps.stats().get("history.group.0"));
  }

  @Test
  void localClientWrapsTheServer() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {1, 2}, 1, 3);
    try (ParameterServerClient c = new LocalServerClient(ps, 0)) {
      float[] w = new float[2];
      c.pull(w);
      assertArrayEquals(new float[] {1, 2}, w);
      float[] d = {1, 1};
      assertFalse(c.pushAndPull(2, d, d));
      assertArrayEquals(new float[] {2, 3}, d);
      IOException e = assertThrows(IOException.class,
          () -> c.pushAndPull(1, new float[] {Float.NaN, 0}, w));
      assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
      assertTrue(c.pushAndPull(1, new float[] {0, 0}, w));
      assertThrows(IllegalArgumentException.class, () -> c.pull(new float[3]));
      c.done(3, "t", "h");
      assertTrue(ps.awaitAllDone(0));
    }
  }

  /** The wait is bounded by silence, not by the job's length: a group that keeps talking. */
  @Test
  void aGroupThatKeepsPushingIsNeverWaitedOut() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {0}, 1, 0);
    Thread pusher = new Thread(() -> {
      try {
        for (int i = 0; i < 12; i++) {
          Thread.sleep(25);
          ps.pushAndPull(0, 1, FloatBuffer.wrap(new float[] {1}), FloatBuffer.allocate(1));
        }
        ps.done(0, 12, "", "");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    pusher.start();
    long t0 = System.nanoTime();
    assertTrue(ps.awaitAllDone(150), "cut short although the group kept pushing");
    assertTrue((System.nanoTime() - t0) / 1e6 > 250, "returned before the group finished");
    pusher.join();
  }

  @Test
  void aLostGroupFailsTheWaitNamingItUnlessItHadFinished() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {0}, 2, 0);
    ps.done(0, 1, "", "");
    ps.groupLost(0, "its connection closed");
    assertFalse(ps.awaitAllDone(20), "a finished group's disconnection is no failure");
    ps.groupLost(1, "its connection closed");
    IOException e = assertThrows(IOException.class, () -> ps.awaitAllDone(60_000));
    assertTrue(e.getMessage().contains("group 1"), e.getMessage());
  }
}
