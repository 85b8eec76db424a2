package io.horn.bsp.cli;

import picocli.CommandLine.Option;

/**
 * The options of every Horn command, mixed in with {@code @Mixin}: {@code -h/--help} prints the
 * usage and exits 0; {@code --verbose} adds the stack trace to an error.
 */
public final class HelpOptions {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--verbose", description = "On an error, print its stack trace too.")
  boolean verbose;

  /** Whether {@code --verbose} was given. */
  public boolean verbose() {
    return verbose;
  }
}
