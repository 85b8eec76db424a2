package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
  @TempDir Path dir;

  private static final Map<String, String> META = ImmutableMap.of(
      "horn.version", "0.1.0", "data", "/data/mnist#t10k", "note", "ünïcødé ✓", "empty", "");

  private static NetworkSpec spec(int in, int hidden, int out) {
    return new NetworkSpec(ImmutableList.of(
        new LayerSpec(in, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(hidden, ReLU.class, StandardNeuron.class, 0.25f),
        new LayerSpec(out, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
  }

  private static Model model(int in, int hidden, int out, long seed) {
    NetworkSpec s = spec(in, hidden, out);
    float[] w = new float[s.parameterCount()];
    Random r = new Random(seed);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    if (w.length > 4) {
      // Values a lossy encoding would not keep bit for bit.
      w[0] = -0f;
      w[1] = Float.MIN_VALUE;
      w[2] = Float.MAX_VALUE;
      w[3] = Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
    }
    return new Model(s, w, META);
  }

  private static void assertBitExact(float[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        fail("parameter " + i + ": wrote " + want[i] + ", read " + got[i]);
      }
    }
  }

  private List<String> listDir(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void aStreamInUnevenPiecesWritesTheSameBytesAsTheWholeModel() throws IOException {
    Model m = model(30, 17, 5, 3);
    Path whole = dir.resolve("whole.model");
    Path streamed = dir.resolve("streamed.model");
    ModelFile.save(m, whole);
    float[] p = m.parameters();
    ModelFile.save(m.spec(), m.metadata(), sink -> {
      int off = 0;
      for (int piece = 1; off < p.length; piece = piece * 3 + 1) {
        int len = Math.min(piece, p.length - off);
        float[] copy = new float[len + 2]; // a piece from the middle of its own array
        System.arraycopy(p, off, copy, 1, len);
        sink.accept(copy, 1, len);
        off += len;
      }
    }, streamed);
    assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
    assertBitExact(p, ModelFile.load(streamed, null).parameters());
  }

  @Test
  void aStreamWithTooFewOrTooManyParametersLeavesTheOldFileAndNoTemporary() throws IOException {
    Model m = model(8, 4, 3, 5);
    Path target = dir.resolve("kept.model");
    ModelFile.save(m, target);
    byte[] before = Files.readAllBytes(target);
    float[] p = m.parameters();
    IOException few = assertThrows(IOException.class, () -> ModelFile.save(m.spec(),
        m.metadata(), sink -> sink.accept(p, 0, p.length - 1), target));
    assertTrue(few.getMessage().contains("stopped at " + (p.length - 1) + " of the model's "
        + p.length), few.getMessage());
    IOException many = assertThrows(IOException.class, () -> ModelFile.save(m.spec(),
        m.metadata(), sink -> {
          sink.accept(p, 0, p.length);
          sink.accept(p, 0, 1);
        }, target));
    assertTrue(many.getMessage().contains("outnumber the model's " + p.length),
        many.getMessage());
    assertArrayEquals(before, Files.readAllBytes(target));
    assertEquals(List.of("kept.model"), listDir(dir));
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    Model m = model(784, 800, 10, 1); // 636 010 parameters: many write/read chunks
    Path p = dir.resolve("m.horn");
    ModelFile.save(m, p);
    Model back = ModelFile.load(p, null);
    assertEquals(m.spec(), back.spec());
    assertBitExact(m.parameters(), back.parameters());
    assertEquals(META, back.metadata());
    assertEquals(ImmutableList.copyOf(META.keySet()),
        ImmutableList.copyOf(back.metadata().keySet()), "metadata keeps its order");
    assertEquals(ImmutableList.of("m.horn"), listDir(dir), "no temporary file is left behind");

    byte[] head = Arrays.copyOf(Files.readAllBytes(p), 8);
    assertArrayEquals(new byte[] {'H', 'O', 'R', 'N', 0, 0, 0, 1}, head);
  }

  @Test
  void headerDescribesTheModel() throws IOException {
    Path p = dir.resolve("m.horn");
    ModelFile.save(model(5, 3, 2, 2), p);
    ModelHeader h = ModelFile.readHeader(p);
    assertEquals(1, h.formatVersion());
    assertEquals(Files.size(p), h.fileSize());
    assertEquals(ImmutableList.of(5, 3, 2), h.layerSizes());
    assertEquals(ImmutableList.of(ReLU.class.getName(), ReLU.class.getName(),
        SoftMax.class.getName()), h.activations());
    assertEquals(ImmutableList.of(0f, 0.25f, 0f), h.dropRates());
    assertEquals(StandardNeuron.class.getName(), h.neurons().get(1));
    assertEquals(CrossEntropy.class.getName(), h.cost());
    assertEquals(6 * 3 + 4 * 2, h.parameterCount());
    assertEquals(META, h.metadata());
    assertEquals(spec(5, 3, 2).toConfString(), h.specString());
  }

  /**
   * Writes the documented layout independently of {@link ModelFile}, naming classes that do not
   * exist: the header must still be readable, and loading must name the file and the class.
   */
  @Test
  void headerNeedsNoClassesAndLoadNamesAMissingOne() throws IOException {
    String act = "com.example.NoSuchActivation";
    String neuron = StandardNeuron.class.getName();
    String cost = CrossEntropy.class.getName();
    String specString = "2," + act + "," + neuron + ",0.0;1," + act + "," + neuron + ",0.0|" + cost;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(body);
    writeString(out, specString);
    out.writeInt(2);
    for (int size : new int[] {2, 1}) {
      out.writeInt(size);
      writeString(out, act);
      writeString(out, neuron);
      out.writeFloat(0f);
    }
    writeString(out, cost);
    out.writeInt(1);
    writeString(out, "k");
    writeString(out, "v");
    out.writeInt(3);
    for (float f : new float[] {1f, 2f, 3f}) {
      out.writeFloat(f);
    }
    byte[] b = body.toByteArray();
    ByteBuffer file = ByteBuffer.allocate(16 + b.length + 4);
    file.putInt(0x484F524E).putInt(1).putLong(file.capacity()).put(b);
    CRC32 crc = new CRC32();
    crc.update(file.array(), 0, file.capacity() - 4);
    file.putInt((int) crc.getValue());
    Path p = Files.write(dir.resolve("foreign.horn"), file.array());

    ModelHeader h = ModelFile.readHeader(p);
    assertEquals(ImmutableList.of(2, 1), h.layerSizes());
    assertEquals(act, h.activations().get(0));
    assertEquals(ImmutableMap.of("k", "v"), h.metadata());
    assertEquals(3, h.parameterCount());

    IOException e = assertThrows(IOException.class, () -> ModelFile.load(p, null));
    assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains(act),
        e.getMessage());
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  @Test
  void corruptByteInTheMiddleFailsTheChecksum() throws IOException {
    Path p = dir.resolve("m.horn");
    ModelFile.save(model(20, 10, 3, 3), p);
    byte[] b = Files.readAllBytes(p);
    b[b.length / 2] ^= 0x10;
    Files.write(p, b);
    DataFormatException e = assertThrows(DataFormatException.class, () -> ModelFile.load(p, null));
    assertEquals(p + " is corrupt: checksum mismatch", e.getMessage());
    assertThrows(DataFormatException.class, () -> ModelFile.readHeader(p));
  }

  @Test
  void everySingleByteCorruptionIsDetected() throws IOException {
    Path good = dir.resolve("good.horn");
    ModelFile.save(model(3, 2, 2, 4), good);
    byte[] b = Files.readAllBytes(good);
    Path p = dir.resolve("bad.horn");
    for (int i = 0; i < b.length; i++) {
      byte[] c = b.clone();
      c[i] ^= (byte) 0x41;
      Files.write(p, c);
      try {
        ModelFile.load(p, null);
        fail("flipping byte " + i + " of " + b.length + " went unnoticed");
      } catch (DataFormatException expected) {
        assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
      }
    }
  }

  @Test
  void truncatedFileIsReportedAsTruncated() throws IOException {
    Path good = dir.resolve("good.horn");
    ModelFile.save(model(10, 5, 2, 5), good);
    byte[] b = Files.readAllBytes(good);
    Path p = dir.resolve("cut.horn");
    for (int len : new int[] {6, 12, 16, 40, b.length / 2, b.length - 5, b.length - 1}) {
      Files.write(p, Arrays.copyOf(b, len));
      DataFormatException e =
          assertThrows(DataFormatException.class, () -> ModelFile.load(p, null), "length " + len);
      assertTrue(e.getMessage().startsWith(p + " is truncated"), len + ": " + e.getMessage());
    }
    Files.write(p, Arrays.copyOf(b, b.length + 3));
    DataFormatException e = assertThrows(DataFormatException.class, () -> ModelFile.load(p, null));
    assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
  }

  @Test
  void foreignFilesNewerVersionsAndMissingFilesAreNamed() throws IOException {
    Path text = Files.write(dir.resolve("notes.txt"), "hello".getBytes(StandardCharsets.UTF_8));
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ModelFile.load(text, null));
    assertEquals(text + " is not a Horn model file", e.getMessage());
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    e = assertThrows(DataFormatException.class, () -> ModelFile.readHeader(empty));
    assertEquals(empty + " is not a Horn model file", e.getMessage());

    Path p = dir.resolve("m.horn");
    ModelFile.save(model(3, 2, 2, 6), p);
    byte[] b = Files.readAllBytes(p);
    b[7] = 3;
    Files.write(p, b);
    e = assertThrows(DataFormatException.class, () -> ModelFile.load(p, null));
    assertEquals(p + ": model format version 3 is newer than this Horn (supports 2)",
        e.getMessage());

    Path missing = dir.resolve("absent.horn");
    FileNotFoundException f =
        assertThrows(FileNotFoundException.class, () -> ModelFile.load(missing, null));
    assertTrue(f.getMessage().contains(missing.toString()), f.getMessage());
    assertThrows(IOException.class, () -> ModelFile.load(dir, null));
  }

  @Test
  void saveCreatesParentsAndReplacesAnOldModel() throws IOException {
    Path p = dir.resolve("a/b/c/m.horn");
    ModelFile.save(model(3, 2, 2, 7), p);
    Model second = model(3, 2, 2, 8);
    ModelFile.save(second, p);
    assertBitExact(second.parameters(), ModelFile.load(p, null).parameters());
    assertEquals(ImmutableList.of("m.horn"), listDir(p.getParent()));
  }

  @Test
  void failedSaveLeavesTheOldFileUntouchedAndNoTemporaryFile() throws IOException {
    Path p = dir.resolve("m.horn");
    ModelFile.save(model(4, 3, 2, 9), p);
    byte[] before = Files.readAllBytes(p);
    Path[] seen = new Path[1];
    IOException e = assertThrows(IOException.class,
        () -> ModelFile.save(model(4, 3, 2, 10), p, tmp -> {
          seen[0] = tmp;
          assertEquals(p.toAbsolutePath().getParent(), tmp.getParent(), "temp file beside target");
          assertTrue(Files.size(tmp) > 0, "the new model was written before the move");
          throw new IOException("disk on fire");
        }));
    assertEquals("disk on fire", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p));
    assertTrue(seen[0] != null && !Files.exists(seen[0]));
    assertEquals(ImmutableList.of("m.horn"), listDir(dir));
  }

  @Test
  void savingOntoADirectoryFailsAndLeavesItAlone() throws IOException {
    Path target = Files.createDirectory(dir.resolve("model"));
    Files.write(target.resolve("inside"), new byte[] {1, 2, 3});
    IOException e =
        assertThrows(IOException.class, () -> ModelFile.save(model(3, 2, 2, 11), target));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    assertEquals(ImmutableList.of("inside"), listDir(target));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target.resolve("inside")));
    assertEquals(ImmutableList.of("model"), listDir(dir));
  }
}
