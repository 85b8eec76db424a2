package io.horn.examples.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one subcommand: positional arguments in order, options that take a value
 * ({@code --limit 10} or {@code --limit=10}), and the flags every subcommand knows ({@code
 * --verbose}, {@code --help}). Options may come before, between or after the positional
 * arguments; {@code --} ends the options, so that a path may start with {@code -}.
 *
 * <p>Immutable once parsed.
 */
public final class ToolArgs {
  private final List<String> positional;
  private final Map<String, String> options;
  private final boolean verbose;
  private final boolean help;

  private ToolArgs(List<String> positional, Map<String, String> options, boolean verbose,
      boolean help) {
    this.positional = Collections.unmodifiableList(positional);
    this.options = Collections.unmodifiableMap(options);
    this.verbose = verbose;
    this.help = help;
  }

  /**
   * Parses {@code args[from..]}.
   *
   * @param valueOptions the options (with their leading {@code --}) that take a value
   * @throws UsageException for an unknown option, an option without its value, or an option
   *     given twice
   */
  public static ToolArgs parse(String[] args, int from, Set<String> valueOptions)
      throws UsageException {
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new LinkedHashMap<>();
    boolean verbose = false;
    boolean help = false;
    boolean optionsEnded = false;
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (optionsEnded || !a.startsWith("-") || a.equals("-")) {
        positional.add(a);
        continue;
      }
      if (a.equals("--")) {
        optionsEnded = true;
      } else if (a.equals("--verbose")) {
        verbose = true;
      } else if (a.equals("--help") || a.equals("-h")) {
        help = true;
      } else {
        int eq = a.indexOf('=');
        String name = eq > 0 ? a.substring(0, eq) : a;
        if (!valueOptions.contains(name)) {
          throw new UsageException("unknown option " + name);
        }
        String value;
        if (eq > 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UsageException("option " + name + " needs a value");
        }
        if (options.put(name, value) != null) {
          throw new UsageException("option " + name + " is given twice");
        }
      }
    }
    return new ToolArgs(positional, options, verbose, help);
  }

  /** Whether {@code args} ask for stack traces, looking only at what comes before {@code --}. */
  public static boolean wantsVerbose(String[] args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** The positional arguments, in order. */
  public List<String> positional() {
    return positional;
  }

  /**
   * Checks that there are exactly as many positional arguments as {@code names} lists, naming
   * the first missing one or the first extra one.
   */
  public void expectPositional(String... names) throws UsageException {
    if (positional.size() < names.length) {
      throw new UsageException("missing " + names[positional.size()]);
    }
    if (positional.size() > names.length) {
      throw new UsageException("unexpected argument '" + positional.get(names.length) + "'");
    }
  }

  /** The value of option {@code name}, or null when it was not given. */
  public String option(String name) {
    return options.get(name);
  }

  /**
   * The value of option {@code name} as a positive int, or {@code fallback} when it was not
   * given.
   */
  public int positiveInt(String name, int fallback) throws UsageException {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(name + " needs a positive whole number, got '" + v + "'");
  }

  /** Whether {@code --verbose} was given: errors then come with their stack trace. */
  public boolean verbose() {
    return verbose;
  }

  /** Whether {@code --help} or {@code -h} was given. */
  public boolean help() {
    return help;
  }
}
