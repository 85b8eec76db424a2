package io.horn.examples.report;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Writes the training report of a model file: {@code bin/horn class
 * io.horn.examples.report.ReportMain <model-file> <out-dir>}. Exits 0 on success, 2 on bad
 * arguments (with a one-line error and the usage), 1 when the model cannot be read or the
 * report cannot be written ({@link Cli}'s convention).
 */
@Command(name = "bin/horn class io.horn.examples.report.ReportMain",
    description = "Write the HTML training report of a model file.")
public final class ReportMain implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<model-file>", description = "A local model file.")
  Path modelFile;

  @Parameters(index = "1", paramLabel = "<out-dir>", description = "The report's directory.")
  Path dir;

  @Mixin HelpOptions help;

  private final PrintStream out;

  private ReportMain(PrintStream out) {
    this.out = out;
  }

  /** Runs with {@code args}; exits the JVM with a non-zero status on failure. */
  public static void main(String[] args) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The work of {@link #main}, with its exit status returned instead of exiting. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new ReportMain(out), args, out, err);
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(modelFile)) {
      throw new UsageException("<model-file>: model file not found: " + modelFile);
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("<out-dir>: exists and is not a directory: " + dir);
    }
    Model model;
    try {
      model = ModelFile.load(modelFile, null);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot read model " + modelFile + ": " + e.getMessage(), e);
    }
    try {
      Path index = TrainingReport.write(model, dir);
      out.println("report written to " + index);
      return Cli.OK;
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot write the report into " + dir + ": " + e, e);
    }
  }
}
