package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The metadata keys are the file format: their spelling is pinned here. */
class MetadataKeysTest {
  @Test
  void perGroupWorkerAndShardKeysKeepTheirSpelling() {
    assertEquals("history.group.3", MetadataKeys.history(3));
    assertEquals("group.3.steps", MetadataKeys.groupSteps(3));
    assertEquals("group.3.pushes", MetadataKeys.groupPushes(3));
    assertEquals("group.3.leader.timing", MetadataKeys.leaderTiming(3));
    assertEquals("ps.group.3.steps", MetadataKeys.psGroupSteps(3));
    assertEquals("ps.group.3.pushes", MetadataKeys.psGroupPushes(3));
    assertEquals("worker.12.host", MetadataKeys.workerHost(12));
    assertEquals("worker.12.read.bytes", MetadataKeys.workerReadBytes(12));
    assertEquals("worker.12.read.local.bytes", MetadataKeys.workerReadLocalBytes(12));
    assertEquals("checkpoint.group.0.", MetadataKeys.checkpointGroupPrefix(0));
    assertEquals("conf.horn.batch.size", MetadataKeys.conf("horn.batch.size"));
  }

  @Test
  void findsTheGroupAKeyNames() {
    assertEquals(OptionalInt.of(7), MetadataKeys.groupOf(MetadataKeys.history(7)));
    assertEquals(OptionalInt.of(7), MetadataKeys.groupOf(MetadataKeys.leaderTiming(7)));
    assertEquals(OptionalInt.of(7), MetadataKeys.groupOf(MetadataKeys.psGroupPushes(7)));
    for (String other : new String[] {MetadataKeys.PS_STEPS, MetadataKeys.TEST_ACCURACY,
        MetadataKeys.workerHost(7), "group.7", "history.group.x", "ps.group.7"}) {
      assertEquals(OptionalInt.empty(), MetadataKeys.groupOf(other), other);
    }
  }

  @Test
  void refusesNegativeIndicesAndEmptyConfigurationKeys() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MetadataKeys.history(-1));
    assertEquals("index must not be negative, not -1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MetadataKeys.conf(""));
  }
}
