package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.io.MnistConverter;
import io.horn.examples.tools.ModelTool;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code bin/horn ...} command line in README.md and docs/*.md names a command that exists
 * and only options that command has: the Java commands are checked against their picocli specs,
 * {@code cluster} and {@code testbed} against the usage of bin/lib/horn-cluster.sh.
 */
class DocCommandLinesTest {
  private static final Pattern LINE = Pattern.compile("bin/horn ([^`|\\n]*)");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*|-D)\\b");
  private static final List<String> PASS_THROUGH = List.of("jar", "class", "classpath", "help");

  private static Path root() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/horn")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new AssertionError("no bin/horn above " + Paths.get("").toAbsolutePath());
  }

  /** The picocli command a documented line runs, or null for a shell-only command. */
  private static CommandLine command(String[] words, String where) {
    PrintStream none = new PrintStream(PrintStream.nullOutputStream());
    switch (words[0]) {
      case "example":
        assertTrue(words.length > 1 && words[1].equals("mnist"), where);
        return Cli.commandLine(new MnistExample());
      case "convert-mnist":
        return Cli.commandLine(new MnistConverter.Command());
      case "eval":
      case "predict":
      case "info":
      case "export":
        return ModelTool.commandLine(none).getSubcommands().get(words[0]);
      case "bench":
        assertTrue(words.length > 1, where);
        String cls = "io.horn.examples.bench." + camel(words[1]) + "Benchmark";
        try {
          java.lang.reflect.Constructor<?> c = Class.forName(cls).getDeclaredConstructor();
          c.setAccessible(true); // package-private: bin/horn runs them through main
          return Cli.commandLine(c.newInstance());
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(where + ": no benchmark " + words[1] + " (" + cls + ")", e);
        }
      default:
        return null;
    }
  }

  private static String camel(String name) {
    StringBuilder sb = new StringBuilder();
    for (String part : name.split("-")) {
      sb.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
    }
    return sb.toString();
  }

  @Test
  void everyDocumentedCommandLineExists() throws IOException {
    Path root = root();
    String clusterUsage = Files.readString(root.resolve("bin/lib/horn-cluster.sh"));
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    try (Stream<Path> s = Files.list(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    int checked = 0;
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = LINE.matcher(lines.get(i));
        while (m.find()) {
          String text = m.group(1).split("bin/horn ")[0].trim();
          String[] words = text.split("\\s+");
          String where = root.relativize(doc) + ":" + (i + 1) + ": bin/horn " + text;
          if (words[0].isEmpty() || !words[0].matches("[a-z-]+")) {
            continue; // prose such as "bin/horn (the launcher)"
          }
          assertTrue(List.of("example", "bench", "convert-mnist", "eval", "predict", "info",
              "export", "cluster", "testbed", "jar", "class", "classpath", "help").contains(words[0]),
              where + ": no such command");
          if (PASS_THROUGH.contains(words[0]) || words[0].equals("bench")
              && (words.length < 2 || !words[1].matches("[a-z-]+"))) {
            continue; // arguments for another program, or a placeholder (bench <name>, ...)
          }
          CommandLine cl = command(words, where);
          Matcher o = OPTION.matcher(text);
          while (o.find()) {
            String option = o.group(1);
            // A hidden option (a former name) is read but not to be documented.
            CommandLine.Model.OptionSpec spec =
                cl != null ? cl.getCommandSpec().findOption(option) : null;
            boolean known = cl != null ? spec != null && !spec.hidden()
                : clusterUsage.contains(option);
            assertTrue(known, where + ": no option " + option);
            checked++;
          }
        }
      }
    }
    assertTrue(checked > 20, "only " + checked + " options found in the docs");
  }
}
