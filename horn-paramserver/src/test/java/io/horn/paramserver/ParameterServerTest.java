package io.horn.paramserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class ParameterServerTest {

  @Test
  void pushesAddDeltasAndCountSteps() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 2, 10);
    PullReply r = ps.pushAndPull(0, 4, new ParamsWritable(0, 0, 0, new float[] {1, 1, 1}));
    assertTrue(r.accepted());
    assertFalse(r.stop());
    assertArrayEquals(new float[] {2, 3, 4}, r.params().values());
    r = ps.pushAndPull(1, 6, new ParamsWritable(0, 0, 0, new float[] {0, -3, 0}));
    assertArrayEquals(new float[] {2, 0, 4}, r.params().values());
    assertTrue(r.stop(), "10 of 10 budgeted steps done");
    assertEquals("4", ps.stats().get("ps.group.0.steps"));
    assertEquals("1", ps.stats().get("ps.group.1.pushes"));
  }

  @Test
  void mismatchedShapeIsRejectedAndNotApplied() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    PullReply r = ps.pushAndPull(0, 1, new ParamsWritable(0, 0, 0, new float[] {5, 5}));
    assertFalse(r.accepted());
    assertTrue(r.error().contains("shape mismatch"), r.error());
    assertArrayEquals(new float[] {1, 2, 3}, ps.weights());
    assertEquals("1", ps.stats().get("ps.rejected"));
  }

  @Test
  void nonFiniteDeltaIsRejected() {
    ParameterServer ps = new ParameterServer(new float[] {1, 2}, 1, 0);
    PullReply r = ps.pushAndPull(0, 1, new ParamsWritable(0, 0, 0, new float[] {Float.NaN, 0}));
    assertFalse(r.accepted());
    assertArrayEquals(new float[] {1, 2}, ps.weights());
  }

  @Test
  void doneWaitsForEveryGroup() throws Exception {
    ParameterServer ps = new ParameterServer(new float[] {0}, 2, 0);
    assertFalse(ps.done(0, 5, "", ""));
    assertFalse(ps.awaitAllDone(50));
    assertTrue(ps.done(1, 5, "", ""));
    assertTrue(ps.awaitAllDone(50));
  }

  @Test
  void servesOverHamaIpc() throws Exception {
    ClassLoader prev = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0], prev));
    ParameterServer ps = new ParameterServer(new float[] {1, 2, 3}, 1, 0);
    try (RpcEndpoint server = new RpcEndpoint(ps, "127.0.0.1", 2, new Configuration())) {
      ParameterServerProtocol client = RpcEndpoint.proxy(ParameterServerProtocol.class,
          ParameterServerProtocol.VERSION, server.address(), new Configuration());
      try {
        PullReply r = client.pushAndPull(0, 1, new ParamsWritable(0, 0, 0, new float[] {1, 0, 0}));
        assertTrue(r.accepted());
        assertArrayEquals(new float[] {2, 2, 3}, r.params().values());
        PullReply bad = client.pushAndPull(0, 1, new ParamsWritable(0, 0, 0, new float[] {1}));
        assertFalse(bad.accepted());
        assertArrayEquals(new float[] {2, 2, 3}, client.pull(0).values());
      } finally {
        RpcEndpoint.closeProxy(client);
      }
    } finally {
      Thread.currentThread().setContextClassLoader(prev);
    }
  }
}
