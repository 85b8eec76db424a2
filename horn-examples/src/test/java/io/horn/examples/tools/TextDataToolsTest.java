package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/horn eval} and {@code predict} on CSV and LibSVM files. */
class TextDataToolsTest {
  @TempDir Path dir;
  private Path model;

  @BeforeEach
  void model() throws IOException {
    model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), dir.resolve("m.bin"));
  }

  /** The known case: sample i's brightest feature is its predicted class. */
  private Path writeKnown(String name, boolean libsvm) throws IOException {
    List<String> lines = new ArrayList<>();
    if (!libsvm) {
      lines.add("label,a,b,c");
    }
    for (int i = 0; i < ToolFixtures.KNOWN_LABELS.length; i++) {
      int p = ToolFixtures.KNOWN_PREDICTED[i];
      float[] x = {0.1f, 0.2f, 0.1f};
      x[p] = 0.9f;
      lines.add(libsvm
          ? ToolFixtures.KNOWN_LABELS[i] + " 1:" + x[0] + " 2:" + x[1] + " 3:" + x[2]
          : ToolFixtures.KNOWN_LABELS[i] + "," + x[0] + "," + x[1] + "," + x[2]);
    }
    return Files.write(dir.resolve(name), lines);
  }

  @Test
  void evalReadsCsvAndLibSvm() throws IOException {
    for (Path data : List.of(writeKnown("known.csv", false), writeKnown("known.libsvm", true))) {
      ToolFixtures.Result r = ToolFixtures.run("eval", model.toString(), data.toString());
      assertEquals(0, r.status, r.toString());
      assertTrue(r.out.contains("data:      " + data + " (10 samples)"), r.out);
      assertTrue(r.out.contains("accuracy:  0.8000 (8 of 10 correct)"), r.out);
    }
  }

  @Test
  void predictReadsLabelledCsvAndLibSvm() throws IOException {
    for (Path data : List.of(writeKnown("known.csv", false), writeKnown("known.libsvm", true))) {
      ToolFixtures.Result r = ToolFixtures.run("predict", model.toString(), data.toString());
      assertEquals(0, r.status, r.toString());
      List<String> lines = r.outLines();
      assertEquals(10, lines.size(), r.out);
      for (int i = 0; i < 10; i++) {
        assertTrue(lines.get(i).startsWith(i + "," + ToolFixtures.KNOWN_PREDICTED[i] + ","),
            lines.get(i));
      }
    }
  }

  @Test
  void badDataIsNamedByFileLineAndColumn() throws IOException {
    Path bad = Files.write(dir.resolve("bad.csv"), List.of("1,0.1,0.2,0.3", "2,0.1,,0.3"));
    ToolFixtures.Result r = ToolFixtures.run("eval", model.toString(), bad.toString());
    assertEquals(ModelTool.FAILURE, r.status, r.toString());
    assertEquals("horn: " + bad + ", line 2, column 3: feature '' is not a number (empty)",
        r.errLines().get(0));

    Path wide = Files.write(dir.resolve("wide.libsvm"), List.of("1 1:0.5 7:1"));
    r = ToolFixtures.run("eval", model.toString(), wide.toString());
    assertEquals(ModelTool.FAILURE, r.status, r.toString());
    assertEquals("horn: " + wide + ", line 1, column 9: feature 6 (from 0) is past the 3 features"
        + " the input layer takes", r.errLines().get(0));

    Path classes = Files.write(dir.resolve("classes.csv"), List.of("10,0.1,0.2,0.3"));
    r = ToolFixtures.run("eval", model.toString(), classes + "#label=first");
    assertEquals(ModelTool.FAILURE, r.status, r.toString());
    assertEquals("horn: " + classes + ", line 1, column 1: class id 10 but there are 10 classes"
        + " (0..9); see the option label-base", r.errLines().get(0));
  }
}
