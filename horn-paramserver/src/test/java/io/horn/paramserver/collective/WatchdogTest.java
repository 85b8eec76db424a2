package io.horn.paramserver.collective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchdogTest {

  /**
   * A member waiting for data from a neighbour that only beats makes progress on every beat;
   * it must still tell the next member that it waits, or that member blames it for the stall.
   */
  @Test
  void aWaitKeepsNudgingWhileTheNeighbourOnlyBeats() throws Exception {
    AtomicInteger nudges = new AtomicInteger();
    CountDownLatch closed = new CountDownLatch(1);
    try (Watchdog w = new Watchdog("test-watchdog", 400)) {
      Watchdog.Guard g = w.guard(closed::countDown, nudges::incrementAndGet, 400);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
      while (System.nanoTime() < end) {
        g.begin(); // a heartbeat arrived: progress, far more often than a quarter of the limit
        Thread.sleep(20);
      }
      g.end();
      assertTrue(nudges.get() >= 3, "nudges in 1.2 s at a 100 ms quarter: " + nudges.get());
      assertEquals(1, closed.getCount(), "progress kept the wait alive");
      assertFalse(g.expired());
    }
  }

  @Test
  void aWaitWithoutProgressExpiresAndClosesItsTarget() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    try (Watchdog w = new Watchdog("test-watchdog", 200)) {
      Watchdog.Guard g = w.guard(closed::countDown);
      g.begin();
      assertTrue(closed.await(5, TimeUnit.SECONDS), "the watchdog closed the stalled channel");
      assertTrue(g.expired());
    }
  }

  @Test
  void noNudgeAndNoDeadlineOutsideAWait() throws Exception {
    AtomicInteger nudges = new AtomicInteger();
    CountDownLatch closed = new CountDownLatch(1);
    try (Watchdog w = new Watchdog("test-watchdog", 100)) {
      Watchdog.Guard g = w.guard(closed::countDown, nudges::incrementAndGet, 100);
      g.begin();
      g.end();
      Thread.sleep(400);
      assertEquals(0, nudges.get());
      assertEquals(1, closed.getCount());
      assertFalse(g.expired());
    }
  }
}
