package io.horn.paramserver.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GroupRingTest {

  @AfterEach
  void noThreadLeft() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 3000;
    while (Rings.collectiveThreads() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, Rings.collectiveThreads(), "collective threads left behind");
  }

  /** Every member's sum has the same bits as the reference order, round after round. */
  @ParameterizedTest(name = "P={0} len={1} piece={2} {3} {4}")
  @CsvSource({
      "2, 1, 7, fp32, shm", "2, 1000003, 65536, fp32, tcp", "2, 1000003, 65536, fp32, shm",
      "2, 999, 7, bf16, tcp", "2, 1001, 13, fp16, shm",
      "3, 2, 5, fp32, tcp", "3, 1000003, 65536, fp32, shm", "3, 1000, 7, fp32, tcp",
      "3, 4097, 100, bf16, shm", "4, 3, 1, fp32, shm", "4, 650, 16, fp32, tcp",
      "4, 262147, 4099, fp32, shm", "4, 262147, 4099, fp32, tcp", "4, 777, 33, fp16, tcp",
      "5, 10007, 999, fp32, shm"})
  void allReduceIsBitIdenticalToTheReferenceOrder(int p, int len, int piece, String format,
      String transport) throws Exception {
    CollectiveOptions o = CollectiveOptions.of(20_000).withPieceValues(piece)
        .withFormat(WireFormat.parse(format)).withSharedMemory(transport.equals("shm"));
    List<GroupRing> rings = Rings.form(p, o);
    for (GroupRing r : rings) {
      assertEquals("out " + transport + ", in " + transport, r.transport());
    }
    ExecutorService pool = Executors.newFixedThreadPool(p);
    try {
      Random rnd = new Random(len * 31L + p);
      int off = 3;
      for (int round = 0; round < 5; round++) {
        float[][] parts = new float[p][off + len + 2];
        for (float[] a : parts) {
          for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian() * (1 + round);
          }
        }
        float[] expected = new float[off + len + 2];
        ReductionOrder.sum(parts, expected, off, len, o.format());
        float[][] bufs = new float[p][];
        List<Future<?>> runs = new ArrayList<>();
        for (int r = 0; r < p; r++) {
          bufs[r] = parts[r].clone();
          int rank = r;
          runs.add(pool.submit(() -> {
            rings.get(rank).allReduce(bufs[rank], off, len);
            return null;
          }));
        }
        for (Future<?> f : runs) {
          f.get(60, TimeUnit.SECONDS);
        }
        for (int r = 0; r < p; r++) {
          for (int i = off; i < off + len; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(bufs[r][i])) {
              throw new AssertionError("member " + r + " value " + i + ": " + bufs[r][i]
                  + " != " + expected[i] + " (round " + round + ")");
            }
          }
          // Values outside the range are untouched.
          assertEquals(parts[r][off - 1], bufs[r][off - 1]);
          assertEquals(parts[r][off + len], bufs[r][off + len]);
        }
      }
    } finally {
      pool.shutdownNow();
      Rings.closeAll(rings);
    }
  }

  @ParameterizedTest(name = "P={0} {1}")
  @CsvSource({"2, shm", "3, tcp", "4, shm"})
  void broadcastAndHeaderSums(int p, String transport) throws Exception {
    List<GroupRing> rings = Rings.form(p, CollectiveOptions.of(20_000).withPieceValues(1000)
        .withSharedMemory(transport.equals("shm")));
    ExecutorService pool = Executors.newFixedThreadPool(p);
    try {
      for (int root = 0; root < p; root++) {
        float[][] bufs = new float[p][12345];
        for (int r = 0; r < p; r++) {
          java.util.Arrays.fill(bufs[r], r + 0.5f);
        }
        bufs[root][12344] = 42f;
        int rt = root;
        List<Future<double[]>> runs = new ArrayList<>();
        for (int r = 0; r < p; r++) {
          int rank = r;
          runs.add(pool.submit(() -> {
            rings.get(rank).broadcast(bufs[rank], 0, 12345, rt);
            double[] h = {rank + 1, 0.1 * rank, rank == rt ? 1 : 0};
            rings.get(rank).allReduce(h);
            return h;
          }));
        }
        for (int r = 0; r < p; r++) {
          double[] h = runs.get(r).get(60, TimeUnit.SECONDS);
          assertArrayEquals(bufs[root], bufs[r]);
          assertEquals(p * (p + 1) / 2.0, h[0]);
          assertEquals(1.0, h[2]);
          double s = 0;
          for (int m = 0; m < p; m++) {
            s += 0.1 * m;
          }
          assertEquals(s, h[1], 0.0, "rank-order sum");
        }
        assertEquals(42f, bufs[p - 1][12344]);
      }
    } finally {
      pool.shutdownNow();
      Rings.closeAll(rings);
    }
  }

  @ParameterizedTest(name = "P={0} {1}")
  @CsvSource({"2, tcp", "3, tcp", "2, shm", "3, shm"})
  void aStalledMemberFailsTheOthersInBoundedTimeNamingIt(int p, String transport)
      throws Exception {
    long timeout = 1500;
    List<GroupRing> rings = Rings.form(p, CollectiveOptions.of(timeout)
        .withSharedMemory(transport.equals("shm")));
    ExecutorService pool = Executors.newFixedThreadPool(p);
    try {
      List<Future<?>> runs = new ArrayList<>();
      long t0 = System.nanoTime();
      // Member p-1 never calls: it is stalled (alive, connections open).
      for (int r = 0; r < p - 1; r++) {
        int rank = r;
        runs.add(pool.submit(() -> {
          rings.get(rank).allReduce(new float[100_000], 0, 100_000);
          return null;
        }));
      }
      for (Future<?> f : runs) {
        Exception e = assertThrows(Exception.class, () -> f.get(30, TimeUnit.SECONDS));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("member " + (p - 1)), msg);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      assertTrue(secs < timeout / 1000.0 * 3 + 2, "took " + secs + " s");
    } finally {
      pool.shutdownNow();
      Rings.closeAll(rings);
    }
  }

  @ParameterizedTest(name = "P={0} {1}")
  @CsvSource({"2, tcp", "4, tcp", "2, shm", "4, shm"})
  void aMemberThatGivesUpFailsEveryOtherNamingTheCause(int p, String transport)
      throws Exception {
    List<GroupRing> rings = Rings.form(p, CollectiveOptions.of(30_000)
        .withSharedMemory(transport.equals("shm")));
    ExecutorService pool = Executors.newFixedThreadPool(p);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int r = 1; r < p; r++) {
        int rank = r;
        runs.add(pool.submit(() -> {
          rings.get(rank).allReduce(new float[500_000], 0, 500_000);
          return null;
        }));
      }
      Thread.sleep(200);
      rings.get(0).abort("out of memory in the engine");
      long t0 = System.nanoTime();
      for (Future<?> f : runs) {
        Exception e = assertThrows(Exception.class, () -> f.get(20, TimeUnit.SECONDS));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("out of memory in the engine") || msg.contains("member 0"), msg);
      }
      assertTrue((System.nanoTime() - t0) / 1e9 < 10, "the failure did not travel promptly");
    } finally {
      pool.shutdownNow();
      Rings.closeAll(rings);
    }
  }
}
