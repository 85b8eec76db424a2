package io.horn.examples.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.UsageException;
import io.horn.core.conf.TrainingSettings;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Every benchmark's command line on good and bad input: the same option names as the MNIST
 * example, {@code --help} on each, a trailing option without its value reported by name.
 */
class BenchmarkCommandLinesTest {
  /** One instance of every benchmark command, as bin/horn bench runs them. */
  static List<Object> commands() {
    return List.of(new MlpBenchmark(), new NeuronPathBenchmark(), new GpuBenchmark(),
        new CollectiveBenchmark(), new HybridBenchmark(), new ClusterBenchmark(),
        new StragglerBenchmark(), new FaultsBenchmark(), new MultinodeBenchmark(),
        new PushesBenchmark(), new ModelParallelBenchmark());
  }

  private static <T> T parse(T command, String... args) {
    Cli.commandLine(command).parseArgs(args);
    return command;
  }

  private static String error(Object command, String... args) {
    return assertThrows(ParameterException.class,
        () -> Cli.commandLine(command).parseArgs(args)).getMessage();
  }

  @Test
  void mlpTakesTheExampleNamesAndItsFormerOnes() {
    MlpBenchmark m = parse(new MlpBenchmark(), "--batch-size", "64", "--learning-rate", "0.1",
        "--epochs", "0", "--data", "/d", "-D", "horn.threads=3");
    TrainingSettings s = m.settings();
    assertEquals(64, s.batchSize);
    assertEquals(0.1f, s.learningRate);
    assertEquals(3, s.threads, "-D reaches the settings");
    assertEquals(Paths.get("/d"), m.data);
    MlpBenchmark old = parse(new MlpBenchmark(), "--batch", "32", "--lr", "0.2");
    assertEquals(32, old.settings().batchSize);
    assertEquals(0.2f, old.settings().learningRate);
    // The former names work but are not advertised.
    String help = Cli.commandLine(new MlpBenchmark()).getUsageMessage();
    assertFalse(help.contains("--lr") || help.contains("--batch "), help);
  }

  @Test
  void aTrailingOptionWithoutItsValueIsNamed() {
    for (Object c : commands()) {
      CommandLine cl = Cli.commandLine(c);
      for (String option : List.of("--epochs", "--data", "--batch-size", "--setups")) {
        if (cl.getCommandSpec().findOption(option) == null) {
          continue;
        }
        String e = error(c, option);
        assertTrue(e.contains(option), c.getClass().getSimpleName() + ": " + e);
      }
      String unknown = error(c, "--bogus", "1");
      assertTrue(unknown.contains("--bogus"), unknown);
    }
    assertTrue(error(new MlpBenchmark(), "--epochs", "x").contains("--epochs"));
    assertTrue(error(new MlpBenchmark(), "--batch").contains("--batch"));
  }

  @Test
  void everyBenchmarkHasHelp() {
    for (Object c : commands()) {
      CommandLine cl = Cli.commandLine(c);
      cl.parseArgs("--help");
      assertTrue(cl.isUsageHelpRequested(), c.getClass().getName());
      String usage = cl.getUsageMessage();
      String name = c.getClass().getSimpleName().replace("Benchmark", "")
          .replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
      assertTrue(usage.startsWith("Usage: bin/horn bench " + name + " "), usage);
      assertTrue(usage.contains("--help") && usage.contains("--verbose"), usage);
    }
  }

  @Test
  void everyBenchmarkThatRunsAJobTakesMinusDAndConf() {
    for (Object c : commands()) {
      CommandLine cl = Cli.commandLine(c);
      // gpu hands its options to horn-cuda's benchmark, which reads no Horn configuration.
      boolean job = !(c instanceof CollectiveBenchmark || c instanceof NeuronPathBenchmark
          || c instanceof GpuBenchmark);
      assertEquals(job, cl.getCommandSpec().findOption("-D") != null, c.getClass().getName());
      assertEquals(job, cl.getCommandSpec().findOption("--conf") != null, c.getClass().getName());
    }
  }

  @Test
  void collectiveChecksItsValuesByName() throws Exception {
    CollectiveBenchmark.Options o = parse(new CollectiveBenchmark(), "--peers", "2,3",
        "--sizes=100", "--rounds", "5", "--formats", "fp32,bf16", "--transports", "tcp")
        .options();
    assertArrayEquals(new int[] {2, 3}, o.peers());
    assertArrayEquals(new int[] {100}, o.sizes());
    assertEquals(5, o.rounds());
    assertEquals(2, o.formats().size());
    assertEquals(List.of("tcp"), o.transports());
    for (String[] bad : new String[][] {{"--peers", "1"}, {"--sizes", "x"},
        {"--rounds", "1,2"}, {"--transports", "udp"}, {"--formats", "fp8"},
        {"--testbed", "fast"}}) {
      String e = assertThrows(UsageException.class,
          () -> parse(new CollectiveBenchmark(), bad).options()).getMessage();
      assertTrue(e.startsWith(bad[0]), e);
    }
  }

  @Test
  void stragglerRefusesAnUnknownModeByName() {
    StragglerBenchmark s = parse(new StragglerBenchmark(), "--modes", "sync,lazy");
    String e = assertThrows(UsageException.class, s::call).getMessage();
    assertEquals("--modes: unknown mode 'lazy' (sync, async, ssp)", e);
  }
}
