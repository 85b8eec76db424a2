package io.horn.bsp.cluster;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPMaster;
import org.apache.hama.bsp.JobStatus;
import org.apache.hama.ipc.HamaRPCProtocolVersion;
import org.apache.hama.ipc.JobSubmissionProtocol;
import org.apache.hama.ipc.RPC;

/**
 * The BSPMaster's view of its jobs, for the {@link TaskReaper}: one {@code getAllJobs()} call per
 * {@link #runStates()}, every call bounded in time.
 *
 * <p>This talks to the master through the same {@link JobSubmissionProtocol} that {@code
 * BSPJobClient} wraps, but with its own proxy, because {@code BSPJobClient}'s proxy has no RPC
 * timeout: a call to a frozen (SIGSTOPped) master or one behind a dead link would block the
 * reaper until the master resumes or TCP gives up, minutes later. Here every call fails after
 * {@code rpcTimeoutMs}, and connecting to a master that is down fails at once (no connect
 * retries), so that the reaper just tries again on its next round. The BSPMaster keeps every job
 * it ran since it started (Hama 0.7.1 never drops one from its job map), so a job id missing
 * from the answer belongs to an earlier master.
 *
 * <p>Not thread-safe: used by the reaper's one thread.
 */
final class MasterJobs implements TaskReaper.JobStates, AutoCloseable {

  private final Configuration conf;
  private final int rpcTimeoutMs;
  private JobSubmissionProtocol master;

  /**
   * @param conf the GroomServer's configuration ({@code bsp.master.address}); copied, not changed
   * @param rpcTimeoutMs how long one call may take before it fails
   */
  MasterJobs(Configuration conf, int rpcTimeoutMs) {
    this.conf = new HamaConfiguration(conf);
    // One attempt per round: the reaper's own loop is the retry, and a master that is down
    // must not hold the reaper for Hama's default 10 attempts a second apart.
    this.conf.setInt("ipc.client.connect.max.retries", 0);
    this.rpcTimeoutMs = rpcTimeoutMs;
  }

  /**
   * The run state ({@link JobStatus#RUNNING}, {@link JobStatus#KILLED}, ...) of every job the
   * master knows, by job id ({@code job_<jtId>_<job####>}).
   *
   * @throws IOException when the master does not answer within the RPC timeout (down, frozen,
   *     unreachable) or the call fails; the next call connects afresh
   */
  @Override
  public Map<String, Integer> runStates() throws IOException {
    try {
      if (master == null) {
        master = (JobSubmissionProtocol) RPC.getProxy(JobSubmissionProtocol.class,
            HamaRPCProtocolVersion.versionID, BSPMaster.getAddress(conf), conf, rpcTimeoutMs);
      }
      JobStatus[] all = master.getAllJobs();
      Map<String, Integer> out = new HashMap<>();
      if (all != null) {
        for (JobStatus s : all) {
          if (s != null && s.getJobID() != null) {
            out.put(s.getJobID().toString(), s.getRunState());
          }
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      // The proxy wraps some failures (an interrupted or refused call) in unchecked exceptions;
      // either way, start over with a fresh connection next time.
      close();
      throw e instanceof IOException ? (IOException) e
          : new IOException("asking the BSPMaster for its jobs failed", e);
    }
  }

  /** Whether {@code runState} is one a job ends in (succeeded, failed or killed). */
  static boolean isComplete(int runState) {
    return runState == JobStatus.SUCCEEDED || runState == JobStatus.FAILED
        || runState == JobStatus.KILLED;
  }

  /** A name for {@code runState} in log lines. */
  static String stateName(int runState) {
    switch (runState) {
      case JobStatus.RUNNING:
        return "RUNNING";
      case JobStatus.SUCCEEDED:
        return "SUCCEEDED";
      case JobStatus.FAILED:
        return "FAILED";
      case JobStatus.PREP:
        return "PREP";
      case JobStatus.KILLED:
        return "KILLED";
      case JobStatus.RECOVERING:
        return "RECOVERING";
      default:
        return "state " + runState;
    }
  }

  /** Drops the connection to the master (the next {@link #runStates()} opens a new one). */
  @Override
  public void close() {
    if (master != null) {
      try {
        RPC.stopProxy(master);
      } catch (RuntimeException e) {
        // a proxy that failed half-way: nothing more to release
      }
      master = null;
    }
  }
}
