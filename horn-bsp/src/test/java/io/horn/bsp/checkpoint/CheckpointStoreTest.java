package io.horn.bsp.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.checkpoint.GroupState;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint directory on the local file system: atomic writes, pruning, fallback. */
public class CheckpointStoreTest {
  @TempDir
  Path dir;

  public static Checkpoint checkpoint(long sequence, int params) {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(params - 1, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(1, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
    float[] w = new float[spec.parameterCount()];
    java.util.Arrays.fill(w, sequence);
    return new Checkpoint(sequence, sequence * 10, new Model(spec, w, Map.of()), List.of(
        new GroupState(0, sequence * 10, 1, 2, new OptimizerState(sequence, w, null, null))));
  }

  @Test
  void keepsTheNewestAndFallsBackPastACorruptOne() throws Exception {
    CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(dir.toString()),
        new Configuration(), 2);
    assertNull(store.newest(null));
    for (long s = 1; s <= 4; s++) {
      store.write(checkpoint(s, 8));
    }
    assertEquals(List.of("checkpoint-0000000003.horn", "checkpoint-0000000004.horn"),
        names(dir));
    assertEquals(4, store.newest(null).checkpoint().sequence());
    // The newest cut short (as by a crash of the file system): the one before is used.
    Path newest = dir.resolve("checkpoint-0000000004.horn");
    byte[] b = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(b, b.length / 2));
    CheckpointStore.Stored s = store.newest(null);
    assertEquals(3, s.checkpoint().sequence());
    assertArrayEquals(checkpoint(3, 8).model().parameters(),
        s.checkpoint().model().parameters());
  }

  /**
   * A real full disk (a 1 MiB tmpfs): the checkpoint that does not fit fails, leaves no
   * temporary file, and the one already there stays intact and readable.
   */
  @Test
  @Tag("root")
  void aFullDiskKeepsTheCheckpointsAlreadyWritten() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a tmpfs");
    Path mnt = Files.createDirectories(dir.resolve("small"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
        mnt.toString()).redirectErrorStream(true).start();
    assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (no CAP_SYS_ADMIN)");
    try {
      CheckpointStore store = new CheckpointStore(new org.apache.hadoop.fs.Path(mnt.toString()),
          new Configuration(), 3);
      store.write(checkpoint(1, 1000));
      IOException e = assertThrows(IOException.class,
          () -> store.write(checkpoint(2, 400_000))); // 1.6 MB of weights, twice
      assertTrue(e.getMessage() != null, String.valueOf(e));
      assertEquals(List.of("checkpoint-0000000001.horn"), names(mnt));
      assertEquals(1, store.newest(null).checkpoint().sequence());
    } finally {
      new ProcessBuilder("umount", mnt.toString()).start().waitFor();
    }
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
