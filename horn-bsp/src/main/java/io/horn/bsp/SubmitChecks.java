package io.horn.bsp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJobClient;
import org.apache.hama.bsp.ClusterStatus;

/**
 * Checks and fixes a job's settings on the submitting side before it goes to a real Hama
 * cluster, where a mistake would otherwise show up late and obscurely inside the tasks.
 *
 * <p>Stateless and thread-safe; {@link #checkSlots(HamaConfiguration, int, String)} asks the
 * BSPMaster over RPC.
 */
public final class SubmitChecks {
  /**
   * A URI scheme: two letters at least, so that a Windows drive ({@code C:}) is not taken for
   * one. The same rule as {@code SequenceFileDatasetFormat}'s, which decides what is local.
   */
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

  private SubmitChecks() {}

  /**
   * Fails unless the cluster has {@code needed} free task slots. Hama 0.7.1's client does not
   * fail a job that asks for more tasks than are free: it logs a warning and runs the job with
   * fewer tasks, which a Horn job (its groups and parameter server laid out over exactly {@code
   * needed} peers) cannot survive.
   *
   * @param needed the job's tasks (workers, plus one for the parameter server), positive
   * @param max the cluster's task slots ({@link ClusterStatus#getMaxTasks()}), not negative
   * @param busy the slots running other jobs' tasks ({@link ClusterStatus#getTasks()})
   * @param layout how the tasks divide, for the message, e.g. {@code 2 groups x 2 workers + 1
   *     parameter server}
   * @throws IllegalArgumentException when the cluster is too small, or too busy, for the job
   */
  public static void checkSlots(int needed, int max, int busy, String layout) {
    checkArgument(needed > 0, "needed task slots must be positive, got %s", needed);
    checkArgument(max >= 0 && busy >= 0, "slot counts must not be negative: max %s, busy %s",
        max, busy);
    checkNotNull(layout, "layout");
    String job = "the job needs " + needed + " task slots (" + layout + ")";
    if (needed > max) {
      throw new IllegalArgumentException(job + ", the cluster has " + max
          + " (bsp.tasks.maximum per GroomServer x grooms); lower horn.workers or add"
          + " GroomServers");
    }
    int free = Math.max(0, max - busy);
    if (needed > free) {
      throw new IllegalArgumentException(job + ", but only " + free + " of the cluster's " + max
          + " are free (" + busy + " run other jobs' tasks, and Hama would run this job with"
          + " fewer tasks than it needs); wait for those jobs to end, or lower horn.workers");
    }
  }

  /**
   * {@link #checkSlots(HamaConfiguration, int, String)} until it passes or {@code millis} have
   * gone by: a job that just failed keeps its tasks' slots until the cluster reaps them, so the
   * next job (or attempt) waits for them rather than fail.
   *
   * @throws IllegalArgumentException as {@link #checkSlots(int, int, int, String)}, once the
   *     wait is over
   */
  public static void awaitSlots(HamaConfiguration conf, int needed, String layoutDescription,
      long millis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      try {
        checkSlots(conf, needed, layoutDescription);
        return;
      } catch (IllegalArgumentException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  /**
   * {@link #checkSlots(int, int, int, String)} with the slot counts of the cluster that {@code
   * bsp.master.address} names, as Hama's client will read them at submission (the detailed
   * cluster status). Does nothing in local mode ({@code bsp.master.address} unset or {@code
   * local}), where peers are threads and need no slots.
   *
   * <p>Call it after the master is known to be reachable: Hama's RPC client retries an
   * unreachable one for minutes. Another job may still take slots between this check and the
   * submission; the check catches the common mistakes, not that race.
   *
   * @throws IOException when the BSPMaster cannot be asked
   * @throws IllegalArgumentException as {@link #checkSlots(int, int, int, String)}
   */
  public static void checkSlots(HamaConfiguration conf, int needed, String layoutDescription)
      throws IOException {
    checkNotNull(conf, "conf");
    checkNotNull(layoutDescription, "layoutDescription");
    String master = conf.get("bsp.master.address");
    if (master == null || master.trim().equals("local")) {
      return;
    }
    BSPJobClient client = new BSPJobClient(conf);
    ClusterStatus status;
    try {
      status = client.getClusterStatus(true);
    } finally {
      client.close();
    }
    if (status == null) {
      throw new IOException("the BSPMaster at " + master + " (bsp.master.address) returned no"
          + " cluster status; check its log");
    }
    checkSlots(needed, status.getMaxTasks(), status.getTasks(), layoutDescription);
  }

  /**
   * A local path made absolute against this JVM's working directory, for a job whose tasks run
   * in other JVMs with other working directories (a cluster's task JVMs start in their own task
   * directories, where a relative path names nothing).
   *
   * <ul>
   *   <li>a path with a scheme ({@code hdfs://nn/data}, {@code file:/data}) is returned as it is;
   *   <li>the MNIST-style {@code dir#prefix} form keeps its {@code #prefix}: {@code
   *       mnist#t10k} becomes {@code /work/dir/mnist#t10k};
   *   <li>the {@code images,labels} pair form has each of its two paths made absolute, unless
   *       the whole string names an existing file;
   *   <li>an empty path (meaning "none") is returned as it is.
   * </ul>
   *
   * <p>The path is not normalised ({@code ..} stays), so that it names exactly what it named
   * here.
   *
   * @param path the path as the user gave it
   * @param what what the path is, for the message, e.g. {@code training data}
   * @throws IllegalArgumentException when the path is not one this platform can name
   */
  public static String absolute(String path, String what) {
    checkNotNull(what, "what");
    checkNotNull(path, "the %s path", what);
    if (path.trim().isEmpty() || SCHEME.matcher(path).matches()) {
      return path;
    }
    try {
      String[] pair = path.split(",", -1);
      if (pair.length == 2 && !pair[0].trim().isEmpty() && !pair[1].trim().isEmpty()
          && !Paths.get(path).toFile().exists()) {
        return absolute(pair[0].trim(), what) + "," + absolute(pair[1].trim(), what);
      }
      // '#' is an ordinary file-name character here, so "dir#prefix" keeps its suffix.
      return Paths.get(path).toAbsolutePath().toString();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("the " + what + " path '" + path + "' is not a valid"
          + " local path (" + e.getReason() + "); give a local path, or a URI such as"
          + " hdfs://namenode/path", e);
    }
  }

  /**
   * {@link #absolute} for a path the job writes through Hadoop's file systems (the model, the
   * checkpoint directory), with {@code file:} in front of a path that had no scheme. A cluster's
   * tasks resolve a path without a scheme against {@code fs.defaultFS}, which is HDFS on a
   * cluster started with {@code --hdfs}: the model the user asked for as {@code
   * work/model.bin} would land in HDFS as {@code /<cwd>/work/model.bin}, while every message
   * (and the user) looks for it on the local disk. A path with a scheme, and an empty path, are
   * returned as they are.
   *
   * @throws IllegalArgumentException when the path is not one this platform can name
   */
  public static String localFile(String path, String what) {
    String abs = absolute(path, what);
    return abs.isEmpty() || SCHEME.matcher(abs).matches() ? abs : "file:" + abs;
  }
}
