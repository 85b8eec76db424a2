package io.horn.examples.tools;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model tools, behind {@code bin/horn eval|predict|info|export}: the first argument names the
 * subcommand ({@link EvalCommand}, {@link PredictCommand}, {@link InfoCommand}, {@link
 * ExportCommand}), the rest are
 * its arguments.
 *
 * <p>Every problem is reported as one line on standard error starting with {@code horn: },
 * followed by the usage line; the exit status is 2 for a wrong command line (an unknown option,
 * a missing argument) and 1 for a failure (a missing or corrupt model file, data of the wrong
 * shape, an I/O error). {@code --verbose} adds the stack trace.
 */
public final class ModelTool {
  /** The usage line when no subcommand is known yet. */
  static final String USAGE = "usage: bin/horn eval|predict|info|export <model> [args...]"
      + " ('bin/horn <subcommand> --help' for its arguments)";

  /** Exit status for success. */
  public static final int OK = 0;
  /** Exit status when the work failed. */
  public static final int FAILURE = 1;
  /** Exit status when the command line is wrong. */
  public static final int USAGE_ERROR = 2;

  private static final Map<String, Subcommand> COMMANDS = new LinkedHashMap<>();

  static {
    for (Subcommand c : List.of(new EvalCommand(), new PredictCommand(), new InfoCommand(),
        new ExportCommand())) {
      COMMANDS.put(c.name(), c);
    }
  }

  private ModelTool() {}

  /** Runs {@link #run} on the standard streams and exits with its status. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /**
   * Runs the subcommand {@code args[0]} with the rest of {@code args}, writing results to {@code
   * out} and errors to {@code err}.
   *
   * @return the exit status: {@link #OK}, {@link #FAILURE} or {@link #USAGE_ERROR}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    boolean verbose = ToolArgs.wantsVerbose(args);
    String usage = USAGE;
    try {
      if (args.length == 0) {
        throw new UsageException("missing subcommand (eval, predict, info or export)");
      }
      if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
        for (Subcommand c : COMMANDS.values()) {
          out.println(c.usage());
        }
        return OK;
      }
      Subcommand command = COMMANDS.get(args[0]);
      if (command == null) {
        throw new UsageException("unknown subcommand '" + args[0] + "' (known: "
            + String.join(", ", COMMANDS.keySet()) + ")");
      }
      usage = command.usage();
      ToolArgs parsed = ToolArgs.parse(args, 1, command.valueOptions());
      if (parsed.help()) {
        out.println(usage);
        return OK;
      }
      command.run(parsed, out);
      out.flush();
      return OK;
    } catch (UsageException e) {
      report(err, e, usage, verbose);
      return USAGE_ERROR;
    } catch (Exception | OutOfMemoryError | LinkageError e) {
      out.flush();
      report(err, e, usage, verbose);
      return FAILURE;
    }
  }

  private static void report(PrintStream err, Throwable e, String usage, boolean verbose) {
    err.println("horn: " + reason(e));
    err.println(usage);
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /** The one-line reason for {@code e}: its message, else its type; never several lines. */
  static String reason(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "); raise HORN_HEAPSIZE or use --limit";
    }
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException) {
      m = "no such file: " + m;
    } else if (e instanceof java.nio.file.AccessDeniedException) {
      m = "permission denied: " + m;
    } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
      m = "already exists: " + m;
    }
    if (m == null || m.trim().isEmpty()) {
      m = e.getClass().getSimpleName() + (e.getCause() != null ? ": " + reason(e.getCause()) : "");
    } else if (!(e instanceof UsageException || e instanceof ToolFailure
        || e instanceof java.io.IOException || e instanceof IllegalArgumentException)) {
      // An unexpected kind of error: its type says more than its message alone.
      m = e.getClass().getSimpleName() + ": " + m;
    }
    return m.trim().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
