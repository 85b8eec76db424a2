package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cluster.LocalCluster;
import io.horn.core.HornJob;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.ModelFile;
import io.horn.core.model.ModelHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Real faults in the middle of a real job: on a one-machine Hama cluster (task JVMs are child
 * processes), MNIST 784-500-500-10 in two groups of two with a parameter server, a checkpoint
 * every few seconds; once a checkpoint past half the job's steps is written, one task JVM gets
 * {@code kill -9} (a group's leader, its other member, the parameter server) or {@code SIGSTOP}
 * (the parameter server). The job must notice, run again from its newest checkpoint by itself
 * and end at the accuracy of the run without a fault (first, in the same session).
 *
 * <p>Per case one line: {@code RESULT bench=faults fault=... detected_s=... recovered=yes|no
 * final_accuracy=... steps_lost=... job_s=... leftover_jvms=...}. {@code detected_s}: from the
 * fault until the cluster no longer runs the first attempt (Horn noticed and stopped it).
 * {@code steps_lost}: steps the first attempt ran past the checkpoint the second one resumed
 * from, estimated from the fault-free run's step rate and the checkpoint's time.
 *
 * <p>{@code bin/horn bench faults [--epochs 3] [--faults kill-leader,kill-member,kill-ps,stop-ps]
 * [--checkpoint-seconds 3] [--heartbeat-ms 10000] [--data D]}
 */
@Command(name = "bin/horn bench faults", sortOptions = false,
    description = "Faults on the one-machine cluster: a task killed or stopped half-way, the time to detect it "
        + "and whether the job recovers from its newest checkpoint.")
public final class FaultsBenchmark implements Callable<Integer> {
  @Option(names = "--data", paramLabel = "DIR", description = "MNIST idx directory (default: "
      + "<horn.home>/.cache/mnist).")
  Path data = Paths.get(System.getProperty("horn.home", "."), ".cache", "mnist");

  @Option(names = "--epochs", paramLabel = "N",
      description = "Epochs of each run (default: ${DEFAULT-VALUE}).")
  int epochs = 3;

  @Option(names = "--faults", paramLabel = "F,...", description = "Faults to inject, of "
      + "kill-leader, kill-member, kill-ps, stop-ps (default: ${DEFAULT-VALUE}).")
  String faults = "kill-leader,kill-member,kill-ps,stop-ps";

  @Option(names = "--checkpoint-seconds", paramLabel = "S",
      description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
  long checkpointSeconds = 3;

  @Option(names = "--heartbeat-ms", paramLabel = "MS",
      description = "Heartbeat timeout (default: ${DEFAULT-VALUE}).")
  long heartbeat = 10_000;

  @Mixin ConfigOptions config;
  @Mixin HelpOptions help;

  FaultsBenchmark() {}

  /** A fault: its name, the task it hits (peer index) and the signal. */
  private record Fault(String name, int task, String signal) {}

  private static final List<Fault> ALL = List.of(new Fault("kill-leader", 0, "KILL"),
      new Fault("kill-member", 1, "KILL"), new Fault("kill-ps", 4, "KILL"),
      new Fault("stop-ps", 4, "STOP"));

  public static void main(String[] args) {
    Cli.exit(new FaultsBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    List<Fault> chosen = new ArrayList<>();
    for (String f : faults.split(",")) {
      chosen.add(ALL.stream().filter(x -> x.name.equals(f.trim())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + f + "'; known: "
              + ALL.stream().map(Fault::name).collect(Collectors.joining(",")))));
    }
    Path workRoot = Files.createDirectories(Paths.get(System.getProperty("horn.home", "."),
        "work"));
    Path work = Files.createTempDirectory(workRoot, "faults-bench");
    try (LocalCluster cluster = LocalCluster.builder(work.resolve("cluster")).tasks(5)
        .childHeap("1g").environment("OPENBLAS_NUM_THREADS", "1").start()) {
      Runner runner = new Runner(cluster, data, work, epochs, checkpointSeconds, heartbeat,
          config.entries());
      Runner.Outcome base = runner.run(null);
      double rate = base.steps / base.trainSeconds;
      System.out.printf(Locale.ROOT, "RESULT bench=faults fault=none detected_s=- recovered=- "
          + "final_accuracy=%s steps_lost=0 job_s=%.1f leftover_jvms=%d%n", base.accuracy,
          base.seconds, base.leftover);
      for (Fault f : chosen) {
        Runner.Outcome o = runner.run(f);
        long lost = o.stepsLost(rate);
        System.out.printf(Locale.ROOT, "RESULT bench=faults fault=%s detected_s=%.1f "
            + "recovered=%s final_accuracy=%s steps_lost=%d job_s=%.1f leftover_jvms=%d%n",
            f.name, o.detectedSeconds, o.recovered ? "yes" : "no", o.accuracy, lost, o.seconds,
            o.leftover);
      }
    }
    return Cli.OK;
  }


  /** Runs the job on the cluster, with a fault half-way or without. */
  private static final class Runner {
    private final LocalCluster cluster;
    private final Path data;
    private final Path work;
    private final int epochs;
    private final long checkpointSeconds;
    private final long heartbeat;
    private final Map<String, String> extra;

    Runner(LocalCluster cluster, Path data, Path work, int epochs, long checkpointSeconds,
        long heartbeat, Map<String, String> extra) {
      this.cluster = cluster;
      this.data = data;
      this.work = work;
      this.epochs = epochs;
      this.checkpointSeconds = checkpointSeconds;
      this.heartbeat = heartbeat;
      this.extra = extra;
    }

    static final class Outcome {
      boolean recovered;
      String accuracy = "-";
      double seconds;
      double trainSeconds;
      long steps;
      double detectedSeconds = Double.NaN;
      long leftover;
      long faultMillis;
      long checkpointMillis;
      long checkpointSteps;
      long resumedAt;

      /** Steps of the first attempt past the checkpoint the second resumed from (estimate). */
      long stepsLost(double stepsPerSecond) {
        double atFault = checkpointSteps
            + stepsPerSecond * Math.max(0, faultMillis - checkpointMillis) / 1000.0;
        return Math.max(0, Math.round(atFault - resumedAt));
      }
    }

    Outcome run(Fault fault) throws Exception {
      String name = fault == null ? "none" : fault.name;
      HornConfiguration conf = new HornConfiguration();
      for (Map.Entry<String, String> e : cluster.conf()) {
        conf.set(e.getKey(), e.getValue());
      }
      conf.set(HornOptions.THREADS, 1);
      conf.set(HornOptions.CHECKPOINT_SECONDS, checkpointSeconds);
      conf.set(HornOptions.HEARTBEAT_TIMEOUT, heartbeat);
      extra.forEach(conf::set); // -D and --conf
      HornJob job = new HornJob(conf, FaultsBenchmark.class);
      job.setTrainingSetPath(data.toAbsolutePath().toString());
      job.setTestSetPath(data.toAbsolutePath() + "#t10k");
      Path model = work.resolve(name + ".model");
      job.setModelPath(model.toString());
      job.setWorkers(4);
      job.setGroups(2);
      job.setPushInterval(1);
      job.setEpochs(epochs);
      job.setBatchSize(128);
      job.setLearningRate(0.05);
      job.setMomentumWeight(0.9);
      job.inputLayer(784, ReLU.class, StandardNeuron.class);
      job.addLayer(500, ReLU.class, StandardNeuron.class);
      job.addLayer(500, ReLU.class, StandardNeuron.class);
      job.outputLayer(10, SoftMax.class, StandardNeuron.class);
      job.setCostFunction(CrossEntropy.class);
      long budget = (long) Math.ceil(60_000.0 / 128) * epochs;
      Path checkpoints = work.resolve(name + ".model.checkpoints");

      Outcome o = new Outcome();
      ExecutorService submitter = Executors.newSingleThreadExecutor();
      long t0 = System.currentTimeMillis();
      try {
        Future<Boolean> run = submitter.submit(() -> job.waitForCompletion(false));
        if (fault != null) {
          inject(fault, run, checkpoints, budget, o);
        }
        try {
          o.recovered = run.get(30, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
          System.out.println(name + ": the job failed: " + e.getCause().getMessage());
          o.recovered = false;
        }
        o.seconds = (System.currentTimeMillis() - t0) / 1000.0;
        if (o.recovered) {
          Map<String, String> meta = job.getModel().metadata();
          o.accuracy = meta.getOrDefault(MetadataKeys.TEST_ACCURACY, "-");
          o.steps = Long.parseLong(meta.getOrDefault(MetadataKeys.PS_STEPS, "0"));
          o.resumedAt = Long.parseLong(meta.getOrDefault(MetadataKeys.RESUMED_AT_STEPS, "0"));
          o.trainSeconds = slowestLeader(meta);
          System.out.println(name + ": " + meta.get(MetadataKeys.TRAINED_STEPS)
              + " steps, resumed from " + meta.getOrDefault(MetadataKeys.RESUMED_FROM, "nothing")
              + ", test accuracy " + o.accuracy);
        }
      } finally {
        submitter.shutdownNow();
      }
      o.leftover = awaitNoTasks(30_000);
      return o;
    }

    /** Waits for a checkpoint past half the steps, hits the task, times the detection. */
    private void inject(Fault fault, Future<Boolean> run, Path checkpoints, long budget,
        Outcome o) throws Exception {
      long deadline = System.currentTimeMillis() + 20 * 60_000;
      while (System.currentTimeMillis() < deadline && !run.isDone()) {
        Path newest = newest(checkpoints);
        if (newest != null) {
          ModelHeader h = ModelFile.readHeader(newest);
          long steps = Long.parseLong(h.metadata().get(MetadataKeys.CHECKPOINT_STEPS));
          if (steps * 2 >= budget) {
            o.checkpointSteps = steps;
            o.checkpointMillis = java.time.Instant
                .parse(h.metadata().get(MetadataKeys.CHECKPOINT_TIME)).toEpochMilli();
            break;
          }
        }
        Thread.sleep(200);
      }
      if (run.isDone()) {
        throw new IllegalStateException(fault.name + ": the job ended before the fault");
      }
      ProcessHandle victim = taskJvms().stream()
          .filter(h -> commandLine(h).contains(String.format("_%06d_0 ", fault.task)))
          .findFirst().orElseThrow(() -> new IllegalStateException("no JVM for task "
              + fault.task));
      String jobId = jobOf(commandLine(victim));
      new ProcessBuilder("kill", "-" + fault.signal, Long.toString(victim.pid())).inheritIO()
          .start().waitFor();
      o.faultMillis = System.currentTimeMillis();
      System.out.println(fault.name + ": sent SIG" + fault.signal + " to task " + fault.task
          + " (pid " + victim.pid() + ") of " + jobId + " at checkpoint step "
          + o.checkpointSteps + " of " + budget);
      while (running(jobId) && System.currentTimeMillis() - o.faultMillis < 10 * 60_000) {
        Thread.sleep(100);
      }
      o.detectedSeconds = (System.currentTimeMillis() - o.faultMillis) / 1000.0;
      if (fault.signal.equals("STOP")) {
        // The cluster's reaper kills a frozen task JVM of an ended job; count it if not.
        System.out.println(fault.name + ": the frozen JVM is "
            + (victim.isAlive() ? "still there" : "gone"));
      }
    }

    private boolean running(String jobId) throws IOException {
      BSPJobClient client = new BSPJobClient(new HamaConfiguration(cluster.conf()));
      try {
        for (JobStatus s : client.jobsToComplete()) {
          if (s.getJobID().toString().equals(jobId)) {
            return true;
          }
        }
        return false;
      } finally {
        client.close();
      }
    }

    /** Waits until this cluster runs no task JVM; returns how many are left after the wait. */
    private long awaitNoTasks(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (!taskJvms().isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      List<ProcessHandle> left = taskJvms();
      for (ProcessHandle h : left) {
        System.out.println("left behind: pid " + h.pid() + " " + jobOf(commandLine(h)));
        h.destroyForcibly();
      }
      return left.size();
    }

    /** This cluster's task JVMs: children of its GroomServer. */
    private List<ProcessHandle> taskJvms() {
      String mine = cluster.workDir().toString();
      return ProcessHandle.allProcesses()
          .filter(h -> {
            String c = commandLine(h);
            return c.contains("BSPPeerChild") && c.contains(mine);
          })
          .collect(Collectors.toList());
    }
  }

  private static Path newest(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches("checkpoint-\\d+\\.horn"))
          .max(Path::compareTo).orElse(null);
    }
  }

  /** The training time of the slowest group leader, from its timing line. */
  private static double slowestLeader(Map<String, String> meta) {
    double worst = 0;
    for (Map.Entry<String, String> e : meta.entrySet()) {
      if (e.getKey().endsWith(".leader.timing")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("steps in ([\\d.]+) s")
            .matcher(e.getValue());
        if (m.find()) {
          worst = Math.max(worst, Double.parseDouble(m.group(1)));
        }
      }
    }
    return worst;
  }

  private static String jobOf(String commandLine) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("attempt_(\\d+_\\d+)_")
        .matcher(commandLine);
    return m.find() ? "job_" + m.group(1) : "?";
  }

  /** The whole command line (ProcessHandle.Info gives up on a JVM's long class path). */
  private static String commandLine(ProcessHandle h) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
