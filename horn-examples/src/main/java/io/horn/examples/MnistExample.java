package io.horn.examples;

import io.horn.bsp.io.TextDatasetFormat;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.data.text.TextFormat;
import io.horn.core.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Trains 784-500-500-10 (ReLU, SoftMax + CrossEntropy) on MNIST, evaluates on the 10k test set
 * after every epoch and writes the model.
 *
 * <p>{@code bin/horn example mnist [--data DIR] [--epochs 10] [--batch-size 128]
 * [--learning-rate 0.05] [--model PATH]}
 *
 * <p>{@code --data} and {@code --test} take any training data path (docs/data-formats.md): an
 * idx directory, SequenceFiles, or CSV and LibSVM files such as {@code train.csv} or {@code
 * train.libsvm#label-base=1}. For a text file without {@code --test}, the file of the same name
 * with {@code train} replaced by {@code test} is the test set.
 */
public final class MnistExample {
  private static final String USAGE = "usage: bin/horn example mnist [--data DIR] [--epochs N]"
      + " [--batch-size N] [--learning-rate F] [--momentum F] [--workers N] [--groups G]"
      + " [--push-interval N] [--staleness K] [--update sum|average] [--data-groups split|whole]"
      + " [--test PATH] [--model PATH] [--report DIR] [--checkpoint-dir DIR]"
      + " [--checkpoint-seconds S] [--resume] [--verbose]";

  private static final java.util.Set<String> VALUED = java.util.Set.of("--data", "--model",
      "--test", "--report", "--epochs", "--batch-size", "--learning-rate", "--momentum",
      "--workers", "--groups", "--push-interval", "--checkpoint-dir", "--checkpoint-seconds",
      "--staleness", "--update", "--data-groups");

  private MnistExample() {}

  public static void main(String[] args) {
    String data = ".cache/mnist";
    String model = "work/mnist-model.bin";
    String test = null;
    String report = "work/reports/mnist-" + java.time.LocalDateTime.now().format(
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    int epochs = 10;
    int batch = 128;
    double lr = 0.05;
    double momentum = 0.9;
    boolean verbose = false;
    boolean resume = false;
    String checkpointDir = null;
    long checkpointSeconds = -1;
    // Two task groups of two peers and a parameter server; bin/horn knows this default too (it
    // gives each worker its share of the cores).
    int workers = 4;
    int groups = 2;
    int pushInterval = 1;
    int staleness = -1;
    String update = "sum";
    String dataGroups = "split";
    boolean parsed = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println(USAGE);
          return;
        } else if (a.equals("--verbose")) {
          verbose = true;
          continue;
        } else if (a.equals("--resume")) {
          resume = true;
          continue;
        }
        if (!VALUED.contains(a)) {
          throw new IllegalArgumentException("unknown option " + a);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--data": data = v; break;
          case "--model": model = v; break;
          case "--test": test = v; break;
          case "--report": report = v; break;
          case "--epochs": epochs = Integer.parseInt(v); break;
          case "--batch-size": batch = Integer.parseInt(v); break;
          case "--learning-rate": lr = Double.parseDouble(v); break;
          case "--momentum": momentum = Double.parseDouble(v); break;
          case "--workers": workers = Integer.parseInt(v); break;
          case "--groups": groups = Integer.parseInt(v); break;
          case "--push-interval": pushInterval = Integer.parseInt(v); break;
          case "--staleness": staleness = Integer.parseInt(v); break;
          case "--update": update = v; break;
          case "--data-groups": dataGroups = v; break;
          case "--checkpoint-dir": checkpointDir = v; break;
          case "--checkpoint-seconds": checkpointSeconds = Long.parseLong(v); break;
          default: throw new IllegalArgumentException("unknown option " + a);
        }
      }
      parsed = true;
      // A file-system URI (hdfs://...) goes to the job as it is: the job checks it, through
      // Hadoop's file systems, before it submits; a local path is checked here.
      boolean uri = data.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
      boolean text = TextDatasetFormat.kindOf(data) != null;
      if (!uri && !text) {
        Path dir = Paths.get(data);
        if (!Files.isDirectory(dir)) {
          throw new IllegalArgumentException("MNIST directory not found: " + dir
              + " (bin/fetch-mnist downloads it)");
        }
        data = dir.toString();
      }
      if (test == null) {
        test = text ? textTest(data) : defaultTest(data, uri);
      }
      HornJob job = new HornJob(HornConfiguration.withDefaults(), MnistExample.class);
      job.setTrainingSetPath(data);
      job.setTestSetPath(test);
      job.setModelPath(model);
      job.setEpochs(epochs);
      job.setBatchSize(batch);
      job.setLearningRate(lr);
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
      if (checkpointSeconds >= 0) {
        job.setCheckpointInterval(checkpointSeconds);
      }
      job.inputLayer(784, ReLU.class, StandardNeuron.class);
      job.addLayer(500, ReLU.class, StandardNeuron.class);
      job.addLayer(500, ReLU.class, StandardNeuron.class);
      job.outputLayer(10, SoftMax.class, StandardNeuron.class);
      job.setCostFunction(CrossEntropy.class);
      long t0 = System.nanoTime();
      job.waitForCompletion(true);
      Model m = job.getModel();
      Path html = io.horn.examples.report.TrainingReport.write(m, Paths.get(report));
      System.out.printf("MNIST test accuracy: %.4f after %s epochs (%.1f s)%nmodel:  %s%n"
          + "report: %s%n", Double.parseDouble(m.metadata().get("test.accuracy")),
          m.metadata().get("trained.epochs"), (System.nanoTime() - t0) / 1e9, model, html);
    } catch (Exception e) {
      System.err.println("horn: " + e.getMessage());
      if (verbose) {
        e.printStackTrace();
      } else if (!parsed) {
        System.err.println(USAGE); // only a wrong command line earns the usage text
      }
      System.exit(e instanceof IllegalArgumentException ? 2 : 1);
    }
  }

  /** The test file of a text training file: {@code train} replaced by {@code test} in its name. */
  private static String textTest(String train) {
    String location = TextFormat.location(train);
    int slash = location.lastIndexOf('/');
    String name = location.substring(slash + 1);
    if (!name.contains("train")) {
      throw new IllegalArgumentException("give the test set with --test (no 'train' in the name "
          + "of " + location + " to derive it from)");
    }
    return location.substring(0, slash + 1) + name.replace("train", "test")
        + train.substring(location.length());
  }

  /**
   * The test set next to {@code train}: idx files hold both sets in one directory ({@code
   * #t10k}); {@code bin/horn convert-mnist} writes SequenceFiles to sibling {@code train} and
   * {@code test} directories.
   */
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
