package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Datasets;
import io.horn.core.engine.CpuBackend;
import io.horn.core.engine.Evaluation;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code horn eval}: accuracy, per-class precision and recall, the confusion matrix. */
class EvalCommandTest {
  private static final Pattern ACCURACY =
      Pattern.compile("accuracy: +([0-9.]+) \\((\\d+) of (\\d+) correct\\)");

  @TempDir
  Path tmp;

  @Test
  void knownCaseGivesExactPrecisionRecallAndMatrix() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("m.bin"));
    Path data = tmp.resolve("known");
    ToolFixtures.writeKnownCase(data);

    ToolFixtures.Result r = ToolFixtures.run("eval", model.toString(), data.toString());

    assertEquals(0, r.status, r.toString());
    assertEquals("", r.err, r.toString());
    assertTrue(r.out.contains("accuracy:  0.8000 (8 of 10 correct)"), r.out);
    // class, precision, recall, support, predicted
    assertRow(r, "0", "1.0000", "0.7500", "4", "3");
    assertRow(r, "1", "0.6667", "0.6667", "3", "3");
    assertRow(r, "2", "0.7500", "1.0000", "3", "4");
    assertRow(r, "3", "-", "-", "0", "0");
    assertRow(r, "macro avg", "0.8056", "0.8056", "10", "10");

    long[][] m = matrix(r.out, ToolFixtures.CLASSES);
    long[][] expected = new long[ToolFixtures.CLASSES][ToolFixtures.CLASSES];
    for (int i = 0; i < ToolFixtures.KNOWN_LABELS.length; i++) {
      expected[ToolFixtures.KNOWN_LABELS[i]][ToolFixtures.KNOWN_PREDICTED[i]]++;
    }
    for (int a = 0; a < ToolFixtures.CLASSES; a++) {
      for (int p = 0; p < ToolFixtures.CLASSES; p++) {
        assertEquals(expected[a][p], m[a][p], "confusion[" + a + "][" + p + "]\n" + r.out);
      }
    }
    assertRow(r, "total", "3", "3", "4", "0", "0", "0", "0", "0", "0", "0", "10");
  }

  @Test
  void trainedModelMatrixSumsToTheDatasetAndMatchesEvaluation() throws Exception {
    Path data = tmp.resolve("clusters");
    ToolFixtures.writeClusters(data, 200, 7);
    Model trained = ToolFixtures.trainClusters(data);
    Path model = ToolFixtures.save(trained, tmp.resolve("trained.bin"));

    ToolFixtures.Result r = ToolFixtures.run("eval", model.toString(), data.toString());

    assertEquals(0, r.status, r.toString());
    Matcher acc = ACCURACY.matcher(r.out);
    assertTrue(acc.find(), r.out);
    assertEquals(200, Integer.parseInt(acc.group(3)));
    double accuracy = Double.parseDouble(acc.group(1));
    assertTrue(accuracy >= 0.9, "a separable problem should be learned: " + r.out);
    try (NetworkEngine e = new CpuBackend().createEngine(trained.spec(),
        TrainingSettings.defaults(), 64)) {
      e.setParameters(trained.parameters());
      Evaluation ev = Evaluation.of(e, Datasets.open(data.toString()));
      assertEquals(String.format(java.util.Locale.ROOT, "%.4f", ev.accuracy()), acc.group(1));
      long[][] want = ev.confusion();
      long[][] got = matrix(r.out, ToolFixtures.CLASSES);
      long sum = 0;
      for (int a = 0; a < ToolFixtures.CLASSES; a++) {
        for (int p = 0; p < ToolFixtures.CLASSES; p++) {
          assertEquals(want[a][p], got[a][p]);
          sum += got[a][p];
        }
      }
      assertEquals(200, sum);
    }
    assertTrue(r.out.startsWith("model:     " + model + " (4-8-10)\n"), r.out);
    assertTrue(r.out.contains("data:      " + data + " (200 samples)\n"), r.out);
  }

  @Test
  void evalAcceptsTheHashFormOfAnIdxSet() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), tmp.resolve("m.bin"));
    Path data = tmp.resolve("known");
    ToolFixtures.writeKnownCase(data);

    ToolFixtures.Result r = ToolFixtures.run("eval", model.toString(), data + "#train");

    assertEquals(0, r.status, r.toString());
    assertTrue(r.out.contains("accuracy:  0.8000"), r.out);
  }

  @Test
  void precisionAndRecallAreNanWithoutADenominator() {
    long[][] c = {{2, 0}, {0, 0}};
    assertEquals(1.0, EvalCommand.precision(c, 0));
    assertTrue(Double.isNaN(EvalCommand.precision(c, 1)));
    assertTrue(Double.isNaN(EvalCommand.recall(c, 1)));
  }

  private static void assertRow(ToolFixtures.Result r, String... cells) {
    String want = String.join(" ", cells);
    for (String line : r.outLines()) {
      if (line.trim().replaceAll(" +", " ").equals(want)) {
        return;
      }
    }
    throw new AssertionError("no row '" + want + "' in\n" + r.out);
  }

  /** The confusion matrix as printed: rows after the header, numeric class rows only. */
  static long[][] matrix(String out, int k) {
    List<String> lines = List.of(out.split("\n"));
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("confusion matrix")) {
        start = i + 2; // the title, then the header row
      }
    }
    assertTrue(start > 0, out);
    List<long[]> rows = new ArrayList<>();
    for (int i = start; i < start + k; i++) {
      String[] f = lines.get(i).trim().split(" +");
      assertEquals(k + 2, f.length, lines.get(i));
      assertEquals(Integer.toString(i - start), f[0]);
      long[] row = new long[k];
      for (int p = 0; p < k; p++) {
        row[p] = Long.parseLong(f[p + 1]);
      }
      rows.add(row);
    }
    return rows.toArray(new long[0][]);
  }
}
