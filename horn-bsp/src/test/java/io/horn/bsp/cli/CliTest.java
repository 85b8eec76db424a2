package io.horn.bsp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The convention every Horn command follows, on a small command of its own. */
class CliTest {
  @TempDir
  Path tmp;

  @Command(name = "bin/horn demo", description = "A demo command.")
  static final class Demo implements Callable<Integer> {
    @Mixin HelpOptions help;
    @Mixin ConfigOptions config;

    @Option(names = "--batch-size", paramLabel = "N")
    int batch = 128;

    @Option(names = "--fail")
    String fail;

    @Option(names = "--misuse")
    boolean misuse;

    HornConfiguration conf;

    @Override
    public Integer call() throws Exception {
      if (misuse) {
        throw new UsageException("--misuse cannot be used here");
      }
      if (fail != null) {
        throw new java.io.IOException(fail);
      }
      conf = config.applyTo(new HornConfiguration());
      return Cli.OK;
    }
  }

  record Result(int status, String out, String err) {}

  private static Result run(Demo d, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Cli.run(d, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void minusDAndConfFilesSetAnyKeyAndMinusDWins() throws Exception {
    Path xml = tmp.resolve("site.xml");
    Files.writeString(xml, "<configuration><property><name>horn.batch.size</name>"
        + "<value>64</value></property><property><name>bsp.master.address</name>"
        + "<value>host:40000</value></property></configuration>");
    Path props = tmp.resolve("job.properties");
    Files.writeString(props, "# a comment\nhorn.learning.rate = 0.01\nhorn.batch.size=32\n");
    Demo d = new Demo();
    Result r = run(d, "--conf", xml.toString(), "--conf=" + props, "-D", "horn.epochs=3",
        "-Dfs.defaultFS=hdfs://nn:9000", "-D", "horn.learning.rate=0.2");
    assertEquals(0, r.status, r.toString());
    assertEquals(32, d.conf.get(HornOptions.BATCH_SIZE), "a later --conf wins");
    assertEquals(0.2f, d.conf.get(HornOptions.LEARNING_RATE), "-D wins over --conf");
    assertEquals(3, d.conf.get(HornOptions.EPOCHS));
    assertEquals("host:40000", d.conf.getRaw("bsp.master.address"));
    assertEquals("hdfs://nn:9000", d.conf.getRaw("fs.defaultFS"));
  }

  @Test
  void usageErrorsNameTheOptionAndPrintTheUsage() {
    for (String[] args : new String[][] {{"--batch-size", "x"}, {"--batch-size"},
        {"--bach-size", "3"}, {"-D", "novalue"}, {"--conf", tmp.resolve("none.xml").toString()},
        {"--misuse"}}) {
      Result r = run(new Demo(), args);
      assertEquals(Cli.USAGE_ERROR, r.status, r.toString());
      String first = r.err.lines().findFirst().orElse("");
      assertTrue(first.startsWith("horn: "), r.err);
      String option = args[0].equals("--bach-size") ? "--bach-size" : args[0];
      assertTrue(first.contains(option), "names " + option + ": " + first);
      assertTrue(r.err.contains("usage: bin/horn demo"), r.err);
      assertEquals("", r.out);
    }
    assertTrue(run(new Demo(), "--conf", tmp.resolve("none.xml").toString()).err
        .contains("no such file"));
  }

  @Test
  void aFailurePrintsItsErrorAndNoUsage() {
    Result r = run(new Demo(), "--fail", "disk on fire");
    assertEquals(Cli.FAILURE, r.status);
    assertEquals("horn: disk on fire" + System.lineSeparator(), r.err);
    Result verbose = run(new Demo(), "--fail", "disk on fire", "--verbose");
    assertTrue(verbose.err.contains("at io.horn.bsp.cli.CliTest"), verbose.err);
    assertFalse(verbose.err.contains("usage:"), verbose.err);
  }

  @Test
  void helpGoesToStandardOutput() {
    Result r = run(new Demo(), "--help");
    assertEquals(0, r.status);
    assertTrue(r.out.startsWith("Usage: bin/horn demo"), r.out);
    for (String o : new String[] {"--batch-size", "-D", "--conf", "--verbose", "--help"}) {
      assertTrue(r.out.contains(o), o + " in " + r.out);
    }
    assertEquals("", r.err);
  }

  @Test
  void malformedConfFilesAreNamed() throws Exception {
    Path bad = tmp.resolve("bad.xml");
    Files.writeString(bad, "<conf>");
    Result r = run(new Demo(), "--conf", bad.toString());
    assertEquals(Cli.USAGE_ERROR, r.status);
    assertTrue(r.err.contains("--conf") && r.err.contains(bad.toString()), r.err);
  }
}
