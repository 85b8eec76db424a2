package io.horn.examples.tools;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.engine.Evaluation;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code horn eval <model> <data>}: the model's accuracy and mean cost on a dataset, precision
 * and recall per class, and the confusion matrix (rows: actual class, columns: predicted class),
 * with totals. A class never predicted has no precision ({@code -}), a class absent from the data
 * no recall; the macro averages are over the classes present in the data, counting an undefined
 * precision there as 0.
 *
 * <p>{@code <model>} is a local path or a Hadoop file-system URI ({@code hdfs://...}, see {@link
 * HadoopFiles}). {@code <data>} is any path {@link Datasets#open} accepts: an MNIST idx directory,
 * {@code dir#t10k}, a directory of SequenceFiles, local or on HDFS ({@code bin/horn
 * convert-mnist} writes them; idx files are read from the local disk only), CSV or LibSVM files
 * (docs/data-formats.md), whose class ids become targets as wide as the model's output layer.
 */
@Command(name = "eval", description = "Accuracy, mean cost, per-class precision and recall "
    + "and the confusion matrix of a model on a dataset.")
public final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<model>",
      description = "The model file, local or hdfs://...")
  String model;

  @Parameters(index = "1", paramLabel = "<data>", description = "A dataset: an MNIST idx "
      + "directory, dir#t10k, a directory of SequenceFiles, CSV or LibSVM files (local or "
      + "hdfs://...).")
  String data;

  @Mixin HelpOptions help;

  private final PrintStream out;

  /** A command that writes its report to {@code out}. */
  EvalCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    try (Inference m = Inference.load(model)) {
      Dataset d = Datasets.open(data,
          new DataShape(m.spec().inputSize(), m.spec().outputSize()));
      m.checkDataset("data " + data, d);
      Evaluation ev = Evaluation.of(m.engine(), d);
      print(out, m, data, ev);
    }
    return Cli.OK;
  }

  /** The report: summary lines, the per-class table, the confusion matrix. */
  static void print(PrintStream out, Inference model, String dataPath, Evaluation ev) {
    long[][] c = ev.confusion();
    int k = c.length;
    long[] actual = new long[k];
    long[] predicted = new long[k];
    long correct = 0;
    for (int a = 0; a < k; a++) {
      for (int p = 0; p < k; p++) {
        actual[a] += c[a][p];
        predicted[p] += c[a][p];
      }
      correct += c[a][a];
    }
    out.printf("model:     %s (%s)%n", model.path(), model.shape());
    out.printf("data:      %s (%d samples)%n", dataPath, ev.samples());
    out.printf(Locale.ROOT, "accuracy:  %.4f (%d of %d correct)%n", ev.accuracy(), correct,
        ev.samples());
    out.printf(Locale.ROOT, "mean cost: %.4f (%s)%n", ev.meanCost(),
        model.spec().cost().getSimpleName());
    out.println();

    TextTable perClass = new TextTable("rrrrr");
    perClass.row("class", "precision", "recall", "support", "predicted");
    double precisionSum = 0;
    double recallSum = 0;
    int present = 0;
    for (int i = 0; i < k; i++) {
      double precision = precision(c, i);
      double recall = recall(c, i);
      if (actual[i] > 0) {
        // Averaged over the classes the data holds; one never predicted counts as precision 0.
        precisionSum += Double.isNaN(precision) ? 0 : precision;
        recallSum += recall;
        present++;
      }
      perClass.row(Integer.toString(i), TextTable.ratio(precision), TextTable.ratio(recall),
          TextTable.number(actual[i]), TextTable.number(predicted[i]));
    }
    perClass.row("macro avg",
        TextTable.ratio(present == 0 ? Double.NaN : precisionSum / present),
        TextTable.ratio(present == 0 ? Double.NaN : recallSum / present),
        TextTable.number(ev.samples()), TextTable.number(ev.samples()));
    out.println("per class (precision = correct/predicted, recall = correct/support):");
    perClass.print(out, "  ");
    out.println();

    out.println("confusion matrix (rows: actual class, columns: predicted class):");
    TextTable matrix = new TextTable("r".repeat(k + 2));
    String[] header = new String[k + 2];
    header[0] = "actual\\predicted";
    for (int p = 0; p < k; p++) {
      header[p + 1] = Integer.toString(p);
    }
    header[k + 1] = "total";
    matrix.row(header);
    for (int a = 0; a < k; a++) {
      String[] row = new String[k + 2];
      row[0] = Integer.toString(a);
      for (int p = 0; p < k; p++) {
        row[p + 1] = TextTable.number(c[a][p]);
      }
      row[k + 1] = TextTable.number(actual[a]);
      matrix.row(row);
    }
    String[] totals = new String[k + 2];
    totals[0] = "total";
    for (int p = 0; p < k; p++) {
      totals[p + 1] = TextTable.number(predicted[p]);
    }
    totals[k + 1] = TextTable.number(ev.samples());
    matrix.row(totals);
    matrix.print(out, "  ");
  }

  /** Of the samples predicted as {@code cls}, the share that are of it; NaN if none were. */
  static double precision(long[][] c, int cls) {
    long predicted = 0;
    for (long[] row : c) {
      predicted += row[cls];
    }
    return predicted == 0 ? Double.NaN : (double) c[cls][cls] / predicted;
  }

  /** Of the samples of class {@code cls}, the share predicted as it; NaN if there are none. */
  static double recall(long[][] c, int cls) {
    long actual = 0;
    for (long v : c[cls]) {
      actual += v;
    }
    return actual == 0 ? Double.NaN : (double) c[cls][cls] / actual;
  }
}
