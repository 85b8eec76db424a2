package io.horn.examples.tools;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The model tools, behind {@code bin/horn eval|predict|info|export}: the first argument names
 * the subcommand ({@link EvalCommand}, {@link PredictCommand}, {@link InfoCommand}, {@link
 * ExportCommand}), the rest are its arguments, parsed by picocli under the convention of
 * {@link Cli}.
 *
 * <p>Every problem is reported as one line on standard error starting with {@code horn: }; a
 * wrong command line (an unknown option, a missing argument) adds the usage line and exits 2, a
 * failure (a missing or corrupt model file, data of the wrong shape, an I/O error) exits 1
 * without it. {@code --verbose} adds the stack trace.
 */
@Command(name = "bin/horn", synopsisSubcommandLabel = "eval|predict|info|export",
    description = "Evaluate a model, predict with it, describe its file or export it to ONNX.")
public final class ModelTool implements Runnable {
  /** Exit status for success. */
  public static final int OK = Cli.OK;
  /** Exit status when the work failed. */
  public static final int FAILURE = Cli.FAILURE;
  /** Exit status when the command line is wrong. */
  public static final int USAGE_ERROR = Cli.USAGE_ERROR;

  @Mixin HelpOptions help;

  /** What came instead of a subcommand, to name it in the error. */
  @Parameters(hidden = true)
  List<String> other = new ArrayList<>();

  private ModelTool() {}

  /** Runs {@link #run} on the standard streams and exits with its status. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /** Without a known subcommand: a usage error naming what came instead. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), other.isEmpty()
        ? "missing subcommand (eval, predict, info or export)"
        : "unknown subcommand '" + other.get(0) + "' (known: eval, predict, info, export)");
  }

  /**
   * Runs the subcommand {@code args[0]} with the rest of {@code args}, writing results to {@code
   * out} and errors to {@code err}.
   *
   * @return the exit status: {@link #OK}, {@link #FAILURE} or {@link #USAGE_ERROR}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(commandLine(out), args, out, err, ModelTool::reason);
  }

  /** The tool's command line, its subcommands writing to {@code out}. */
  public static CommandLine commandLine(PrintStream out) {
    CommandLine cl = Cli.commandLine(new ModelTool());
    cl.addSubcommand(new EvalCommand(out));
    cl.addSubcommand(new PredictCommand(out));
    cl.addSubcommand(new InfoCommand(out));
    cl.addSubcommand(new ExportCommand(out));
    return cl;
  }

  /** The one-line reason for {@code e}: its message, else its type; never several lines. */
  static String reason(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "); raise HORN_HEAPSIZE or use --limit";
    }
    if (e instanceof ToolFailure) {
      return e.getMessage().trim().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
    return Cli.reason(e);
  }
}
