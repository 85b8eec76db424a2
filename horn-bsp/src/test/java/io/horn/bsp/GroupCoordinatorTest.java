package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.paramserver.ParamsWritable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import io.horn.paramserver.RpcEndpoint;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class GroupCoordinatorTest {

  private static ParamsWritable grads(float... v) {
    return new ParamsWritable(0, 1, 0.5, v);
  }

  @Test
  void everyMemberGetsTheSameSumAfterAllArrive() throws Exception {
    GroupCoordinator c = new GroupCoordinator(0, 3, 5_000);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (long step = 0; step < 20; step++) {
        long s = step;
        Future<StepReply> a = pool.submit(() -> c.reduce(0, s, grads(1, 2)));
        Future<StepReply> b = pool.submit(() -> c.reduce(1, s, grads(10, 20)));
        Future<StepReply> d = pool.submit(() -> c.reduce(2, s, grads(100, 200 + s)));
        for (Future<StepReply> f : java.util.List.of(a, b, d)) {
          StepReply r = f.get();
          assertArrayEquals(new float[] {111, 222 + s}, r.sum().values());
          assertEquals(3, r.sum().samples());
          assertEquals(1.5, r.sum().cost(), 1e-12);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMissingMemberTimesOutNamingIt() {
    GroupCoordinator c = new GroupCoordinator(4, 3, 200);
    IOException e = assertThrows(IOException.class, () -> c.reduce(1, 7, grads(1)));
    assertTrue(e.getMessage().contains("group 4") && e.getMessage().contains("step 7")
        && e.getMessage().contains("members 0, 2"), e.getMessage());
  }

  @Test
  void stopReachesEveryMemberOfTheNextRound() throws Exception {
    GroupCoordinator c = new GroupCoordinator(0, 1, 1_000);
    assertTrue(!c.reduce(0, 0, grads(1)).stop());
    c.requestStop();
    assertTrue(c.reduce(0, 1, grads(1)).stop());
  }

  @Test
  void fetchReturnsPublishedWeights() throws Exception {
    GroupCoordinator c = new GroupCoordinator(0, 2, 2_000);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<ParamsWritable> f = pool.submit(() -> c.fetch(1, 4));
      Thread.sleep(50);
      c.publish(4, new float[] {7, 8});
      assertArrayEquals(new float[] {7, 8}, f.get().values());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shapeMismatchInsideAGroupFailsTheRound() throws Exception {
    GroupCoordinator c = new GroupCoordinator(0, 2, 2_000);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<StepReply> first = pool.submit(() -> c.reduce(0, 0, grads(1, 2)));
      Thread.sleep(50);
      IOException e = assertThrows(IOException.class, () -> c.reduce(1, 0, grads(1)));
      assertTrue(e.getMessage().contains("model shapes differ"), e.getMessage());
      assertThrows(Exception.class, first::get);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void barrierWorksOverIpc() throws Exception {
    ClassLoader prev = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0], prev));
    GroupCoordinator c = new GroupCoordinator(0, 2, 5_000);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (RpcEndpoint server = new RpcEndpoint(c, "127.0.0.1", 3, new Configuration())) {
      GroupProtocol remote = RpcEndpoint.proxy(GroupProtocol.class, GroupProtocol.VERSION,
          server.address(), new Configuration());
      Future<StepReply> local = pool.submit(() -> c.reduce(0, 0, grads(1, 1)));
      StepReply r = remote.reduce(1, 0, grads(2, 3));
      assertArrayEquals(new float[] {3, 4}, r.sum().values());
      assertArrayEquals(new float[] {3, 4}, local.get().sum().values());
      RpcEndpoint.closeProxy(remote);
    } finally {
      pool.shutdownNow();
      Thread.currentThread().setContextClassLoader(prev);
    }
  }

  @Test
  void stepReplyRoundTrip() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new StepReply(new ParamsWritable(3, 4, 5, new float[] {1, 2}), true)
        .write(new DataOutputStream(b));
    StepReply r = new StepReply();
    r.readFields(new DataInputStream(new ByteArrayInputStream(b.toByteArray())));
    assertTrue(r.stop());
    assertEquals(3, r.sum().step());
    assertArrayEquals(new float[] {1, 2}, r.sum().values());
  }
}
