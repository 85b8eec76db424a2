package io.horn.core.conf;

import static io.horn.core.conf.ConfigOption.booleanOption;
import static io.horn.core.conf.ConfigOption.enumOption;
import static io.horn.core.conf.ConfigOption.floatOption;
import static io.horn.core.conf.ConfigOption.intOption;
import static io.horn.core.conf.ConfigOption.longOption;
import static io.horn.core.conf.ConfigOption.stringOption;

import com.google.common.collect.ImmutableList;
import io.horn.core.TrainingMethod;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Every option horn-core reads, in one place, so that the configuration reference is generated
 * from it and cannot drift.
 */
public final class HornOptions {
  /** The longest wait an option may ask for: far beyond any job, far from overflowing ns. */
  private static final long MAX_WAIT_MS = 30L * 24 * 3600 * 1000;

  private HornOptions() {}

  public static final ConfigOption<String> NETWORK = stringOption("horn.network", "",
      "The network's layers and cost function, as written by HornJob "
          + "(size,activation,neuron,dropRate;...|cost). Set through HornJob's layer methods.",
      s -> true, "a network spec");

  public static final ConfigOption<Float> LEARNING_RATE = floatOption("horn.learning.rate", 0.1f,
      "Step size of the optimizer.", v -> v > 0, "> 0");

  public static final ConfigOption<Float> MOMENTUM_WEIGHT = floatOption("horn.momentum.weight",
      0.9f, "Momentum of gradient descent: the weight of the previous step's change.",
      v -> v >= 0 && v < 1, "in [0, 1)");

  public static final ConfigOption<Float> REGULARIZATION_WEIGHT = floatOption(
      "horn.regularization.weight", 0f,
      "L2 weight decay: lambda in lambda/2 * |w|^2, added to the cost. Biases are not decayed.",
      v -> v >= 0, ">= 0");

  public static final ConfigOption<TrainingMethod> TRAINING_METHOD = enumOption(
      "horn.training.method", TrainingMethod.class, TrainingMethod.GRADIENT_DESCENT,
      "The optimizer of built-in neurons: GRADIENT_DESCENT (with momentum) or ADAM.");

  public static final ConfigOption<Float> ADAM_BETA1 = floatOption("horn.adam.beta1", 0.9f,
      "Adam: decay rate of the first moment.", v -> v >= 0 && v < 1, "in [0, 1)");

  public static final ConfigOption<Float> ADAM_BETA2 = floatOption("horn.adam.beta2", 0.999f,
      "Adam: decay rate of the second moment.", v -> v >= 0 && v < 1, "in [0, 1)");

  public static final ConfigOption<Float> ADAM_EPSILON = floatOption("horn.adam.epsilon", 1e-8f,
      "Adam: added to the root of the second moment.", v -> v > 0, "> 0");

  public static final ConfigOption<Integer> BATCH_SIZE = intOption("horn.batch.size", 128,
      "Samples per mini-batch step (per task group in distributed training).",
      v -> v > 0 && v <= 1 << 20, "in [1, 1048576]");

  public static final ConfigOption<Integer> EPOCHS = intOption("horn.epochs", 10,
      "Passes over the training data; 0 means no limit (then set horn.max.iterations).",
      v -> v >= 0, ">= 0");

  public static final ConfigOption<Long> MAX_ITERATIONS = longOption("horn.max.iterations", 0L,
      "Upper bound on mini-batch steps; 0 means no limit (then horn.epochs bounds the run).",
      v -> v >= 0, ">= 0");

  public static final ConfigOption<Integer> CONVERGENCE_CHECK_INTERVAL = intOption(
      "horn.convergence.check.interval", 100,
      "Steps between reports of the mean training cost (and convergence checks).",
      v -> v > 0, "> 0");

  public static final ConfigOption<Float> CONVERGENCE_THRESHOLD = floatOption(
      "horn.convergence.threshold", 0f,
      "Stop when the mean training cost over a check interval falls below this; 0 disables.",
      v -> v >= 0, ">= 0");

  public static final ConfigOption<Long> SEED = longOption("horn.seed", 42L,
      "Seed of initialisation, shuffling and dropout: a run is reproducible bit for bit on the "
          + "same backend and thread count.", v -> true, "any long");

  public static final ConfigOption<String> INITIALIZATION = stringOption("horn.init", "auto",
      "Weight initialisation: xavier (Glorot & Bengio 2010), he (He et al. 2015), or auto "
          + "(he below ReLU layers, xavier elsewhere).",
      v -> v.equals("auto") || v.equals("xavier") || v.equals("he"), "one of auto xavier he");

  public static final ConfigOption<Boolean> SHUFFLE = booleanOption("horn.shuffle", true,
      "Shuffle the training data at every epoch.");

