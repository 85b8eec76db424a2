package io.horn.bsp.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs a picocli command the way every Horn command behaves.
 *
 * <ul>
 *   <li>A wrong command line (an unknown option, a missing or malformed value, a {@link
 *       UsageException} from the command): one line {@code horn: <problem>} naming the option,
 *       then the usage synopsis; status {@link #USAGE_ERROR}.
 *   <li>A failure of the work: one line {@code horn: <reason>}, no usage; status {@link
 *       #FAILURE}. {@code --verbose} adds the stack trace.
 *   <li>Success: the command's own status, {@link #OK} unless it says otherwise.
 * </ul>
 *
 * <p>Stateless; each call builds its own {@link CommandLine}.
 */
public final class Cli {
  /** Exit status for success. */
  public static final int OK = 0;
  /** Exit status when the work failed. */
  public static final int FAILURE = 1;
  /** Exit status when the command line is wrong. */
  public static final int USAGE_ERROR = 2;

  private Cli() {}

  /** Runs {@code command} with {@code args} on the standard streams and exits with its status. */
  public static void exit(Object command, String[] args) {
    int status = run(command, args, System.out, System.err);
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  /** Runs {@code command} with {@code args}, writing to {@code out} and {@code err}. */
  public static int run(Object command, String[] args, PrintStream out, PrintStream err) {
    return run(command, args, out, err, Cli::reason);
  }

  /**
   * As {@link #run(Object, String[], PrintStream, PrintStream)}, with the one-line reason of a
   * failure given by {@code reason}.
   */
  public static int run(Object command, String[] args, PrintStream out, PrintStream err,
      Function<Throwable, String> reason) {
    checkNotNull(command, "command");
    checkNotNull(args, "args");
    checkNotNull(out, "out");
    checkNotNull(err, "err");
    checkNotNull(reason, "reason");
    CommandLine cl = command instanceof CommandLine ? (CommandLine) command
        : new CommandLine(command);
    configure(cl);
    cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    IParameterExceptionHandler usage = (ParameterException e, String[] a) -> {
      err.println("horn: " + oneLine(e.getMessage()));
      if (e instanceof UnmatchedArgumentException) {
        UnmatchedArgumentException.printSuggestions(e, err);
      }
      printSynopsis(e.getCommandLine(), err);
      return USAGE_ERROR;
    };
    IExecutionExceptionHandler failure = (Exception e, CommandLine failed, ParseResult parsed) -> {
      if (e instanceof UsageException) {
        err.println("horn: " + oneLine(e.getMessage()));
        printSynopsis(failed, err);
      } else {
        out.flush();
        err.println("horn: " + reason.apply(e));
      }
      if (verbose(parsed)) {
        e.printStackTrace(err);
      }
      err.flush();
      return e instanceof UsageException ? USAGE_ERROR : FAILURE;
    };
    cl.setParameterExceptionHandler(usage);
    cl.setExecutionExceptionHandler(failure);
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError | LinkageError e) {
      err.println("horn: " + reason.apply(e));
      return FAILURE;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * The {@link CommandLine} of {@code command} with Horn's parser settings: options may follow
   * positional arguments, {@code --name=value} and {@code --name value} both work, {@code --}
   * ends the options. Tests parse with it to check a command's fields; add subcommands, then
   * pass it to {@link #run(Object, String[], PrintStream, PrintStream)}.
   */
  public static CommandLine commandLine(Object command) {
    return configure(new CommandLine(command));
  }

  /** Horn's settings, on {@code cl} and the subcommands it has. */
  private static CommandLine configure(CommandLine cl) {
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(100);
    cl.setUsageHelpLongOptionsMaxWidth(30);
    return cl;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static void printSynopsis(CommandLine cl, PrintStream err) {
    // One line: the options are listed by --help.
    err.println("usage: " + cl.getHelp().abbreviatedSynopsis().trim());
    err.println("('" + cl.getCommandSpec().qualifiedName() + " --help' lists the options)");
  }

  /** The one-line reason for {@code e}: its message, else its type; never several lines. */
  public static String reason(Throwable e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "); raise HORN_HEAPSIZE";
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
    } else if (!(e instanceof java.io.IOException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException || e instanceof UsageException)) {
      // An unexpected kind of error: its type says more than its message alone.
      m = e.getClass().getSimpleName() + ": " + m;
    }
    return oneLine(m);
  }

  private static String oneLine(String m) {
    return m == null ? "" : m.trim().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
