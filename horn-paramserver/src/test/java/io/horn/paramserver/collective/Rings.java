package io.horn.paramserver.collective;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Test helper: forms a group's ring on loopback, one member per thread. */
final class Rings {
  static final String SECRET = "test-secret-0123456789abcdef";

  private Rings() {}

  static List<GroupRing> form(int p, CollectiveOptions options) throws Exception {
    List<RingEndpoint> endpoints = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int r = 0; r < p; r++) {
      RingEndpoint e = RingEndpoint.open("127.0.0.1");
      endpoints.add(e);
      addresses.add(e.address());
    }
    ExecutorService pool = Executors.newFixedThreadPool(p);
    try {
      List<Future<GroupRing>> joins = new ArrayList<>();
      for (int r = 0; r < p; r++) {
        int rank = r;
        joins.add(pool.submit(() -> endpoints.get(rank).join(new Handshake(SECRET), 0, rank,
            addresses, options)));
      }
      List<GroupRing> rings = new ArrayList<>();
      for (Future<GroupRing> f : joins) {
        rings.add(f.get(30, TimeUnit.SECONDS));
      }
      return rings;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Live threads whose name marks them as the collectives'. */
  static long collectiveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("horn-collective")).count();
  }

  static void closeAll(List<? extends GroupCollective> members) {
    for (GroupCollective m : members) {
      m.close();
    }
  }
}