  public static final ConfigOption<Integer> THREADS = intOption("horn.threads",
      Runtime.getRuntime().availableProcessors(),
      "Threads a CPU engine splits each step over: its products, element-wise work, update and "
          + "user-written neurons (default: the cores).",
      v -> v > 0 && v <= 4096, "in [1, 4096]");

  public static final ConfigOption<Boolean> FAST_PATH = booleanOption("horn.neuron.fastpath",
      true, "Run built-in neurons as whole-layer matrix operations. false runs them through the "
          + "per-neuron path (same results, far slower; for testing).");

  public static final ConfigOption<Boolean> WIDEN = booleanOption("horn.neuron.widen", true,
      "Run user-written neurons many samples per call when their bytecode allows it (same "
          + "results as one sample at a time; the job log and 'horn info' say which layers do and"
          + " why others do not). false keeps every user neuron on the per-neuron path.");

  public static final ConfigOption<String> MATH_BACKEND = stringOption("horn.math.backend",
      "auto", "Math backend: auto (the best usable one), cpu, or another registered backend "
          + "such as cuda.", v -> !v.isEmpty(), "a backend name");

  public static final ConfigOption<String> TRAINING_PATH = stringOption("horn.training.path", "",
      "Training data: a path any registered dataset format accepts.", v -> true, "a path");

  public static final ConfigOption<String> TEST_PATH = stringOption("horn.test.path", "",
      "Held-out data evaluated after each epoch and at the end; empty for none.", v -> true,
      "a path");

  public static final ConfigOption<String> MODEL_PATH = stringOption("horn.model.path", "",
      "Where the trained model is written (atomically); empty for nowhere.", v -> true, "a path");

  public static final ConfigOption<String> RUNNER = stringOption("horn.runner", "auto",
      "Who runs HornJob.waitForCompletion: auto (the best registered runner), local "
          + "(horn-core's in-process trainer), or another registered runner such as bsp.",
      v -> !v.isEmpty(), "a runner name");

  public static final ConfigOption<Integer> WORKERS = intOption("horn.workers", 1,
      "Training peers of a Hama job (the parameter server is one more task).",
      v -> v > 0 && v <= 65536, "in [1, 65536]");

  public static final ConfigOption<Integer> GROUPS = intOption("horn.groups", 1,
      "Task groups: the workers split into this many groups of horn.workers / horn.groups peers,"
          + " synchronous inside a group, asynchronous between groups. Must divide horn.workers.",
      v -> v > 0, "> 0");

  public static final ConfigOption<Integer> PUSH_INTERVAL = intOption("horn.push.interval", 4,
      "Group steps between a group's pushes of its weight delta to the parameter server.",
      v -> v > 0, "> 0");

  public static final ConfigOption<String> PUSH_ENCODING = stringOption("horn.push.encoding",
      "dense", "How a group's pushes travel: dense (every value, 4 bytes each) or threshold "
          + "(only the values whose magnitude reached horn.push.threshold, each sent as "
          + "+/- the threshold in 4 bytes; the rest stays with the group as a residual and is "
          + "added to its next push; a push with more than 1/16 of its values over the "
          + "threshold goes dense).", v -> v.equals("dense") || v.equals("threshold"),
      "one of dense threshold");

  public static final ConfigOption<Float> PUSH_THRESHOLD = floatOption("horn.push.threshold",
      1e-3f, "The threshold of horn.push.encoding=threshold: the step each sent value stands "
          + "for.", v -> v > 0, "> 0");

  public static final ConfigOption<String> PARALLELISM = stringOption("horn.parallelism", "data",
      "How a task group shares the work: data (every member holds the whole model and trains "
          + "on its part of each mini-batch; the group sums the gradients) or model (every "
          + "member holds 1/P of every layer's neurons and their optimizer state, and all "
          + "members train on the whole mini-batch, exchanging each layer's outputs and errors; "
          + "for models that one task's heap cannot hold). With several model-parallel groups "
          + "the parameter server has one shard per member.",
      v -> v.equals("data") || v.equals("model"),
      "one of data model");

  public static final ConfigOption<String> PARAMSERVER = stringOption("horn.paramserver", "auto",
      "Run a parameter-server task: on, off, or auto (on when horn.groups > 1).",
      v -> v.equals("auto") || v.equals("on") || v.equals("off"), "one of auto on off");

  public static final ConfigOption<Integer> STALENESS = intOption("horn.staleness", -1,
      "How many pushes a group may be ahead of the slowest unfinished group (stale synchronous "
          + "parallel): 0 makes the groups advance in lock-step, k > 0 lets the fastest run k "
          + "pushes ahead (its push waits for the slow group), -1 sets no bound (fully "
          + "asynchronous).", v -> v >= -1, ">= -1");

