package io.horn.examples.tools;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code horn predict <model> <input> [--limit N] [--out FILE]}: one line per sample, {@code
 * index,predicted_class,probability}, where the probability is the output unit value of the
 * predicted class (a SoftMax probability for a SoftMax output layer). Lines go to standard
 * output, or to {@code FILE} with {@code --out}. The input is read whole and checked before the
 * first line is written, so a bad input leaves no partial output. The model, the input and
 * {@code FILE} may each be local or on a Hadoop file system ({@code hdfs://...}, see {@link
 * HadoopFiles}).
 *
 * <p>Inputs: see {@link PredictInput}.
 */
@Command(name = "predict", description = "'index,predicted_class,probability' per sample.")
public final class PredictCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<model>",
      description = "The model file, local or hdfs://...")
  String model;

  @Parameters(index = "1", paramLabel = "<input>", description = "A dataset path, an idx "
      + "images file, or a CSV file of feature rows (local or hdfs://...).")
  String input;

  @Option(names = "--limit", paramLabel = "N", description = "Predict the first N samples only.")
  Integer limit;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Write the lines to FILE (local or hdfs://...) instead of standard output.")
  String outFile;

  @Mixin HelpOptions help;

  private final PrintStream out;

  /** A command that writes to {@code out} (the lines, or a summary with {@code --out}). */
  PredictCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    if (limit != null && limit < 1) {
      throw new UsageException("--limit needs a positive whole number, got '" + limit + "'");
    }
    checkOut(outFile);
    try (Inference m = Inference.load(model)) {
      PredictInput in = PredictInput.read(input, m, limit != null ? limit : Integer.MAX_VALUE);
      if (outFile == null) {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        write(m, in, w, out);
        w.flush();
        return Cli.OK;
      }
      try (Writer w = new OutputStreamWriter(open(outFile), StandardCharsets.UTF_8)) {
        write(m, in, w, null);
      }
      out.println(in.size() + " predictions for " + in.description() + " written to "
          + outFile);
    }
    return Cli.OK;
  }

  /** Fails unless {@code out} (null: standard output) can name a file to write. */
  private static void checkOut(String out) throws UsageException, IOException {
    if (out == null) {
      return;
    }
    boolean directory;
    if (HadoopFiles.isRemote(out)) {
      directory = HadoopFiles.isDirectory(out);
    } else {
      try {
        directory = !out.isEmpty() && Files.isDirectory(HadoopFiles.local(out));
      } catch (IOException e) {
        throw new UsageException("--out: not a valid path: '" + out + "'");
      }
    }
    if (out.isEmpty() || directory) {
      throw new UsageException("--out needs a file name, got '" + out + "'"
          + (out.isEmpty() ? "" : " (a directory)"));
    }
  }

  /** A new file at {@code out}, local or remote, replacing one that is there. */
  private static OutputStream open(String out) throws IOException {
    if (HadoopFiles.isRemote(out)) {
      return HadoopFiles.create(out);
    }
    Path p = HadoopFiles.local(out);
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return Files.newOutputStream(p);
  }

  /**
   * Runs the model over the input in batches and writes one line per sample to {@code w}; when
   * {@code w} writes to {@code console} (standard output), stops once that stream has failed.
   */
  static void write(Inference model, PredictInput input, Writer w, PrintStream console)
      throws IOException {
    int in = model.spec().inputSize();
    int outs = model.spec().outputSize();
    float[] x = new float[in * Inference.BATCH];
    float[] y = new float[outs * Inference.BATCH];
    BufferedWriter bw = w instanceof BufferedWriter ? (BufferedWriter) w : new BufferedWriter(w);
    StringBuilder line = new StringBuilder();
    for (int from = 0; from < input.size(); from += Inference.BATCH) {
      int n = Math.min(Inference.BATCH, input.size() - from);
      input.features(from, n, x);
      model.predict(x, n, y);
      for (int s = 0; s < n; s++) {
        int cls = Inference.argmax(y, s * outs, outs);
        line.setLength(0);
        line.append(from + s).append(',').append(cls).append(',')
            .append(String.format(Locale.ROOT, "%.6f", y[s * outs + cls])).append('\n');
        bw.write(line.toString());
      }
      if (console != null) {
        bw.flush();
        if (console.checkError()) {
          return; // the reader went away (| head): stop quietly, as other Unix tools do
        }
      }
    }
    bw.flush();
  }
}
