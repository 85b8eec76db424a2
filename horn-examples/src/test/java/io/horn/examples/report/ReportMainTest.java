package io.horn.examples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.model.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMainTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return ReportMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private void assertUsageError() {
    String[] lines = err().split("\n");
    assertEquals(3, lines.length, err());
    assertTrue(lines[0].startsWith("horn: "), err());
    assertTrue(lines[1].startsWith("usage: bin/horn class io.horn.examples.report.ReportMain"),
        err());
  }

  @Test
  void badArgumentsExitTwoWithUsage() {
    assertEquals(2, run());
    assertUsageError();
    err.reset();
    assertEquals(2, run("a", "b", "c"));
    assertUsageError();
    err.reset();
    assertEquals(2, run(tmp.resolve("missing.model").toString(), tmp.resolve("out").toString()));
    assertUsageError();
    assertTrue(err().contains("model file not found"), err());
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: "));
  }

  @Test
  void writesTheReportOfAModelFile() throws IOException {
    Path file = tmp.resolve("m.model");
    ModelFile.save(TestModels.model(TestModels.twoGroups()), file);
    Path dir = tmp.resolve("out");
    assertEquals(0, run(file.toString(), dir.toString()), err());
    for (String name : new String[] {"index.html", "loss.png", "accuracy.png"}) {
      assertTrue(Files.size(dir.resolve(name)) > 0, name);
    }
    assertTrue(Files.readString(dir.resolve("index.html")).contains("91.37 %"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("index.html"));
  }

  @Test
  void unreadableModelExitsOne() throws IOException {
    Path file = tmp.resolve("bad.model");
    Files.write(file, new byte[] {1, 2, 3, 4, 5});
    assertEquals(1, run(file.toString(), tmp.resolve("out").toString()));
    assertTrue(err().startsWith("horn: cannot read model"), err());
    assertEquals(1, err().split("\n").length, "a failure prints no usage: " + err());
    assertTrue(Files.notExists(tmp.resolve("out")));
  }
}
