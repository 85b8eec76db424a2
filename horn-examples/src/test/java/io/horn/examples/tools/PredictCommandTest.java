package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code horn predict}: CSV, idx images alone, datasets; --limit, --out; bad CSV rows. */
class PredictCommandTest {
  @TempDir
  Path tmp;

  private Path model;

  @BeforeEach
  void saveModel() throws Exception {
    model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("m.bin"));
  }

  @Test
  void csvRowsGiveIndexClassAndOutputValue() throws Exception {
    Path csv = tmp.resolve("x.csv");
    Files.writeString(csv, "0.9,0.1,0\n\n0, 0.2 ,0.7\n0.1,0.8,0.3\n");

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), csv.toString());

    assertEquals(0, r.status, r.toString());
    assertEquals("", r.err);
    float[][] rows = {{0.9f, 0.1f, 0f}, {0f, 0.2f, 0.7f}, {0.1f, 0.8f, 0.3f}};
    int[] classes = {0, 2, 1};
    List<String> lines = r.outLines();
    assertEquals(3, lines.size(), r.out);
    for (int i = 0; i < 3; i++) {
      String[] f = lines.get(i).split(",");
      assertEquals(3, f.length, lines.get(i));
      assertEquals(Integer.toString(i), f[0]);
      assertEquals(Integer.toString(classes[i]), f[1]);
      assertEquals(ToolFixtures.argmaxModelOutput(rows[i], classes[i]), Double.parseDouble(f[2]),
          2e-6, lines.get(i));
    }
    assertEquals(String.format(Locale.ROOT, "0,0,%.6f",
        ToolFixtures.argmaxModelOutput(rows[0], 0)), lines.get(0));
  }

  @Test
  void csvHeaderAndCommentsAreSkippedAndLimitStopsEarly() throws Exception {
    Path csv = tmp.resolve("x.csv");
    Files.writeString(csv, "a,b,c\n# a comment\n1,0,0\n0,1,0\n0,0,1\nnot,even,read\n");

    ToolFixtures.Result r =
        ToolFixtures.run("predict", "--limit", "2", model.toString(), csv.toString());

    assertEquals(0, r.status, r.toString());
    assertEquals(2, r.outLines().size(), r.out);
    assertTrue(r.outLines().get(1).startsWith("1,1,"), r.out);
  }

  @Test
  void csvRowOfTheWrongWidthNamesTheLineAndWidths() throws Exception {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "1,0,0\n0,1,0\n0.5,0.5\n");

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), csv.toString());

    assertEquals(1, r.status, r.toString());
    assertEquals("", r.out, "no partial output");
    assertEquals(List.of("horn: " + csv + " line 3: 2 values, but the model's input layer takes 3"
        + " (one sample per line, features separated by commas)"), r.errLines());
  }

  @Test
  void csvFieldThatIsNotANumberNamesLineAndColumn() throws Exception {
    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "1,0,0\n0,x1,0\n");

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), csv.toString());

    assertEquals(1, r.status, r.toString());
    assertEquals("horn: " + csv + " line 2, column 2: 'x1' is not a number",
        r.errLines().get(0));
  }

  @Test
  void idxImagesFileAloneNeedsNoLabels() throws Exception {
    Path dir = tmp.resolve("imgs");
    Files.createDirectories(dir);
    Path images = dir.resolve("digits-images-idx3-ubyte");
    ToolFixtures.writeImages(images, new byte[][] {{0, 0, (byte) 200}, {(byte) 90, 0, 10}}, 1, 3);

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), images.toString());

    assertEquals(0, r.status, r.toString());
    List<String> lines = r.outLines();
    assertEquals(2, lines.size(), r.out);
    assertTrue(lines.get(0).startsWith("0,2,"), r.out);
    assertTrue(lines.get(1).startsWith("1,0,"), r.out);
  }

  @Test
  void datasetPathPredictsEverySampleAndOutWritesAFile() throws Exception {
    Path data = tmp.resolve("known");
    ToolFixtures.writeKnownCase(data);
    Path out = tmp.resolve("sub/predictions.csv");

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), data.toString(),
        "--out", out.toString());

    assertEquals(0, r.status, r.toString());
    assertEquals("10 predictions for " + data + " written to " + out + "\n", r.out);
    List<String> lines = Files.readAllLines(out);
    assertEquals(10, lines.size());
    for (int i = 0; i < 10; i++) {
      String[] f = lines.get(i).split(",");
      assertEquals(Integer.toString(i), f[0]);
      assertEquals(Integer.toString(ToolFixtures.KNOWN_PREDICTED[i]), f[1], lines.get(i));
      double p = Double.parseDouble(f[2]);
      assertTrue(p > 0.5 && p <= 1.0, lines.get(i));
    }
  }

  @Test
  void idxImagesOfTheWrongSizeFail() throws Exception {
    Path images = tmp.resolve("wide-images-idx3-ubyte");
    ToolFixtures.writeImages(images, new byte[][] {{1, 2, 3, 4}}, 2, 2);

    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), images.toString());

    assertEquals(1, r.status, r.toString());
    assertTrue(r.errLines().get(0).startsWith("horn: idx file " + images
        + " (1 images of 2x2) has 4 features per sample, but the model " + model), r.err);
    assertTrue(r.errLines().get(0).endsWith("(3-10) takes 3"), r.err);
  }

  @Test
  void badLimitIsAUsageError() {
    ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), "x.csv", "--limit=0");

    assertEquals(2, r.status, r.toString());
    assertEquals("horn: --limit needs a positive whole number, got '0'", r.errLines().get(0));
    assertTrue(r.errLines().get(1).startsWith("usage: bin/horn predict "), r.err);
  }
}
