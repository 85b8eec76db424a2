package io.horn.bsp;

import io.horn.bsp.io.SampleWritable;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.engine.ProgressBoard;
import io.horn.core.math.MathBackends;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.NetworkSpec;
import io.horn.paramserver.ParameterServer;
import io.horn.paramserver.ParameterServerProtocol;
import io.horn.paramserver.RpcEndpoint;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.Text;
import org.apache.hama.bsp.BSP;
import org.apache.hama.bsp.BSPPeer;
import org.apache.hama.bsp.sync.SyncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BSP program of a Horn job. Peers {@code 0 .. workers-1} train in task groups; peer
 * {@code workers}, when enabled, is the parameter server. Two job-wide barriers set the job up
 * (sample counts, then the servers' addresses); after them no peer waits for the whole job again
 * until the end: groups meet only at their own region barrier and the server.
 */
public final class HornBsp extends BSP<LongWritable, SampleWritable, NullWritable, NullWritable,
    Text> {
  private static final Logger LOG = LoggerFactory.getLogger(HornBsp.class);

  @Override
  public void bsp(BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, Text> peer)
      throws IOException, SyncException, InterruptedException {
    try {
      run(peer);
    } catch (IOException | SyncException | InterruptedException | RuntimeException | Error e) {
      LOG.error("task " + peer.getPeerIndex() + " failed: " + e, e);
      TaskFailures.record(peer.getConfiguration().get(TaskFailures.TOKEN), e);
      throw e;
    }
  }

  private void run(BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, Text> peer)
      throws IOException, SyncException, InterruptedException {
    HornConfiguration conf = HamaConfs.toHorn(peer.getConfiguration());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    NetworkSpec spec = NetworkSpec.parse(conf.get(HornOptions.NETWORK),
        loader != null ? loader : HornBsp.class.getClassLoader());
    TrainingSettings settings = TrainingSettings.from(conf);
    JobLayout layout = new JobLayout(conf);
    long timeout = conf.get(HornOptions.GROUP_TIMEOUT);
    int index = peer.getPeerIndex();
    String host = rpcHost(peer);
    Peers peers = new Peers(peer, layout);
    String token = peer.getConfiguration().get(TaskFailures.TOKEN, "");
    boolean inProcess = "local".equals(peer.getConfiguration().get("bsp.master.address", "local"))
        && !peer.getConfiguration().getBoolean(InProcessEndpoints.FORCE_IPC, false);

    // Superstep 0: workers load their data and announce its size; leaders open their barrier.
    ArrayDataset data = null;
    GroupCoordinator coordinator = null;
    RpcEndpoint groupEndpoint = null;
    if (!layout.isServer(index)) {
      data = WorkerData.load(peer, conf, spec, layout, index);
      peers.toAll("count|" + index + "|" + data.size());
      if (layout.memberOf(index) == 0) {
        coordinator = new GroupCoordinator(layout.groupOf(index), layout.groupSize, timeout);
        if (layout.groupSize > 1) {
          String address = "in-process";
          if (inProcess) {
            InProcessEndpoints.put(token, "group" + layout.groupOf(index), coordinator);
          } else {
            groupEndpoint = new RpcEndpoint(coordinator, host, layout.groupSize + 1,
                peer.getConfiguration());
            address = groupEndpoint.address();
          }
          peers.toGroup(layout.groupOf(index),
              "leader|" + layout.groupOf(index) + "|" + address);
        }
      }
    }
    peer.sync();
    Map<String, String> inbox = peers.receive();
    long total = 0;
    for (int w = 0; w < layout.workers; w++) {
      total += Long.parseLong(inbox.getOrDefault("count|" + w, "0"));
    }
    long budget = settings.stepBudget(total);
    float[] start = Initializer.initialize(spec, settings.initialization, settings.seed);

    // Superstep 1: the parameter server starts, knowing the job's step budget.
    ParameterServer server = null;
    RpcEndpoint serverEndpoint = null;
    if (layout.isServer(index)) {
      server = new ParameterServer(start, layout.groups, budget);
      String address = "in-process";
      if (inProcess) {
        InProcessEndpoints.put(token, "ps", server);
      } else {
        serverEndpoint = new RpcEndpoint(server, host, layout.groups + 1, peer.getConfiguration());
        address = serverEndpoint.address();
      }
      peers.toWorkers("ps|0|" + address);
    }
    peer.sync();
    inbox.putAll(peers.receive());

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("runner", "bsp");
    meta.put("layout", layout.toString());
    meta.put("trained.samples", Long.toString(total));
    meta.put("trained.epochs", settings.maxIterations > 0 ? "-" : Integer.toString(settings.epochs));
    GroupWorker.Result result = null;
    if (layout.isServer(index)) {
      if (!server.awaitAllDone(timeout * 10)) {
        throw new IOException("parameter server: not every group finished within "
            + timeout * 10 + " ms");
      }
      meta.putAll(server.stats());
      meta.put("trained.steps", meta.get("ps.steps"));
      JobOutput.finish(conf, spec, settings, server.weights(), meta, peer.getConfiguration());
    } else {
      result = train(peer, conf, spec, settings, layout, index, data, coordinator, inbox,
          layout.paramServer ? 0 : budget, budget, timeout);
      if (!layout.paramServer && index == 0) {
        meta.put("group.0.steps", Long.toString(result.steps));
        meta.put("trained.steps", Long.toString(result.steps));
        meta.put("group.0.leader.timing", result.timing);
        meta.put("history.group.0", result.history);
        JobOutput.finish(conf, spec, settings, result.weights, meta, peer.getConfiguration());
      }
    }
    // The last job-wide barrier: no server closes while a peer may still call it.
    peer.sync();
    InProcessEndpoints.remove(token, "group" + (layout.isServer(index) ? -1
        : layout.groupOf(index)));
    InProcessEndpoints.remove(token, "ps");
    if (groupEndpoint != null) {
      groupEndpoint.close();
    }
    if (serverEndpoint != null) {
      serverEndpoint.close();
    }
  }

  /** The submitter's live board when it runs in this JVM (local mode), else null. */
  private static Object inProcessBoard(BSPPeer<?, ?, ?, ?, ?> peer) {
    if (!"local".equals(peer.getConfiguration().get("bsp.master.address", "local"))) {
      return null;
    }
    return InProcessEndpoints.find(peer.getConfiguration().get(TaskFailures.TOKEN, ""), "board");
  }

  /**
   * Where this peer serves its barrier or the parameter server: {@code horn.rpc.host} when set,
   * the loopback address in local mode (peer names there are not host names), else the host of
   * the peer's own name, which other tasks already reach.
   */
  private static String rpcHost(BSPPeer<?, ?, ?, ?, ?> peer) {
    String set = peer.getConfiguration().get("horn.rpc.host");
    if (set != null && !set.isEmpty()) {
      return set;
    }
    if ("local".equals(peer.getConfiguration().get("bsp.master.address", "local"))) {
      return "127.0.0.1";
    }
    String name = peer.getPeerName();
    int colon = name.lastIndexOf(':');
    return colon > 0 ? name.substring(0, colon) : name;
  }

  private static GroupWorker.Result train(BSPPeer<?, ?, ?, ?, Text> peer, HornConfiguration conf,
      NetworkSpec spec, TrainingSettings settings, JobLayout layout, int index, Dataset data,
      GroupCoordinator coordinator, Map<String, String> inbox, long localBudget,
      long totalBudget, long timeout)
      throws IOException, InterruptedException {
    int group = layout.groupOf(index);
    int member = layout.memberOf(index);
    GroupProtocol barrier = coordinator;
    String token = peer.getConfiguration().get(TaskFailures.TOKEN, "");
    if (barrier == null) {
      String address = inbox.get("leader|" + group);
      barrier = address.equals("in-process")
          ? (GroupProtocol) InProcessEndpoints.get(token, "group" + group)
          : RpcEndpoint.proxy(GroupProtocol.class, GroupProtocol.VERSION, address,
              peer.getConfiguration());
    }
    ParameterServerProtocol ps = null;
    float[] start;
    if (layout.paramServer) {
      String address = inbox.get("ps|0");
      if (address == null) {
        throw new IllegalStateException("worker " + index + " (peer " + peer.getPeerName()
            + ") got no parameter-server address; messages: " + inbox.keySet() + ", peers "
            + java.util.Arrays.toString(peer.getAllPeerNames()));
      }
      ps = address.equals("in-process")
          ? (ParameterServerProtocol) InProcessEndpoints.get(token, "ps")
          : RpcEndpoint.proxy(ParameterServerProtocol.class, ParameterServerProtocol.VERSION,
              address, peer.getConfiguration());
      start = ps.pull(group).values();
    } else {
      start = Initializer.initialize(spec, settings.initialization, settings.seed);
    }
    int localBatch = settings.batchSize / layout.groupSize
        + (member < settings.batchSize % layout.groupSize ? 1 : 0);
    if (localBatch == 0) {
      throw new IllegalArgumentException(HornOptions.BATCH_SIZE.key() + "="
          + settings.batchSize + " is smaller than the group size " + layout.groupSize);
    }
    try (NetworkEngine engine = MathBackends.select(conf.get(HornOptions.MATH_BACKEND), spec,
        settings).createEngine(spec, settings, localBatch)) {
      GroupWorker w = new GroupWorker(group, member, index, settings, engine, data, localBatch,
          barrier, coordinator, coordinator != null ? ps : null, layout.paramServer,
          layout.pushInterval,
          localBudget, JobLayout.delayOf(conf, group));
      if (member == 0) {
        String testPath = conf.get(HornOptions.TEST_PATH);
        Object board = inProcessBoard(peer);
        // Evaluate once per pass over the group's data: its members' samples / group batch.
        long groupSamples = 0;
        for (int m = 0; m < layout.groupSize; m++) {
          groupSamples += Long.parseLong(inbox.getOrDefault("count|"
              + (group * layout.groupSize + m), "0"));
        }
        if (board != null) {
          ((ProgressBoard) board).setTotalSteps(totalBudget);
        }
        w.reportTo(new GroupReporter(group, (ProgressBoard) board,
            testPath.isEmpty() ? null : Datasets.open(testPath), spec, settings,
            (groupSamples + settings.batchSize - 1) / settings.batchSize));
      }
      GroupWorker.Result r;
      try {
        r = w.run(start);
      } catch (IOException | RuntimeException e) {
        if (coordinator != null) {
          coordinator.abort("group " + group + "'s leader failed: " + e.getMessage());
        }
        throw e;
      }
      if (ps != null && coordinator != null) {
        ps.done(group, r.steps, r.timing, r.history);
      }
      LOG.info("worker {} (group {}, member {}) finished after {} steps", index, group, member,
          r.steps);
      return r;
    } finally {
      if (coordinator == null) {
        RpcEndpoint.closeProxy(barrier);
      }
      RpcEndpoint.closeProxy(ps);
    }
  }
}
