package io.horn.core.data.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.DataFormatException;
import io.horn.core.data.DataShape;
import io.horn.core.data.text.TextFormat.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Text lines to samples: options, shapes, and the message of every kind of bad line. */
class TextSamplesTest {

  private static ArrayDataset read(String path, Kind kind, DataShape shape, String text)
      throws IOException {
    TextSamples s = new TextSamples(TextFormat.forPath(path, kind), shape);
    s.read(new BufferedReader(new StringReader(text)), TextFormat.location(path));
    return s.build(path);
  }

  private static float[] row(ArrayDataset d, int i) {
    float[] x = new float[d.featureCount()];
    for (int j = 0; j < x.length; j++) {
      x[j] = d.feature(i, j);
    }
    return x;
  }

  @Test
  void csvWithHeaderLabelFirstAndOneHotOfTheNetworksWidth() throws IOException {
    ArrayDataset d = read("d.csv", Kind.CSV, new DataShape(3, 5),
        "label,a,b,c\r\n2,0.5,1,-3\r\n\r\n# a comment\n0,\"1.25\",0,7e-1\n");
    assertEquals(2, d.size());
    assertEquals(5, d.targetCount());
    assertArrayEquals(new float[] {0.5f, 1f, -3f}, row(d, 0));
    assertArrayEquals(new float[] {1.25f, 0f, 0.7f}, row(d, 1));
    assertEquals(2, d.label(0));
    assertEquals(0, d.label(1));
    assertEquals(1f, d.target(0, 2));
  }

  @Test
  void csvLabelLastSemicolonsAndShapeFromTheData() throws IOException {
    ArrayDataset d = read("d.txt#format=csv,label=last,sep=semicolon,header=no", Kind.CSV, null,
        "1;2;1\n3;4;0\n5;6;2\n");
    assertEquals(2, d.featureCount());
    assertEquals(3, d.targetCount(), "largest class id + 1");
    assertArrayEquals(new float[] {5f, 6f}, row(d, 2));
    assertEquals(2, d.label(2));
  }

  @Test
  void libSvmOneBasedZeroBasedAndLabelBase() throws IOException {
    ArrayDataset d = read("d.libsvm#label-base=1", Kind.LIBSVM, null,
        "2 1:0.5 4:2\n1  3:1\t5:-1 \n");
    assertEquals(5, d.featureCount(), "largest index");
    assertArrayEquals(new float[] {0.5f, 0, 0, 2f, 0}, row(d, 0));
    assertArrayEquals(new float[] {0, 0, 1f, 0, -1f}, row(d, 1));
    assertEquals(1, d.label(0));
    assertEquals(0, d.label(1));

    d = read("d.svm#zero-based", Kind.LIBSVM, new DataShape(6, 2), "1.0 0:3 5:4\n");
    assertArrayEquals(new float[] {3f, 0, 0, 0, 0, 4f}, row(d, 0));
    assertEquals(1, d.label(0));
  }

  private static String error(String path, Kind kind, DataShape shape, String text) {
    return assertThrows(DataFormatException.class, () -> read(path, kind, shape, text))
        .getMessage();
  }

  @Test
  void badLinesAreNamedByFileLineAndColumn() {
    DataShape shape = new DataShape(3, 4);
    assertEquals("m.csv, line 3, column 3: feature 'x7' is not a number",
        error("m.csv", Kind.CSV, shape, "y,a,b,c\n1,2,3,4\n1,2,x7,4\n"));
    assertEquals("m.csv, line 2, column 5: 4 feature columns (and a label), but the input layer"
        + " takes 3 features", error("m.csv", Kind.CSV, shape, "1,2,3,4\n1,2,3,4,5\n"));
    assertEquals("m.csv, line 1, column 1: class id 4 but there are 4 classes (0..3); see the"
        + " option label-base", error("m.csv", Kind.CSV, shape, "4,1,2,3\n"));
    assertEquals("m.csv, line 1, column 1: label '1.5' is not a class id (an integer)",
        error("m.csv", Kind.CSV, shape, "1.5,1,2,3\n"));
    assertEquals("m.csv, line 1, column 4: feature '' is not a number (empty)",
        error("m.csv#header=no", Kind.CSV, shape, "1,2,3,\n"));
    assertEquals("m.csv, line 1, column 2: feature 'Infinity' is not finite",
        error("m.csv", Kind.CSV, shape, "1,Infinity,3,4\n"));
    assertEquals("m.libsvm, line 2, column 7: '3=1' is not index:value",
        error("m.libsvm", Kind.LIBSVM, shape, "0 1:1\n1 2:1 3=1\n"));
    assertEquals("m.libsvm, line 1, column 3: index 0 of '0:1': indices start at 1 (option"
        + " zero-based for data from 0)", error("m.libsvm", Kind.LIBSVM, shape, "1 0:1\n"));
    assertEquals("m.libsvm, line 1, column 7: feature 3 (from 0) is past the 3 features the"
        + " input layer takes", error("m.libsvm", Kind.LIBSVM, shape, "1 1:1 4:1\n"));
    assertEquals("m.libsvm, line 1, column 1: label -1 gives class id -1 (label-base 0); class"
        + " ids start at 0", error("m.libsvm", Kind.LIBSVM, shape, "-1 1:1\n"));
  }

  @Test
  void optionsInThePath() {
    assertEquals("/d/a.csv", TextFormat.location("/d/a.csv#label=last,header"));
    assertEquals("/d/mnist#t10k", TextFormat.location("/d/mnist#t10k"), "an idx set, no options");
    assertNull(TextFormat.declaredKind("/d/mnist#t10k"));
    assertEquals(Kind.CSV, TextFormat.declaredKind("hdfs://nn/d/part-0.CSV"));
    assertEquals(Kind.CSV, TextFormat.declaredKind("/d/x.tsv"));
    assertEquals(Kind.LIBSVM, TextFormat.declaredKind("/d/a9a.txt#format=libsvm,label-base=1"));
    assertEquals('\t', TextFormat.forPath("/d/x.tsv", Kind.CSV).separator());
    TextFormat f = TextFormat.forPath("/d/a.csv#label=3,header=yes,classes=10", Kind.CSV);
    assertEquals(3, f.labelColumn());
    assertEquals(TextFormat.Header.PRESENT, f.header());
    assertEquals(10, f.classes());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextFormat.forPath("/d/a.csv#label=3,colour=red", Kind.CSV));
    assertEquals("data path /d/a.csv#label=3,colour=red: option 'colour=red': expected unknown "
        + "option; known: format, label, header, sep, zero-based, label-base, classes, features",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TextFormat.forPath("/d/a.libsvm#label=2", Kind.LIBSVM));
    assertTrue(e.getMessage().contains("'label=2': applies to CSV only"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TextFormat.forPath("/d/a.csv#label=-2", Kind.CSV));
    assertTrue(e.getMessage().contains("a column number from 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new TextSamples(TextFormat.forPath("a.csv#classes=3", Kind.CSV),
            new DataShape(2, 10)));
    assertEquals("option classes=3 but the network's output layer has 10", e.getMessage());
  }

  @Test
  void headerOnlyOrOneClassIsRefused() {
    IOException e = assertThrows(IOException.class,
        () -> read("h.csv", Kind.CSV, null, "label,a\n\n"));
    assertEquals("no samples in h.csv (only blank, comment or header lines)", e.getMessage());
    e = assertThrows(IOException.class, () -> read("h.csv", Kind.CSV, null, "0,1\n0,2\n"));
    assertTrue(e.getMessage().contains("option classes=K"), e.getMessage());
  }
}
