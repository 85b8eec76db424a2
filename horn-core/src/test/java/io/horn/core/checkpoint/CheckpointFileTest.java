package io.horn.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.DataFormatException;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written and read back as model files. */
class CheckpointFileTest {
  @TempDir
  Path dir;

  private static final NetworkSpec SPEC = new NetworkSpec(List.of(
      new LayerSpec(3, ReLU.class, StandardNeuron.class, 0f),
      new LayerSpec(2, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);

  private static float[] values(int n, float base) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = base + i * 0.25f;
    }
    return v;
  }

  private Path write(Checkpoint c) throws Exception {
    Path p = dir.resolve("c-" + c.sequence() + ".horn");
    try (OutputStream out = Files.newOutputStream(p)) {
      CheckpointFile.write(c, out);
    }
    return p;
  }

  @Test
  void roundTripKeepsEveryGroupsStateAndIsAModel() throws Exception {
    int n = SPEC.parameterCount();
    Model model = new Model(SPEC, values(n, 1), Map.of("note", "x"));
    GroupState momentum = new GroupState(0, 120, 3, 17,
        new OptimizerState(120, values(n, -1), null, null));
    GroupState adam = new GroupState(1, 98, 2, 5,
        new OptimizerState(98, values(n, 2), values(n, 3), values(n, 4)));
    GroupState done = GroupState.finished(2, 40);
    Path p = write(new Checkpoint(7, 258, model, List.of(momentum, adam, done)));

    assertTrue(CheckpointFile.isCheckpoint(p));
    Checkpoint back = CheckpointFile.read(p, null);
    assertEquals(7, back.sequence());
    assertEquals(258, back.totalSteps());
    assertArrayEquals(model.parameters(), back.model().parameters());
    assertEquals("x", back.model().metadata().get("note"));
    assertEquals(momentum.optimizer(), back.group(0).optimizer());
    assertEquals(adam.optimizer(), back.group(1).optimizer());
    assertEquals(17, back.group(0).cursor());
    assertEquals(3, back.group(0).epoch());
    assertTrue(back.group(2).finished());
    assertEquals(40, back.group(2).steps());

    // Every model reader takes it for the model it holds.
    Model asModel = ModelFile.load(p, null);
    assertArrayEquals(model.parameters(), asModel.parameters());
    assertEquals(2, ModelFile.readHeader(p).formatVersion());
    assertEquals(4, ModelFile.loadSections(p).size(), "prev; prev, m, v");
  }

  @Test
  void aPlainModelIsWrittenInVersionOneAndIsNotACheckpoint() throws Exception {
    Path p = dir.resolve("m.horn");
    ModelFile.save(new Model(SPEC, values(SPEC.parameterCount(), 0), Map.of()), p);
    assertEquals(1, ModelFile.readHeader(p).formatVersion());
    assertFalse(CheckpointFile.isCheckpoint(p));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CheckpointFile.read(p, null));
    assertTrue(e.getMessage().contains("not a checkpoint"), e.getMessage());
  }

  @Test
  void aCheckpointMissingAGroupsStateIsRefusedNamingIt() throws Exception {
    int n = SPEC.parameterCount();
    Model model = new Model(SPEC, values(n, 1), Map.of());
    Path p = write(new Checkpoint(1, 10, model, List.of(
        new GroupState(0, 10, 1, 2, new OptimizerState(10, values(n, 0), null, null)))));
    // The same metadata without the state's section: as if a writer had left it out.
    Model m = ModelFile.load(p, null);
    Path broken = dir.resolve("broken.horn");
    ModelFile.save(m, Map.of("unrelated", new float[] {1}), broken);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> CheckpointFile.read(broken, null));
    assertTrue(e.getMessage().contains("group.0.prev"), e.getMessage());
  }

  @Test
  void truncatedCheckpointIsCorruptNotHalfRead() throws Exception {
    int n = SPEC.parameterCount();
    Path p = write(new Checkpoint(2, 5, new Model(SPEC, values(n, 1), Map.of()), List.of(
        new GroupState(0, 5, 1, 1, new OptimizerState(5, values(n, 0), null, null)))));
    byte[] b = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(b, b.length - 9));
    assertThrows(DataFormatException.class, () -> CheckpointFile.read(p, null));
  }
}
