package io.horn.bsp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's thread on a real directory: a newer cut replaces one still waiting, and {@link
 * CheckpointWriter#awaitIdle} returns exactly when everything submitted is on disk.
 */
class CheckpointWriterTest {
  @TempDir
  Path dir;

  @Test
  void aWaitingCutIsReplacedAndAwaitIdleReturnsOnceAllIsWritten() throws Exception {
    CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(dir.toString()),
        new Configuration(), 10);
    CheckpointWriter w = CheckpointWriter.start(store, "test-checkpoint-writer");
    try {
      CountDownLatch building = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      w.submit(() -> {
        building.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return CheckpointStoreTest.checkpoint(1, 8);
      });
      building.await(); // the first is being written: the next ones wait behind it
      w.submit(() -> CheckpointStoreTest.checkpoint(2, 8));
      w.submit(() -> CheckpointStoreTest.checkpoint(3, 8)); // replaces 2
      Thread idle = new Thread(() -> {
        try {
          w.awaitIdle();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      idle.start();
      idle.join(300);
      assertTrue(idle.isAlive(), "awaitIdle returned while a cut was still being written");
      release.countDown();
      idle.join(30_000);
      assertFalse(idle.isAlive(), "awaitIdle did not return after the writes");
      assertEquals(2, w.written());
      assertEquals(List.of("checkpoint-0000000001.horn", "checkpoint-0000000003.horn"),
          names());
      Checkpoint newest = store.newest(null).checkpoint();
      assertEquals(3, newest.sequence());
      w.awaitIdle(); // nothing outstanding: returns at once
    } finally {
      w.close();
    }
    w.awaitIdle(); // a closed writer never keeps a caller waiting
  }

  private List<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".horn")).sorted()
          .collect(Collectors.toList());
    }
  }
}
