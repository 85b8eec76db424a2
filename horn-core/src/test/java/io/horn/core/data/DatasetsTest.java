package io.horn.core.data;

import static io.horn.core.data.MnistDataTest.writeSet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  /** A plugged-in format for paths ending in {@code .fake}, registered only via a test loader. */
  public static final class FakeFormat implements DatasetFormat {
    static final Dataset DATA = ArrayDataset.ofLabels(new float[] {1f, 2f}, 1, new int[] {0, 1}, 2);

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public boolean accepts(String path) {
      return path.endsWith(".fake");
    }

    @Override
    public Dataset load(String path) {
      return DATA;
    }
  }

  private static int[] labels(Dataset d) {
    int[] l = new int[d.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = d.label(i);
    }
    return l;
  }

  @Test
  void idxFormatIsRegisteredAsAService() {
    List<String> names = new ArrayList<>();
    for (DatasetFormat f : ServiceLoader.load(DatasetFormat.class)) {
      names.add(f.getClass().getName());
    }
    assertTrue(names.contains(IdxDatasetFormat.class.getName()), names.toString());
  }

  @Test
  void opensADirectoryAsItsTrainingSet() throws IOException {
    writeSet(dir, "train", false, 4, 2);
    writeSet(dir, "t10k", false, 7);
    Dataset d = Datasets.open(dir.toString());
    assertArrayEquals(new int[] {4, 2}, labels(d));
  }

  @Test
  void opensAPrefixedSetWithHash() throws IOException {
    writeSet(dir, "train", false, 4, 2);
    writeSet(dir, "t10k", true, 7, 8, 9);
    assertArrayEquals(new int[] {7, 8, 9}, labels(Datasets.open(dir + "#t10k")));
  }

  @Test
  void opensTheSetOfOneOfItsFiles() throws IOException {
    writeSet(dir, "t10k", false, 7, 8, 9);
    assertArrayEquals(new int[] {7, 8, 9},
        labels(Datasets.open(dir.resolve("t10k-labels-idx1-ubyte").toString())));
  }

  @Test
  void opensAnExplicitPair() throws IOException {
    writeSet(dir, "x", false, 1, 2, 3, 4);
    Path img = Files.move(dir.resolve("x-images-idx3-ubyte"), dir.resolve("pics"));
    Path lab = Files.move(dir.resolve("x-labels-idx1-ubyte"), dir.resolve("tags"));
    assertArrayEquals(new int[] {1, 2, 3, 4}, labels(Datasets.open(img + "," + lab)));
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> Datasets.open(img + "," + dir.resolve("gone")));
    assertTrue(e.getMessage().contains(dir.resolve("gone").toString()), e.getMessage());
  }

  @Test
  void missingPathIsReportedAsSuch() {
    String p = dir.resolve("no-such-dir").toString();
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Datasets.open(p));
    assertEquals("training data path does not exist: " + p, e.getMessage());
    e = assertThrows(FileNotFoundException.class, () -> Datasets.open(p + "#t10k"));
    assertTrue(e.getMessage().startsWith("training data path does not exist: " + p),
        e.getMessage());
  }

  @Test
  void existingPathNoFormatAcceptsListsTheFormats() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    IOException e = assertThrows(IOException.class, () -> Datasets.open(empty.toString()));
    assertFalse(e instanceof FileNotFoundException);
    assertEquals("no dataset format accepts '" + empty + "' (known formats: idx)", e.getMessage());
    Path csv = Files.write(dir.resolve("data.csv"), "1,2\n".getBytes(StandardCharsets.UTF_8));
    e = assertThrows(IOException.class, () -> Datasets.open(csv.toString()));
    assertTrue(e.getMessage().startsWith("no dataset format accepts"), e.getMessage());
  }

  @Test
  void findsPluginsThroughTheContextClassLoaderAndAsksThemFirst() throws IOException {
    Path services = Files.createDirectories(dir.resolve("cp/META-INF/services"));
    Files.write(services.resolve(DatasetFormat.class.getName()),
        (FakeFormat.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
    Thread t = Thread.currentThread();
    ClassLoader saved = t.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(
        new URL[] {dir.resolve("cp").toUri().toURL()}, DatasetsTest.class.getClassLoader())) {
      t.setContextClassLoader(loader);
      List<DatasetFormat> formats = Datasets.formats();
      assertEquals(2, formats.size());
      assertEquals("fake", formats.get(0).name());
      assertEquals("idx", formats.get(1).name());

      Path fake = Files.write(dir.resolve("a.fake"), new byte[0]);
      assertSame(FakeFormat.DATA, Datasets.open(fake.toString()));
      // Even a path that does not exist goes to the plugin that claims it (it may be remote).
      assertSame(FakeFormat.DATA, Datasets.open("hdfs://nowhere/b.fake"));
      Path empty = Files.createDirectory(dir.resolve("empty"));
      IOException e = assertThrows(IOException.class, () -> Datasets.open(empty.toString()));
      assertTrue(e.getMessage().endsWith("(known formats: fake, idx)"), e.getMessage());
    } finally {
      t.setContextClassLoader(saved);
    }
    assertEquals(1, Datasets.formats().size());
  }

  @Test
  void rejectsEmptyPath() {
    assertThrows(IllegalArgumentException.class, () -> Datasets.open(" "));
    assertThrows(NullPointerException.class, () -> Datasets.open(null));
  }
}
