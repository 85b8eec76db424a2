package io.horn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.UsageException;
import io.horn.core.HornJob;
import io.horn.core.conf.HornOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/** The MNIST example's command line on good and bad input, parsed as bin/horn passes it. */
class CommandLinesTest {
  @TempDir
  Path tmp;

  private static MnistExample parse(String... args) {
    MnistExample e = new MnistExample();
    Cli.commandLine(e).parseArgs(args);
    return e;
  }

  private static String error(Object command, String... args) {
    return assertThrows(ParameterException.class,
        () -> Cli.commandLine(command).parseArgs(args)).getMessage();
  }

  @Test
  void mnistExampleOptionsReachTheJob() throws Exception {
    MnistExample e = parse("--data", tmp.toString(), "--epochs=3", "--batch-size", "64",
        "--learning-rate", "0.01", "--input-keep", "0.8", "--workers", "2", "--groups", "1",
        "-D", "horn.seed=7", "-Dhorn.threads=1", "--resume");
    HornJob job = e.job();
    assertEquals(3, job.getConfiguration().get(HornOptions.EPOCHS));
    assertEquals(64, job.getConfiguration().get(HornOptions.BATCH_SIZE));
    assertEquals(0.01f, job.getConfiguration().get(HornOptions.LEARNING_RATE));
    assertEquals(2, job.getConfiguration().get(HornOptions.WORKERS));
    assertEquals(7L, job.getConfiguration().get(HornOptions.SEED));
    assertEquals(1, job.getConfiguration().get(HornOptions.THREADS));
    assertTrue(job.getConfiguration().get(HornOptions.RESUME));
    assertEquals(0.2f, job.getNetworkSpec().layer(0).dropRate(), 1e-6f,
        "--input-keep 0.8 keeps 80% of the pixels");
    assertEquals(tmp + "#t10k", job.getConfiguration().get(HornOptions.TEST_PATH));
  }

  @Test
  void mnistExampleDefaultsAreTheDocumentedOnes() throws Exception {
    HornJob job = parse("--data", tmp.toString()).job();
    assertEquals(10, job.getConfiguration().get(HornOptions.EPOCHS));
    assertEquals(128, job.getConfiguration().get(HornOptions.BATCH_SIZE));
    assertEquals(4, job.getConfiguration().get(HornOptions.WORKERS));
    assertEquals(2, job.getConfiguration().get(HornOptions.GROUPS));
    assertEquals(0f, job.getNetworkSpec().layer(0).dropRate());
  }

  @Test
  void mnistExampleBadInputIsNamed() {
    assertTrue(error(new MnistExample(), "--epochs", "ten").contains("--epochs"));
    assertTrue(error(new MnistExample(), "--batch-size").contains("--batch-size"));
    assertTrue(error(new MnistExample(), "--bach-size", "3").contains("--bach-size"));
    assertTrue(error(new MnistExample(), "-D", "horn.seed").contains("-D"));
    String keep = assertThrows(UsageException.class,
        () -> parse("--data", tmp.toString(), "--input-keep", "0").job()).getMessage();
    assertTrue(keep.startsWith("--input-keep is the probability of keeping"), keep);
    String data = assertThrows(UsageException.class,
        () -> parse("--data", tmp.resolve("none").toString()).job()).getMessage();
    assertTrue(data.startsWith("--data: MNIST directory not found"), data);
  }
}
