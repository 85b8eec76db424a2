package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The engine's thread team: every part runs, barriers hold, failures come back in bounded time. */
class TeamTest {

  @Test
  void everyPartRunsOnceAndBarriersSeparatePhases() {
    try (Team team = new Team(3, "test-team")) {
      for (int round = 0; round < 2000; round++) {
        int[] phase1 = new int[3];
        int[] seenByOthers = new int[3];
        Thread[] who = new Thread[3];
        team.run((part, of) -> {
          assertEquals(3, of);
          who[part] = Thread.currentThread();
          phase1[part] = part + 1;
          team.sync();
          // After the barrier every part's first-phase write is visible to every part.
          int sum = 0;
          for (int p = 0; p < of; p++) {
            sum += phase1[p];
          }
          seenByOthers[part] = sum;
          team.sync();
        }, 3);
        for (int p = 0; p < 3; p++) {
          assertEquals(6, seenByOthers[p], "round " + round + ", part " + p);
        }
        assertSame(Thread.currentThread(), who[0], "part 0 runs on the caller");
        assertFalse(who[1] == who[2] || who[1] == who[0], "parts 1 and 2 on their own threads");
      }
    }
  }

  @Test
  void aRunMayUseFewerPartsThanTheTeamHas() {
    try (Team team = new Team(3, "test-team")) {
      AtomicIntegerArray ran = new AtomicIntegerArray(3);
      team.run((part, of) -> {
        assertEquals(2, of);
        ran.incrementAndGet(part);
        team.sync();
      }, 2);
      assertEquals(1, ran.get(0));
      assertEquals(1, ran.get(1));
      assertEquals(0, ran.get(2), "part 2 is not in a run of two");
      team.run((part, of) -> ran.incrementAndGet(part), 3);
      assertEquals(1, ran.get(2));
      assertThrows(IllegalArgumentException.class, () -> team.run((p, o) -> { }, 4));
    }
  }

  @Test
  void aFailingPartFailsTheRunAndReleasesTheOthersWaitingAtABarrier() {
    try (Team team = new Team(2, "test-team")) {
      IllegalStateException thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> assertThrows(IllegalStateException.class, () -> team.run((part, of) -> {
            if (part == 1) {
              throw new IllegalStateException("part 1 broke");
            }
            team.sync(); // part 0 would wait here forever without the failure
          }, 2)));
      assertEquals("part 1 broke", thrown.getMessage());
      // The team is usable again after a failed run.
      int[] done = new int[2];
      team.run((part, of) -> {
        team.sync();
        done[part] = 1;
      }, 2);
      assertEquals(1, done[0]);
      assertEquals(1, done[1]);
    }
  }

  @Test
  void awaitWaitsForACounterSetByAnotherPart() {
    try (Team team = new Team(2, "test-team")) {
      AtomicIntegerArray counters = new AtomicIntegerArray(1);
      long[] seenAt = new long[2];
      team.run((part, of) -> {
        if (part == 1) {
          sleep(50);
          seenAt[1] = System.nanoTime();
          counters.incrementAndGet(0);
        } else {
          team.await(counters, 0, 1);
          seenAt[0] = System.nanoTime();
        }
      }, 2);
      assertTrue(seenAt[0] >= seenAt[1], "part 0 went on before part 1 counted");
    }
  }

  @Test
  void idleHelpersParkAndWakeForTheNextRun() {
    try (Team team = new Team(2, "test-team")) {
      int[] runs = new int[2];
      for (int i = 0; i < 3; i++) {
        sleep(20); // longer than the idle spin: the helper parks
        team.run((part, of) -> runs[part]++, 2);
      }
      assertEquals(3, runs[0]);
      assertEquals(3, runs[1]);
    }
  }

  @Test
  void aClosedTeamRefusesWork() {
    Team team = new Team(2, "test-team");
    team.close();
    assertThrows(IllegalStateException.class, () -> team.run((p, o) -> { }, 2));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
