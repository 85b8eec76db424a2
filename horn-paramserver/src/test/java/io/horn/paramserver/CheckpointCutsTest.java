package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.checkpoint.GroupState;
import io.horn.core.optimizer.OptimizerState;
import io.horn.paramserver.collective.Handshake;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parameter server's checkpoints are consistent cuts: the weights hold each group's pushes
 * up to exactly the one its state follows.
 */
class CheckpointCutsTest {
  private static final Handshake HS = new Handshake("the-job-secret-0123456789");

  private static GroupState state(int group, long steps, int n) {
    float[] prev = new float[n];
    java.util.Arrays.fill(prev, group + 0.5f);
    return new GroupState(group, steps, 1, (int) steps, new OptimizerState(steps, prev, null,
        null));
  }

  private static FloatBuffer delta(float v, int n) {
    float[] d = new float[n];
    java.util.Arrays.fill(d, v);
    return FloatBuffer.wrap(d);
  }

  @Test
  void cutHoldsEachGroupsPushesUpToItsState() {
    int n = 3;
    List<ServerCut> cuts = new ArrayList<>();
    ParameterServer ps = new ParameterServer(new float[n], 2, 0);
    ps.checkpointEvery(4, 0, 1, cuts::add);
    FloatBuffer out = FloatBuffer.allocate(n);
    // Group 0 pushes 1 (2 steps), group 1 pushes 10 (2 steps): 4 steps, the cut opens.
    assertFalse(ps.pushAndPull(0, 2, delta(1, n), out).checkpoint());
    ParameterServer.PushResult r = ps.pushAndPull(1, 2, delta(10, n), out);
    assertTrue(r.checkpoint(), "group 1's push opened the cut: it sends its state now");
    // Group 1 pushes again before group 0 is heard from: not in the cut.
    assertFalse(ps.pushAndPull(1, 2, delta(100, n), out).checkpoint());
    assertEquals(null, ps.state(1, state(1, 2, n)));
    assertTrue(cuts.isEmpty(), "group 0 is not in yet");
    // Group 0's next push joins the cut; the one after does not.
    assertTrue(ps.pushAndPull(0, 2, delta(1000, n), out).checkpoint());
    assertFalse(ps.pushAndPull(0, 2, delta(10000, n), out).checkpoint());
    assertEquals(null, ps.state(0, state(0, 4, n)));
    assertEquals(1, cuts.size());
    ServerCut c = cuts.get(0);
    assertEquals(1, c.sequence());
    assertEquals(6, c.totalSteps());
    // 1 + 10 + 1000: group 0's two pushes and group 1's first; not 100, not 10000.
    assertArrayEquals(new float[] {1011, 1011, 1011}, c.weights());
    assertEquals(4, c.groups().get(0).steps());
    assertEquals(2, c.groups().get(1).steps());
    assertArrayEquals(state(1, 2, n).optimizer().prev(), c.groups().get(1).optimizer().prev());
    // The server's own weights went on: 11111 + 100.
    assertArrayEquals(new float[] {11111, 11111, 11111}, ps.weights());
  }

  @Test
  void aStateThatDisagreesWithTheServersRecordsIsRefused() {
    ParameterServer ps = new ParameterServer(new float[2], 1, 0);
    ps.checkpointEvery(2, 0, 1, c -> { });
    assertNotNull(ps.state(0, state(0, 2, 2)), "no cut is open yet");
    assertTrue(ps.pushAndPull(0, 2, delta(1, 2), FloatBuffer.allocate(2)).checkpoint());
    String why = ps.state(0, state(0, 3, 2));
    assertNotNull(why);
    assertTrue(why.contains("up to step 2"), why);
  }

  @Test
  void aGroupThatFinishesJoinsTheOpenCutAsFinished() {
    List<ServerCut> cuts = new ArrayList<>();
    ParameterServer ps = new ParameterServer(new float[1], 2, 0);
    ps.checkpointEvery(1, 0, 5, cuts::add);
    FloatBuffer out = FloatBuffer.allocate(1);
    ps.pushAndPull(1, 3, delta(1, 1), out); // group 0 has pushed nothing
    ps.state(1, state(1, 3, 1));
    ps.done(0, 0, "", "");
    assertEquals(1, cuts.size());
    assertEquals(5, cuts.get(0).sequence(), "numbered from the first sequence given");
    assertTrue(cuts.get(0).groups().get(0).finished());
  }

  @Test
  void resumedServerCountsTheStepsBeforeTheCheckpointInItsBudget() {
    ParameterServer ps = new ParameterServer(new float[1], 2, 10);
    ps.resume(new long[] {4, 4});
    assertFalse(ps.pushAndPull(0, 1, delta(1, 1), FloatBuffer.allocate(1)).stop());
    assertTrue(ps.pushAndPull(1, 1, delta(1, 1), FloatBuffer.allocate(1)).stop());
  }

  @Test
  void statesTravelOverTcpWithAdamsMoments() throws Exception {
    int n = 1000;
    List<ServerCut> cuts = new ArrayList<>();
    ParameterServer ps = new ParameterServer(new float[n], 1, 0);
    ps.checkpointEvery(3, 0, 1, cuts::add);
    try (ServerEndpoint server = ServerEndpoint.open(ps, "127.0.0.1", HS, 1, 5000);
        RemoteServerClient c = RemoteServerClient.connect(server.address(), HS, 0, n, 5000)) {
      float[] w = new float[n];
      float[] d = new float[n];
      java.util.Arrays.fill(d, 0.5f);
      assertFalse(c.pushAndPull(2, d.clone(), w));
      assertFalse(c.checkpointWanted());
      assertFalse(c.pushAndPull(2, d.clone(), w));
      assertTrue(c.checkpointWanted());
      float[] m = new float[n];
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        m[i] = i;
        v[i] = -i;
      }
      GroupState s = new GroupState(0, 4, 2, 9, new OptimizerState(4, d, m, v));
      c.sendState(s);
      assertFalse(c.checkpointWanted());
      assertEquals(1, cuts.size());
      GroupState got = cuts.get(0).groups().get(0);
      assertEquals(s.optimizer(), got.optimizer());
      assertEquals(9, got.cursor());
      // A state nobody asked for is refused, and the server says why.
      IOException e = assertThrows(IOException.class, () -> c.sendState(s));
      assertTrue(e.getMessage().contains("no checkpoint is waiting"), e.getMessage());
    }
  }
}
