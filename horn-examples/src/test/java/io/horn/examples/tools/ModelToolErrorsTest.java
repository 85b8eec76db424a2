package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors: one {@code horn: } line on stderr, followed by the usage only for a wrong command line
 * (status 2; a failure is status 1), a stack trace only with {@code --verbose}.
 */
class ModelToolErrorsTest {
  @TempDir
  Path tmp;

  private Path model() throws Exception {
    return ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("m.bin"));
  }

  @Test
  void missingModelFile() {
    Path missing = tmp.resolve("nope.bin");
    for (String sub : List.of("info", "eval", "predict")) {
      String[] args = sub.equals("info") ? new String[] {sub, missing.toString()}
          : new String[] {sub, missing.toString(), tmp.toString()};
      ToolFixtures.Result r = ToolFixtures.run(args);
      assertEquals(1, r.status, r.toString());
      assertEquals("", r.out);
      assertEquals(List.of("horn: no such model file: " + missing), r.errLines(),
          "a failure prints no usage");
    }
  }

  @Test
  void corruptModelFile() throws Exception {
    Path m = model();
    byte[] b = Files.readAllBytes(m);
    b[b.length / 2] ^= 0x40;
    Files.write(m, b);
    Path data = tmp.resolve("known");
    ToolFixtures.writeKnownCase(data);

    ToolFixtures.Result info = ToolFixtures.run("info", m.toString());
    assertEquals(1, info.status, info.toString());
    assertEquals(List.of("horn: " + m + " is corrupt: checksum mismatch"), info.errLines());

    ToolFixtures.Result eval = ToolFixtures.run("eval", m.toString(), data.toString());
    assertEquals(1, eval.status, eval.toString());
    assertEquals(List.of("horn: " + m + " is corrupt: checksum mismatch"), eval.errLines());
  }

  @Test
  void notAModelFile() throws Exception {
    Path f = tmp.resolve("text.bin");
    Files.writeString(f, "hello world, not a model\n");

    ToolFixtures.Result r = ToolFixtures.run("info", f.toString());

    assertEquals(1, r.status, r.toString());
    assertEquals("horn: " + f + " is not a Horn model file", r.errLines().get(0));
  }

  @Test
  void verbosePrintsTheStackTrace() throws Exception {
    Path m = model();
    byte[] b = Files.readAllBytes(m);
    b[b.length / 2] ^= 0x40;
    Files.write(m, b);

    ToolFixtures.Result r = ToolFixtures.run("info", m.toString(), "--verbose");

    assertEquals(1, r.status, r.toString());
    assertEquals("horn: " + m + " is corrupt: checksum mismatch", r.errLines().get(0));
    assertTrue(r.errLines().size() > 3, r.err);
    assertTrue(r.err.contains("io.horn.core.data.DataFormatException"), r.err);
    assertTrue(r.err.contains("\tat io.horn.core.model.ModelFile"), r.err);
  }

  @Test
  void dataOfTheWrongWidth() throws Exception {
    Path m = model();
    Path data = tmp.resolve("clusters");
    ToolFixtures.writeClusters(data, 8, 1);

    ToolFixtures.Result r = ToolFixtures.run("eval", m.toString(), data.toString());

    assertEquals(1, r.status, r.toString());
    assertEquals("", r.out);
    assertEquals(List.of("horn: data " + data + " has 4 features per sample, but the model "
        + m + " (3-10) takes 3"), r.errLines());
  }

  @Test
  void missingDataPath() throws Exception {
    Path m = model();
    Path data = tmp.resolve("no-such-dir");

    ToolFixtures.Result r = ToolFixtures.run("eval", m.toString(), data.toString());

    assertEquals(1, r.status, r.toString());
    assertEquals(1, r.errLines().size(), r.err);
    assertTrue(r.errLines().get(0).startsWith("horn: ")
        && r.errLines().get(0).contains(data.toString()), r.err);
  }

  @Test
  void usageErrors() throws Exception {
    Path m = model();
    assertUsage(ToolFixtures.run("eval", m.toString(), "data", "--bogus"),
        "horn: Unknown option: '--bogus'", "eval");
    assertUsage(ToolFixtures.run("eval", m.toString()),
        "horn: Missing required parameter: '<data>'", "eval");
    assertUsage(ToolFixtures.run("info", m.toString(), "extra"),
        "horn: Unmatched argument at index 2: 'extra'", "info");
    assertUsage(ToolFixtures.run("predict", m.toString(), "x.csv", "--limit"),
        "horn: Missing required parameter for option '--limit' (N)", "predict");
    assertUsage(ToolFixtures.run("predict", m.toString(), "x.csv", "--limit", "ten"),
        "horn: Invalid value for option '--limit': 'ten' is not an int", "predict");
    assertUsage(ToolFixtures.run("predict", m.toString(), "x.csv", "--out", "a", "--out", "b"),
        "horn: option '--out' (FILE) should be specified only once", "predict");
    assertUsage(ToolFixtures.run("train", m.toString()),
        "horn: unknown subcommand 'train' (known: eval, predict, info, export)", "");
    assertUsage(ToolFixtures.run(), "horn: missing subcommand (eval, predict, info or export)",
        "");
  }

  @Test
  void helpGoesToStdoutWithStatusZero() {
    ToolFixtures.Result r = ToolFixtures.run("predict", "--help");
    assertEquals(0, r.status);
    assertTrue(r.out.startsWith("Usage: bin/horn predict "), r.out);
    assertTrue(r.out.contains("--limit") && r.out.contains("--out"), r.out);
    assertEquals("", r.err);

    ToolFixtures.Result all = ToolFixtures.run("--help");
    assertEquals(0, all.status);
    for (String sub : List.of("eval", "predict", "info", "export")) {
      assertTrue(all.out.contains("  " + sub + " "), all.out);
    }
  }

  /** Status 2; the reason, then the usage of {@code sub} (or of the tool when empty). */
  private static void assertUsage(ToolFixtures.Result r, String reason, String sub) {
    assertEquals(2, r.status, r.toString());
    assertEquals("", r.out);
    assertEquals(reason, r.errLines().get(0), r.err);
    assertTrue(r.errLines().get(1).startsWith("usage: bin/horn " + sub), r.err);
  }
}
