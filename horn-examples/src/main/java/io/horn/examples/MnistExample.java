package io.horn.examples;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.bsp.io.TextDatasetFormat;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.text.TextFormat;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains 784-500-500-10 (ReLU, SoftMax + CrossEntropy) on MNIST, evaluates on the 10k test set
 * after every epoch and writes the model.
 *
 * <p>{@code bin/horn example mnist [--data DIR] [--epochs 10] [--batch-size 128]
 * [--learning-rate 0.05] [--model PATH] [-D key=value] [--conf FILE]}; {@code --help} lists the
 * options.
 */
@Command(name = "bin/horn example mnist", sortOptions = false,
    description = "Train 784-500-500-10 (ReLU, SoftMax + CrossEntropy) on MNIST, evaluate on the"
        + " test set after every epoch, write the model and an HTML training report.")
public final class MnistExample implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "PATH",
      description = "Training data: an MNIST idx directory, SequenceFiles, CSV or LibSVM files "
          + "(docs/data-formats.md), local or hdfs://... (default: ${DEFAULT-VALUE}).")
  String data = ".cache/mnist";

  @Option(names = "--test", paramLabel = "PATH",
      description = "Test data (default: the t10k set or test directory beside --data; for a "
          + "text file, the same name with 'train' replaced by 'test').")
  String test;

  @Option(names = "--model", paramLabel = "PATH", description = "Model file to write "
      + "(default: ${DEFAULT-VALUE}).")
  String model = "work/mnist-model.bin";

  @Option(names = "--report", paramLabel = "DIR",
      description = "Directory of the HTML training report (default: work/reports/mnist-<time>).")
  String report;

  @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data "
      + "(default: ${DEFAULT-VALUE}).")
  int epochs = 10;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batch = 128;

  @Option(names = "--learning-rate", paramLabel = "F",
      description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate = 0.05;

  @Option(names = "--momentum", paramLabel = "F",
      description = "Momentum weight (default: ${DEFAULT-VALUE}).")
  double momentum = 0.9;

  @Option(names = "--input-keep", paramLabel = "P",
      description = "Probability of KEEPING each input pixel in training, in (0, 1], as "
          + "inputLayer(784, P) (default: ${DEFAULT-VALUE}: no input dropout).")
  float inputKeep = 1f;

  // Two task groups of two peers and a parameter server; bin/horn knows this default too (it
  // gives each worker its share of the cores).
  @Option(names = "--workers", paramLabel = "N",
      description = "Training peers (default: ${DEFAULT-VALUE}).")
  int workers = 4;

  @Option(names = "--groups", paramLabel = "G",
      description = "Task groups; must divide --workers (default: ${DEFAULT-VALUE}).")
  int groups = 2;

  @Option(names = "--push-interval", paramLabel = "N",
      description = "Group steps between pushes to the parameter server (default: "
          + "${DEFAULT-VALUE}).")
  int pushInterval = 1;

  @Option(names = "--staleness", paramLabel = "K", description = "Pushes a group may run ahead "
      + "of the slowest: 0 lock-step, -1 asynchronous (default: ${DEFAULT-VALUE}).")
  int staleness = -1;

  @Option(names = "--update", paramLabel = "sum|average",
      description = "How the parameter server combines the groups' deltas (default: "
          + "${DEFAULT-VALUE}).")
  String update = "sum";

  @Option(names = "--data-groups", paramLabel = "split|whole",
      description = "How groups share the training data (default: ${DEFAULT-VALUE}).")
  String dataGroups = "split";

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Where checkpoints go (default: beside the model).")
  String checkpointDir;

  @Option(names = "--checkpoint-seconds", paramLabel = "S",
      description = "Cut a checkpoint every S seconds of training.")
  Long checkpointSeconds;

  @Option(names = "--resume", description = "Continue from the newest checkpoint.")
  boolean resume;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  public static void main(String[] args) {
    Cli.exit(new MnistExample(), args);
  }

  /** The job the options declare, not yet run. */
  HornJob job() throws UsageException {
    // A file-system URI (hdfs://...) goes to the job as it is: the job checks it, through
    // Hadoop's file systems, before it submits; a local path is checked here.
    boolean uri = data.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    boolean text = TextDatasetFormat.kindOf(data) != null;
    String train = data;
    if (!uri && !text) {
      Path dir = Paths.get(data);
      if (!Files.isDirectory(dir)) {
        throw new UsageException("--data: MNIST directory not found: " + dir
            + " (bin/fetch-mnist downloads it)");
      }
      train = dir.toString();
    }
    if (!(inputKeep > 0 && inputKeep <= 1)) {
      throw new UsageException("--input-keep is the probability of keeping an input, in (0, 1];"
          + " got " + inputKeep);
    }
    HornJob job = new HornJob(config.applyTo(HornConfiguration.withDefaults()),
        MnistExample.class);
    job.setTrainingSetPath(train);
    job.setTestSetPath(test != null ? test : text ? textTest(train) : defaultTest(train, uri));
    job.setModelPath(model);
    job.setEpochs(epochs);
    job.setBatchSize(batch);
    job.setLearningRate(learningRate);
    job.setMomentumWeight(momentum);
    job.setConvergenceCheckInterval(100);
    job.setWorkers(workers);
    job.setGroups(groups);
    job.setPushInterval(pushInterval);
    job.setStaleness(staleness);
    job.getConfiguration().set(HornOptions.PARAMSERVER_UPDATE, update);
    job.getConfiguration().set(HornOptions.DATA_GROUPS, dataGroups);
    job.setResume(resume);
    if (checkpointDir != null) {
      job.setCheckpointPath(checkpointDir);
    }
    if (checkpointSeconds != null) {
      job.setCheckpointInterval(checkpointSeconds);
    }
    job.inputLayer(784, inputKeep, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.addLayer(500, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    return job;
  }

  @Override
  public Integer call() throws Exception {
    HornJob job = job();
    long t0 = System.nanoTime();
    job.waitForCompletion(true);
    Model m = job.getModel();
    String dir = report != null ? report : "work/reports/mnist-" + java.time.LocalDateTime.now()
        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path html = io.horn.examples.report.TrainingReport.write(m, Paths.get(dir));
    System.out.printf("MNIST test accuracy: %.4f after %s epochs (%.1f s)%nmodel:  %s%n"
        + "report: %s%n", Double.parseDouble(m.metadata().get(MetadataKeys.TEST_ACCURACY)),
        m.metadata().get(MetadataKeys.TRAINED_EPOCHS), (System.nanoTime() - t0) / 1e9, model, html);
    return Cli.OK;
  }

  /**
   * The test set next to {@code train}: idx files hold both sets in one directory ({@code
   * #t10k}); {@code bin/horn convert-mnist} writes SequenceFiles to sibling {@code train} and
   * {@code test} directories.
   */
  /** The test file of a text training file: {@code train} replaced by {@code test} in its name. */
  private static String textTest(String train) throws UsageException {
    String location = TextFormat.location(train);
    int slash = location.lastIndexOf('/');
    String name = location.substring(slash + 1);
    if (!name.contains("train")) {
      throw new UsageException("give the test set with --test (no 'train' in the name of "
          + location + " to derive it from)");
    }
    return location.substring(0, slash + 1) + name.replace("train", "test")
        + train.substring(location.length());
  }

  private static String defaultTest(String train, boolean uri) {
    if (uri) {
      String t = train.replaceAll("/+$", "");
      return t.endsWith("/train") ? t.substring(0, t.length() - "train".length()) + "test"
          : t + "#t10k";
    }
    Path dir = Paths.get(train);
    Path sibling = dir.resolveSibling("test");
    return Files.exists(dir.resolve("t10k-images-idx3-ubyte"))
        || Files.exists(dir.resolve("t10k-images-idx3-ubyte.gz")) || !Files.isDirectory(sibling)
        ? dir + "#t10k" : sibling.toString();
  }
}
