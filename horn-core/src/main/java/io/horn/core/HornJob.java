package io.horn.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.conf.ConfigOption;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.UnknownKeys;
import io.horn.core.cost.CostFunction;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import io.horn.core.model.SizeLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Declares a training job, as in Apache Horn: the network, layer by layer, its cost function and
 * the training options; {@link #waitForCompletion} runs it.
 *
 * <pre>{@code
 * HornJob job = new HornJob(conf, MyJob.class);
 * job.setLearningRate(0.1);
 * job.inputLayer(784, ReLU.class, StandardNeuron.class);
 * job.addLayer(500, ReLU.class, StandardNeuron.class);
 * job.outputLayer(10, SoftMax.class, StandardNeuron.class);
 * job.setCostFunction(CrossEntropy.class);
 * job.setTrainingSetPath("/data/mnist");
 * job.waitForCompletion(true);
 * }</pre>
 *
 * <p>Every setter writes a typed option into the job's {@link HornConfiguration} and checks it
 * at once, naming the key when a value is bad. The layers travel in the configuration too
 * ({@code horn.network}), so a runner that ships the job to other processes needs nothing else.
 * Who runs it: the registered {@link JobRunner} that {@code horn.runner} names, or under {@code
 * auto} the one with the highest priority (the in-process trainer when horn-bsp is absent).
 *
 * <p>Not thread-safe: build and run a job on one thread.
 */
public class HornJob {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HornJob.class);
  private final HornConfiguration conf;
  private final Class<?> jobClass;
  private final List<LayerSpec> layers = new ArrayList<>();
  private Class<? extends CostFunction> cost = CrossEntropy.class;
  private boolean output;
  private Model model;

  /**
   * @param conf the job's settings; the job writes into it
   * @param jobClass a class of the user's job, used to find its jar and class loader
   */
  public HornJob(HornConfiguration conf, Class<?> jobClass) {
    this.conf = checkNotNull(conf, "conf");
    this.jobClass = checkNotNull(jobClass, "jobClass");
    String net = conf.get(HornOptions.NETWORK);
    if (!net.isEmpty()) {
      NetworkSpec spec = NetworkSpec.parse(net, jobClass.getClassLoader());
      layers.addAll(spec.layers());
      cost = spec.cost();
      output = true;
    }
  }

  public HornConfiguration getConfiguration() {
    return conf;
  }

  public Class<?> getJobClass() {
    return jobClass;
  }

  private <T> HornJob set(ConfigOption<T> option, T value) {
    conf.set(option, value);
    return this;
  }

  public HornJob setLearningRate(double rate) {
    return set(HornOptions.LEARNING_RATE, (float) rate);
  }

  public HornJob setMomentumWeight(double weight) {
    return set(HornOptions.MOMENTUM_WEIGHT, (float) weight);
  }

  public HornJob setRegularizationWeight(double weight) {
    return set(HornOptions.REGULARIZATION_WEIGHT, (float) weight);
  }

  public HornJob setBatchSize(int size) {
    return set(HornOptions.BATCH_SIZE, size);
  }

  /**
   * Upper bound on mini-batch steps (Apache Horn's iterations). As in Apache Horn, the steps then
   * bound the run alone: unless {@code horn.epochs} was set (here or in the configuration), it
   * becomes 0, no limit, rather than its default of 10 passes.
   */
  public HornJob setMaxIteration(long iterations) {
    if (!conf.isSet(HornOptions.EPOCHS)) {
      conf.set(HornOptions.EPOCHS, 0);
    }
    return set(HornOptions.MAX_ITERATIONS, iterations);
  }

  /** Passes over the training data. */
  public HornJob setEpochs(int epochs) {
    return set(HornOptions.EPOCHS, epochs);
  }

  public HornJob setConvergenceCheckInterval(int steps) {
    return set(HornOptions.CONVERGENCE_CHECK_INTERVAL, steps);
  }

  public HornJob setTrainingMethod(TrainingMethod method) {
    return set(HornOptions.TRAINING_METHOD, checkNotNull(method, "method"));
  }

  public HornJob setSeed(long seed) {
    return set(HornOptions.SEED, seed);
  }

  /** Training peers of a Hama job. */
  public HornJob setWorkers(int workers) {
    return set(HornOptions.WORKERS, workers);
  }

  /** Task groups; must divide the workers. */
  public HornJob setGroups(int groups) {
    return set(HornOptions.GROUPS, groups);
  }

  /** Group steps between pushes to the parameter server. */
  public HornJob setPushInterval(int steps) {
    return set(HornOptions.PUSH_INTERVAL, steps);
  }

  /**
   * How many pushes a group may run ahead of the slowest one: 0 lock-step, k bounded
   * staleness, -1 (the default) fully asynchronous ({@code horn.staleness}).
   */
  public HornJob setStaleness(int pushes) {
    return set(HornOptions.STALENESS, pushes);
  }

  /**
   * Whether the parameter server averages the groups' deltas (true: the effective learning
   * rate is the configured one) or sums them (false, the default: about G times it).
   */
  public HornJob setAverageUpdates(boolean average) {
    return set(HornOptions.PARAMSERVER_UPDATE, average ? "average" : "sum");
  }

  /**
   * How many parameter-server tasks share the weights ({@code horn.paramserver.shards}, 1 by
   * default): each holds a contiguous range, and groups push to and pull from all at once.
   */
  public HornJob setParameterServerShards(int shards) {
    return set(HornOptions.PARAMSERVER_SHARDS, shards);
  }

  public HornJob setTrainingSetPath(String path) {
    return set(HornOptions.TRAINING_PATH, checkNotNull(path, "path"));
  }

  public HornJob setTestSetPath(String path) {
    return set(HornOptions.TEST_PATH, checkNotNull(path, "path"));
  }

  /**
   * Continue from the newest checkpoint in {@code horn.checkpoint.dir} (by default beside the
   * model path) instead of starting afresh; a job without a checkpoint starts afresh and says so.
   */
  public HornJob setResume(boolean resume) {
    return set(HornOptions.RESUME, resume);
  }

  /** Where checkpoints go: a local directory or {@code hdfs://...}. */
  public HornJob setCheckpointPath(String dir) {
    return set(HornOptions.CHECKPOINT_DIR, checkNotNull(dir, "dir"));
  }

  /** Cut a checkpoint every {@code seconds} of training (0: none by time). */
  public HornJob setCheckpointInterval(long seconds) {
    return set(HornOptions.CHECKPOINT_SECONDS, seconds);
  }

  public HornJob setModelPath(String path) {
    return set(HornOptions.MODEL_PATH, checkNotNull(path, "path"));
  }

  /** The input layer, with a squashing function and neuron class for its {@code backward}. */
  public HornJob inputLayer(int size, Class<? extends ActivationFunction> function,
      Class<? extends Neuron> neuron) {
    return inputLayer(size, 1f, function, neuron);
  }

  /**
   * The input layer of standard neurons, each input kept with probability {@code
   * keepProbability} while training, as in Apache Horn ({@code inputLayer(784, 0.8f)} keeps 80%
   * of the inputs); 1 keeps them all.
   */
  public HornJob inputLayer(int size, float keepProbability) {
    return inputLayer(size, keepProbability, Identity.class, StandardNeuron.class);
  }

  /** The input layer, each input kept with probability {@code keepProbability} in training. */
  public HornJob inputLayer(int size, float keepProbability,
      Class<? extends ActivationFunction> function, Class<? extends Neuron> neuron) {
    checkState(layers.isEmpty(), "inputLayer() must come first, and only once");
    return layer(size, keepProbability, function, neuron);
  }

  /**
   * A hidden layer; a layer of {@link DropoutNeuron}s keeps each unit with probability {@link
   * DropoutNeuron#DEFAULT_KEEP_PROBABILITY} while training, any other keeps them all.
   */
  public HornJob addLayer(int size, Class<? extends ActivationFunction> function,
      Class<? extends Neuron> neuron) {
    return addLayer(size, defaultKeep(neuron), function, neuron);
  }

  /**
   * A hidden layer whose units are kept with probability {@code keepProbability} while training
   * (Apache Horn's meaning of the float; 1 keeps them all).
   */
  public HornJob addLayer(int size, float keepProbability,
      Class<? extends ActivationFunction> function, Class<? extends Neuron> neuron) {
    checkState(!layers.isEmpty(), "inputLayer() must come before addLayer()");
    checkState(!output, "addLayer() after outputLayer()");
    return layer(size, keepProbability, function, neuron);
  }

  public HornJob outputLayer(int size, Class<? extends ActivationFunction> function,
      Class<? extends Neuron> neuron) {
    checkState(!layers.isEmpty(), "inputLayer() must come before outputLayer()");
    checkState(!output, "outputLayer() was already called");
    layer(size, 1f, function, neuron);
    output = true;
    return writeNetwork();
  }

  public HornJob setCostFunction(Class<? extends CostFunction> function) {
    this.cost = checkNotNull(function, "cost function");
    return writeNetwork();
  }

  private static float defaultKeep(Class<? extends Neuron> neuron) {
    return neuron != null && DropoutNeuron.class.isAssignableFrom(neuron)
        ? DropoutNeuron.DEFAULT_KEEP_PROBABILITY : 1f;
  }

  /**
   * Adds a layer; the model stores the drop rate ({@link LayerSpec#dropRate}), the job's methods
   * take Apache Horn's keep probability.
   */
  private HornJob layer(int size, float keepProbability,
      Class<? extends ActivationFunction> function, Class<? extends Neuron> neuron) {
    checkArgument(size > 0, "layer %s: size must be positive, got %s", layers.size(), size);
    checkArgument(keepProbability > 0 && keepProbability <= 1,
        "layer %s: keep probability must be in (0, 1] (1 keeps every unit), got %s",
        layers.size(), (Float) keepProbability);
    // 1 - 0.8f is 0.19999999f; rounding in double keeps the stored rate the decimal one.
    float dropRate = keepProbability == 1f ? 0f
        : (float) (1.0 - Double.parseDouble(Float.toString(keepProbability)));
    layers.add(new LayerSpec(size, checkNotNull(function, "squashing function class"),
        checkNotNull(neuron, "neuron class"), dropRate));
    return writeNetwork();
  }

  private HornJob writeNetwork() {
    if (output && layers.size() >= 2) {
      conf.set(HornOptions.NETWORK, new NetworkSpec(layers, cost).toConfString());
    }
    return this;
  }

  /** The declared network; fails when it is incomplete. */
  public NetworkSpec getNetworkSpec() {
    checkState(layers.size() >= 2 && output,
        "the network is incomplete: declare inputLayer(), any addLayer(), then outputLayer()");
    return new NetworkSpec(layers, cost);
  }

  /** The trained model after an in-process run, or null. */
  public Model getModel() {
    return model;
  }

  /** Runners record the trained model here. */
  public void setModel(Model trained) {
    this.model = trained;
  }

  /**
   * Checks the job, runs it with the selected {@link JobRunner} and waits.
   *
   * @return true when training finished
   */
  public boolean waitForCompletion(boolean verbose) throws IOException, InterruptedException {
    NetworkSpec spec = getNetworkSpec();
    conf.validate();
    // Before any work: a batch too large for Java's arrays fails here, not in a task.
    SizeLimits.check(spec, conf.get(HornOptions.BATCH_SIZE));
    for (String warning : UnknownKeys.check(conf, java.util.Set.of())) {
      LOG.warn(warning);
    }
    return selectRunner().run(this, verbose);
  }

  private JobRunner selectRunner() {
    String want = conf.get(HornOptions.RUNNER).trim();
    List<JobRunner> runners = new ArrayList<>();
    ClassLoader cl = jobClass.getClassLoader() != null ? jobClass.getClassLoader()
        : HornJob.class.getClassLoader();
    ServiceLoader.load(JobRunner.class, cl).forEach(runners::add);
    runners.sort(Comparator.comparingInt(JobRunner::priority).reversed());
    List<String> names = new ArrayList<>();
    for (JobRunner r : runners) {
      if (want.equalsIgnoreCase("auto") || r.name().equalsIgnoreCase(want)) {
        return r;
      }
      names.add(r.name());
    }
    throw new IllegalArgumentException("unknown runner '" + want + "' for "
        + HornOptions.RUNNER.key() + "; registered: " + names + " or auto");
  }
}