  public static final ConfigOption<Integer> PARAMSERVER_SHARDS = intOption(
      "horn.paramserver.shards", 1, "How many parameter-server tasks share the parameter "
          + "vector: each owns a contiguous range (balanced by size, cut at layer edges where "
          + "one is near), and a group pushes to and pulls from all of them at once.",
      v -> v >= 1, ">= 1");

  public static final ConfigOption<String> PARAMSERVER_UPDATE = stringOption(
      "horn.paramserver.update", "sum", "How the parameter server combines the groups' deltas: "
          + "sum (each delta is added: with G groups the weights move about G times as far as "
          + "one group would move them, an effective learning rate of G x horn.learning.rate) or "
          + "average (each delta is scaled by 1/G: the effective rate is the configured one).",
      v -> v.equals("sum") || v.equals("average"), "one of sum average");

  public static final ConfigOption<Long> GROUP_TIMEOUT = longOption("horn.group.timeout.ms",
      600_000L, "The deadline of every wait between a job's tasks: a group member for its "
          + "neighbours in the group's collectives, a leader for the parameter server. Past it "
          + "the group fails, naming the member or server it waited for.",
      v -> v > 0 && v <= MAX_WAIT_MS, "> 0 and <= 30 days");

  public static final ConfigOption<Long> HEARTBEAT_TIMEOUT = longOption(
      "horn.heartbeat.timeout.ms", 30_000L, "How soon a dead or frozen task is noticed: group "
          + "members and the parameter server's clients hear from each other at least every "
          + "quarter of it while they wait, and a silence this long fails the wait, naming the "
          + "task. Must not exceed horn.group.timeout.ms.", v -> v >= 100 && v <= MAX_WAIT_MS,
      ">= 100 and <= 30 days");

  public static final ConfigOption<String> CHECKPOINT_DIR = stringOption("horn.checkpoint.dir",
      "", "Where checkpoints go (a local directory or hdfs://...); empty means <model path>"
          + ".checkpoints, or no checkpoints when the job has no model path.", v -> true, "a path");

  public static final ConfigOption<Long> CHECKPOINT_STEPS = longOption(
      "horn.checkpoint.interval.steps", 0L, "Cut a checkpoint every this many steps of all "
          + "groups together (0: by time only).", v -> v >= 0, ">= 0");

  public static final ConfigOption<Long> CHECKPOINT_SECONDS = longOption(
      "horn.checkpoint.interval.seconds", 600L, "Cut a checkpoint every this many seconds of "
          + "training (0: by steps only; both 0: no checkpoints).", v -> v >= 0, ">= 0");

  public static final ConfigOption<Integer> CHECKPOINT_KEEP = intOption("horn.checkpoint.keep",
      3, "How many of the newest checkpoints to keep; older ones are deleted once a newer one "
          + "is safely written.", v -> v > 0, "> 0");

  public static final ConfigOption<Boolean> RESUME = booleanOption("horn.resume", false,
      "Continue from the newest checkpoint in horn.checkpoint.dir (HornJob.setResume, "
          + "--resume); without one, the job starts afresh and says so.");

  public static final ConfigOption<Integer> JOB_MAX_ATTEMPTS = intOption(
      "horn.job.max.attempts", 4, "How many times a job is run before its failure is final: "
          + "when a task dies, the job is submitted again and resumes from its newest "
          + "checkpoint (from the start when there is none). Errors that would repeat (bad "
          + "input, a diverged model) are not retried.", v -> v > 0, "> 0");

  public static final ConfigOption<String> DATA_GROUPS = stringOption("horn.data.groups",
      "split", "How task groups share the training data: split (every worker trains on its own "
          + "share, so a group sees only its members' shares) or whole (every group trains on "
          + "the whole set, its members dividing it, each group in its own shuffled order; with "
          + "a parameter server a fast group then does not over-train one part of the data).",
      v -> v.equals("split") || v.equals("whole"), "one of split whole");

  public static final ConfigOption<String> DATA_SLICES = stringOption("horn.data.slices",
      "contiguous", "How workers divide a dataset read as a whole (idx files; SequenceFile input "
          + "goes by Hama's input splits): contiguous ranges, or interleaved (worker w of W takes "
          + "samples w, w+W, w+2W, ...), which spreads sorted data evenly over the workers.",
      v -> v.equals("contiguous") || v.equals("interleaved"), "one of contiguous interleaved");

  public static final ConfigOption<String> COLLECTIVE_COMPRESSION = stringOption(
      "horn.collective.compression", "none",
      "How a group's gradient sums travel between its members: none (fp32), bf16 or fp16 "
          + "(half the bytes; sums still accumulate in fp32, every member gets the same bits). "
          + "Weights always travel in fp32.",
      v -> v.equals("none") || v.equals("bf16") || v.equals("fp16"), "one of none bf16 fp16");

