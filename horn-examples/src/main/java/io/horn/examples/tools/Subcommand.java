package io.horn.examples.tools;

import java.io.PrintStream;
import java.util.Set;

/**
 * One subcommand of {@link ModelTool}: {@code eval}, {@code predict} or {@code info}.
 *
 * <p>Contract: {@link #run} writes its results to {@code out} and reports every problem by
 * throwing: a {@link UsageException} for a wrong command line, anything else for a failure.
 * Implementations are stateless.
 */
public interface Subcommand {

  /** The name on the command line. */
  String name();

  /** The one-line usage, starting with {@code usage: }. */
  String usage();

  /** The options that take a value, with their leading {@code --}. */
  default Set<String> valueOptions() {
    return java.util.Collections.emptySet();
  }

  /** Runs the subcommand with its parsed arguments. */
  void run(ToolArgs args, PrintStream out) throws Exception;
}
