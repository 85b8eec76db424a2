package io.horn.examples.report;

import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Writes the training report of a model file: {@code bin/horn class
 * io.horn.examples.report.ReportMain <model-file> <out-dir>}. Exits 0 on success, 2 on bad
 * arguments (with a one-line error and the usage), 1 when the model cannot be read or the
 * report cannot be written.
 */
public final class ReportMain {
  static final String USAGE =
      "usage: bin/horn class io.horn.examples.report.ReportMain <model-file> <out-dir>";

  private ReportMain() {}

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
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(USAGE);
      return 0;
    }
    if (args.length != 2) {
      return usage(err, "expected 2 arguments (model file, output directory), got " + args.length);
    }
    Path modelFile = Paths.get(args[0]);
    Path dir = Paths.get(args[1]);
    if (!Files.isRegularFile(modelFile)) {
      return usage(err, "model file not found: " + modelFile);
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return usage(err, "output path exists and is not a directory: " + dir);
    }
    Model model;
    try {
      model = ModelFile.load(modelFile, null);
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot read model " + modelFile + ": " + e.getMessage());
      return 1;
    }
    try {
      Path index = TrainingReport.write(model, dir);
      out.println("report written to " + index);
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot write the report into " + dir + ": " + e);
      return 1;
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("error: " + message);
    err.println(USAGE);
    return 2;
  }
}