  public static final ConfigOption<String> COLLECTIVE_TRANSPORT = stringOption(
      "horn.collective.transport", "auto",
      "How group members exchange: auto (shared memory between members on the same host, TCP "
          + "between hosts) or tcp (always TCP).",
      v -> v.equals("auto") || v.equals("tcp"), "one of auto tcp");

  public static final ConfigOption<Boolean> COLLECTIVE_OVERLAP = booleanOption(
      "horn.collective.overlap", true,
      "Sum each layer's gradients across the group as soon as backward has produced it, while "
          + "the layers below are still being computed.");

  public static final ConfigOption<String> RPC_HOST = stringOption("horn.rpc.host", "",
      "The address a task's group barrier and parameter server bind to and advertise to the "
          + "other tasks; empty: the host of the task's peer name (the loopback address in "
          + "Hama's local mode). Set it on hosts with several networks.",
      v -> true, "a host name or address");

  // Internal keys: test hooks and what the runners set for their tasks. Listed apart in the
  // reference (ConfigReference) and never reported as unknown (UnknownKeys).

  public static final ConfigOption<String> GROUP_DELAY = stringOption("horn.test.group.delay.ms",
      "", "Test hook: extra milliseconds per step for some groups, as group:ms[,group:ms...].",
      v -> v.isEmpty() || v.matches("\\d+:\\d+(,\\d+:\\d+)*"), "group:ms pairs").internal();

  public static final ConfigOption<Long> SNAPSHOT_STEPS = longOption(
      "horn.test.snapshot.interval.steps", 0L, "Test hook: group leaders copy their weights "
          + "every this many steps and evaluate the copies on horn.test.path after training, "
          + "into the group's history (0: never); benchmarks measure time to an accuracy so.",
      v -> v >= 0, ">= 0").internal();

  public static final ConfigOption<Long> FAIL_STEP = longOption("horn.test.fail.step", 0L,
      "Test hook: group 0's leader fails once, at this step of a job's first attempt (0: never).",
      v -> v >= 0, ">= 0").internal();

  public static final ConfigOption<Boolean> LOCAL_IPC = booleanOption("horn.bsp.local.ipc",
      false, "Test hook: peers of a local-mode job call each other through Hama's IPC, as "
          + "across JVMs, instead of by reference.").internal();

  public static final ConfigOption<String> JOB_TOKEN = stringOption("horn.job.token", "",
      "Set by the Hama runner: the identity of a job's attempt between submitter and tasks.",
      v -> true, "set by the runner").internal();

  public static final ConfigOption<String> BSP_INPUT = stringOption("horn.bsp.input", "",
      "Set by the Hama runner: whether workers read Hama input splits or slice the data.",
      v -> true, "set by the runner").internal();

  public static final ConfigOption<String> BSP_SPLITS = stringOption("horn.bsp.splits", "",
      "Set by the Hama runner: the number of input splits to make.", v -> true,
      "set by the runner").internal();

  public static final ConfigOption<String> BSP_SPLIT_COPIES = stringOption(
      "horn.bsp.split.copies", "", "Set by the Hama runner: how many times each split is read "
          + "(once per group when every group trains on the whole data).", v -> true,
      "set by the runner").internal();

  public static final ConfigOption<String> BSP_TEXT_PATH = stringOption("horn.bsp.text.path",
      "", "Set by the Hama runner: the CSV or LibSVM training input and its options, for the "
          + "tasks' readers.", v -> true, "set by the runner").internal();

  public static final ConfigOption<String> BSP_TEXT_FEATURES = stringOption(
      "horn.bsp.text.features", "", "Set by the Hama runner: the input layer's size, which each "
          + "line of CSV or LibSVM input must match.", v -> true, "set by the runner").internal();

  public static final ConfigOption<String> BSP_TEXT_CLASSES = stringOption(
      "horn.bsp.text.classes", "", "Set by the Hama runner: the output layer's size, the number "
          + "of classes of CSV or LibSVM labels.", v -> true, "set by the runner").internal();

  public static final ConfigOption<String> RESUME_FROM = stringOption("horn.resume.from", "",
      "Set by the Hama runner: the checkpoint a resubmitted job's tasks start from.", v -> true,
      "set by the runner").internal();

  /** All options declared here, in declaration order. */
  public static ImmutableList<ConfigOption<?>> all() {
    ImmutableList.Builder<ConfigOption<?>> b = ImmutableList.builder();
    for (Field f : HornOptions.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
        try {
          b.add((ConfigOption<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return b.build();
  }
}
