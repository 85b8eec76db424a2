package io.horn.examples.bench;

import io.horn.bsp.SubmitChecks;
import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.MetadataKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Model parallelism on the one-machine cluster (every task its own JVM with one BLAS thread,
 * members over TCP): MNIST on a wide MLP, {@code --hidden} units per hidden layer (2 layers),
 * the same steps for P = 1, 2 and 4 members of one model-parallel group; for each, the step
 * time split into compute and communication (the group's all-reduces), and the test accuracy.
 *
 * <p>{@code --fit HEAP}: the point of it — with task heaps of {@code HEAP}, the same model
 * data-parallel (one worker) is refused before it allocates, with the model size and the heap,
 * and model-parallel over 4 members trains.
 *
 * <p>{@code bin/horn bench model-parallel (or modelparallel) [--hidden 2048] [--steps 60] [--peers 1,2,4]
 * [--fit 256m] [--data DIR] [-D key=value]}
 */
@Command(name = "bin/horn bench model-parallel", sortOptions = false,
    description = "A wide MLP trained by one model-parallel group of 1, 2 and 4 members on the "
        + "one-machine cluster: step time split into compute and communication.")
public final class ModelParallelBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--hidden", paramLabel = "N",
      description = "Units per hidden layer, two layers (default: ${DEFAULT-VALUE}).")
  int hidden = 2048;

  @Option(names = "--steps", paramLabel = "N",
      description = "Training steps of each run (default: ${DEFAULT-VALUE}).")
  long steps = 60;

  @Option(names = "--peers", paramLabel = "P,...",
      description = "Group sizes to run (default: ${DEFAULT-VALUE}).")
  String peers = "1,2,4";

  @Option(names = "--fit", paramLabel = "HEAP", description = "Task heaps of HEAP (e.g. 256m): "
      + "the model data-parallel on one task, then model-parallel over 4.")
  String fit;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  ModelParallelBenchmark() {}

  public static void main(String[] args) {
    Cli.exit(new ModelParallelBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (fit != null && !fit.matches("[1-9][0-9]*[mMgG]")) {
      throw new UsageException("--fit takes a heap size such as 256m, not '" + fit + "'");
    }
    Path work = Files.createTempDirectory("modelparallel-bench");
    Path mnist = data.toAbsolutePath();
    try (LocalCluster c = LocalCluster.builder(work.resolve("cluster")).tasks(4)
        .childHeap(fit != null ? fit : "1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      HornConfiguration base = new HornConfiguration();
      for (Map.Entry<String, String> e : c.conf()) {
        base.set(e.getKey(), e.getValue());
      }
      base = config.applyTo(base);
      if (fit != null) {
        long t0 = System.nanoTime();
        String outcome;
        try {
          run(base, mnist, work, hidden, steps, 1, "data");
          outcome = "trained";
          System.out.println("data-parallel: trained (the model fits a " + fit + " heap)");
        } catch (Exception e) {
          outcome = "refused";
          System.out.println("data-parallel with " + fit + " heaps: " + rootMessage(e));
        }
        System.out.printf(Locale.ROOT, "RESULT bench=modelparallel parallelism=data peers=1 "
            + "heap=%s outcome=%s seconds=%.1f%n", fit, outcome, (System.nanoTime() - t0) / 1e9);
        // The refused job's task keeps its slot until the cluster reaps it.
        SubmitChecks.awaitSlots(c.conf(), 4, "the model-parallel run", 120_000);
        run(base, mnist, work, hidden, steps, 4, "model");
        return Cli.OK;
      }
      for (String p : peers.split(",")) {
        run(base, mnist, work, hidden, steps, Integer.parseInt(p.trim()), "model");
      }
    }
    return Cli.OK;
  }

  private static String rootMessage(Throwable e) {
    String m = String.valueOf(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("cannot hold")) {
        m = t.getMessage();
      }
    }
    return m;
  }

  private static void run(HornConfiguration base, Path data, Path work, int hidden, long steps,
      int peers, String parallelism) throws Exception {
    HornConfiguration conf = base.copy();
    conf.set(HornOptions.THREADS, 1);
    conf.set(HornOptions.CHECKPOINT_SECONDS, 0L);
    conf.set(HornOptions.PARALLELISM, parallelism);
    HornJob job = new HornJob(conf, ModelParallelBenchmark.class);
    job.setTrainingSetPath(data.toString());
    job.setTestSetPath(data + "#t10k");
    job.setModelPath(work.resolve(parallelism + peers + ".model").toString());
    job.setWorkers(peers);
    job.setGroups(1);
    job.setMaxIteration(steps);
    job.setBatchSize(128);
    job.setLearningRate(0.05);
    job.setMomentumWeight(0.9);
    job.inputLayer(784, ReLU.class, StandardNeuron.class);
    job.addLayer(hidden, ReLU.class, StandardNeuron.class);
    job.addLayer(hidden, ReLU.class, StandardNeuron.class);
    job.outputLayer(10, SoftMax.class, StandardNeuron.class);
    job.setCostFunction(CrossEntropy.class);
    if (!job.waitForCompletion(false)) {
      throw new IllegalStateException(parallelism + " x" + peers + " failed");
    }
    Map<String, String> meta = job.getModel().metadata();
    Matcher m = ClusterBenchmark.TIMING.matcher(meta.get(MetadataKeys.leaderTiming(0)));
    if (!m.find()) {
      throw new IllegalStateException(
          "unreadable timing " + meta.get(MetadataKeys.leaderTiming(0)));
    }
    double compute = Double.parseDouble(m.group(1));
    double comm = Double.parseDouble(m.group(2));
    System.out.printf(Locale.ROOT, "RESULT bench=modelparallel parallelism=%s peers=%d params=%d "
        + "step_ms=%.1f compute_ms=%.1f comm_ms=%.1f accuracy=%s steps=%s%n", parallelism, peers,
        job.getNetworkSpec().parameterCount(), compute + comm, compute, comm,
        meta.get(MetadataKeys.TEST_ACCURACY), meta.get(MetadataKeys.TRAINED_STEPS));
  }
}
