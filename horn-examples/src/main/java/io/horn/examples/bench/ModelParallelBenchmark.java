package io.horn.examples.bench;

import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

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
 * <p>{@code bin/horn bench modelparallel [--hidden 2048] [--steps 60] [--peers 1,2,4]
 * [--fit 256m] [--data MNIST_DIR]}
 */
public final class ModelParallelBenchmark {
  private ModelParallelBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");
    int hidden = 2048;
    long steps = 60;
    String peers = "1,2,4";
    String fit = null;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        usage("option " + args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--hidden" -> hidden = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Long.parseLong(args[i + 1]);
        case "--peers" -> peers = args[i + 1];
        case "--fit" -> fit = args[i + 1];
        case "--data" -> data = Paths.get(args[i + 1]);
        default -> usage("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("modelparallel-bench");
    data = data.toAbsolutePath();
    try (LocalCluster c = LocalCluster.builder(work.resolve("cluster")).tasks(4)
        .childHeap(fit != null ? fit : "1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      HornConfiguration base = new HornConfiguration();
      for (Map.Entry<String, String> e : c.conf()) {
        base.set(e.getKey(), e.getValue());
      }
      if (fit != null) {
        try {
          run(base, data, work, hidden, steps, 1, "data");
          System.out.println("data-parallel: trained (the model fits a " + fit + " heap)");
        } catch (Exception e) {
          System.out.println("data-parallel with " + fit + " heaps: " + rootMessage(e));
        }
        run(base, data, work, hidden, steps, 4, "model");
        return;
      }
      for (String p : peers.split(",")) {
        run(base, data, work, hidden, steps, Integer.parseInt(p.trim()), "model");
      }
    }
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
    Matcher m = ClusterBenchmark.TIMING.matcher(meta.get("group.0.leader.timing"));
    if (!m.find()) {
      throw new IllegalStateException("unreadable timing " + meta.get("group.0.leader.timing"));
    }
    double compute = Double.parseDouble(m.group(1));
    double comm = Double.parseDouble(m.group(2));
    System.out.printf(Locale.ROOT, "RESULT bench=modelparallel parallelism=%s peers=%d params=%d "
        + "step_ms=%.1f compute_ms=%.1f comm_ms=%.1f accuracy=%s steps=%s%n", parallelism, peers,
        job.getNetworkSpec().parameterCount(), compute + comm, compute, comm,
        meta.get("test.accuracy"), meta.get("trained.steps"));
  }

  private static void usage(String why) {
    System.err.println("ModelParallelBenchmark: " + why);
    System.err.println("usage: bin/horn bench modelparallel [--hidden N] [--steps N] "
        + "[--peers 1,2,4] [--fit HEAP] [--data MNIST_DIR]");
    System.exit(2);
  }
}
