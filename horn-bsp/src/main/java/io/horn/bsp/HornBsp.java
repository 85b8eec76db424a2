package io.horn.bsp;

import io.horn.bsp.checkpoint.CheckpointWriter;
import io.horn.bsp.io.SampleWritable;
import io.horn.core.checkpoint.Checkpoint;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.engine.LayerPaths;
import io.horn.core.engine.ProgressBoard;
import io.horn.core.math.MathBackends;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Initializer;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.NetworkSpec;
import io.horn.core.parallel.HeapBudget;
import io.horn.paramserver.ParameterServerClient;
import io.horn.paramserver.ServerEndpoint;
import io.horn.paramserver.collective.CollectiveOptions;
import io.horn.paramserver.collective.GroupCollective;
import io.horn.paramserver.collective.GroupRing;
import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.LocalGroup;
import io.horn.paramserver.collective.RingEndpoint;
import io.horn.paramserver.collective.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hama.bsp.BSP;
import org.apache.hama.bsp.BSPPeer;
import org.apache.hama.bsp.sync.SyncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BSP program of a Horn job. Peers {@code 0 .. workers-1} train in task groups; peer
 * {@code workers}, when enabled, is the parameter server. Two job-wide barriers set the job up
 * (sample counts and the members' ring addresses, then the server's address); after them no
 * peer waits for the whole job again until the end: groups meet only in their own collectives
 * (direct TCP between members, {@link RingEndpoint}) and at the server ({@link ServerEndpoint}).
 * In local mode both are replaced by in-process equivalents that give the same bits.
 */
public final class HornBsp extends BSP<LongWritable, SampleWritable, NullWritable, NullWritable,
    SetupMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(HornBsp.class);

  @Override
  public void bsp(
      BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, SetupMessage> peer)
      throws IOException, SyncException, InterruptedException {
    try {
      run(peer);
    } catch (IOException | SyncException | InterruptedException | RuntimeException | Error e) {
      fail(peer, e);
      throw e;
    }
  }

  /** Tasks (of any job in this JVM) that have told of their failure already. */
  private static final java.util.Set<String> FAILED = java.util.concurrent.ConcurrentHashMap
      .newKeySet();

  /**
   * Tells the submitter why this task fails, once, and as early as possible: before this task
   * closes its connections, whose closing makes other tasks fail with mere consequences ("the
   * leader was lost"), so that the earliest reason the submitter reads is the cause.
   */
  private static void fail(BSPPeer<?, ?, ?, ?, ?> peer, Throwable e) {
    String token = peer.getConfiguration().get(TaskFailures.TOKEN);
    if (!FAILED.add(token + "/" + peer.getPeerIndex())) {
      return;
    }
    LOG.error("task " + peer.getPeerIndex() + " failed: " + e, e);
    TaskFailures.record(token, e);
    if (token != null && !"local".equals(peer.getConfiguration().get("bsp.master.address",
        "local"))) {
      TaskFailures.publish(peer.getConfiguration(), token, peer.getPeerIndex(), e,
          whereIs(peer));
    }
  }

  private void run(
      BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, SetupMessage> peer)
      throws IOException, SyncException, InterruptedException {
    HornConfiguration conf = HamaConfs.toHorn(peer.getConfiguration());
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    NetworkSpec spec = NetworkSpec.parse(conf.get(HornOptions.NETWORK),
        loader != null ? loader : HornBsp.class.getClassLoader());
    TrainingSettings settings = TrainingSettings.from(conf);
    JobLayout layout = new JobLayout(conf);
    long timeout = conf.get(HornOptions.GROUP_TIMEOUT);
    // Waits between live tasks end on silence: every link beats at least every quarter of it.
    long heartbeat = Math.min(conf.get(HornOptions.HEARTBEAT_TIMEOUT), timeout);
    int index = peer.getPeerIndex();
    String host = Peers.rpcHost(peer);
    Peers peers = new Peers(peer, layout);
    String token = peer.getConfiguration().get(TaskFailures.TOKEN, "");
    boolean inProcess = "local".equals(peer.getConfiguration().get("bsp.master.address", "local"))
        && !peer.getConfiguration().getBoolean(InProcessEndpoints.FORCE_IPC, false);

    // A model-parallel leader reads it itself when it is about to slice it, and lets it go.
    Checkpoint resume = layout.modelParallel ? null : Checkpoints.resumeFrom(conf,
        peer.getConfiguration(), spec, layout,
        loader != null ? loader : HornBsp.class.getClassLoader());
    Handshake handshake = new Handshake(token);
    CollectiveOptions collectiveOptions = CollectiveOptions.of(timeout).withHeartbeat(heartbeat)
        .withFormat(WireFormat.parse(conf.get(HornOptions.COLLECTIVE_COMPRESSION)))
        .withSharedMemory(conf.get(HornOptions.COLLECTIVE_TRANSPORT).equals("auto"));

    // Superstep 0: workers load their data and announce its size and where they listen.
    ArrayDataset data = null;
    RingEndpoint ring = null;
    if (!layout.isServer(index)) {
      WorkerData.Loaded loaded = WorkerData.load(peer, conf, spec, layout, index);
      data = loaded.data;
      peers.toAll(SetupMessage.samples(index, data.size()));
      peers.toAll(SetupMessage.readStats(index, host, loaded.read.bytes,
          loaded.read.localBytes));
      int group = layout.groupOf(index);
      if (layout.groupSize > 1 && inProcess && layout.memberOf(index) == 0) {
        InProcessEndpoints.put(token, InProcessEndpoints.Key.group(group),
            // Threads of one JVM cannot freeze apart: no heartbeat, the group's deadline.
            new LocalGroup(group, layout.groupSize, collectiveOptions));
      } else if (layout.groupSize > 1 && !inProcess) {
        ring = RingEndpoint.open(host);
        peers.toGroup(group, SetupMessage.ringAddress(index, ring.address()));
      }
    }
    peer.sync();
    Peers.Inbox inbox = new Peers.Inbox();
    peers.receive(inbox);
    long total = 0;
    for (int w = 0; w < layout.workers; w++) {
      total += inbox.samples(w);
    }
    if (layout.modelParallel) {
      // Every member holds the whole set and they train on the same batches: one copy counts,
      // and every group holds the whole set: an epoch is one pass of the job over it.
      total /= layout.workers;
    } else if (conf.get(HornOptions.DATA_GROUPS).equals("whole")) {
      // Every group holds the whole set: an epoch is one pass of the job over it, not G.
      total /= layout.groups;
    }
    long budget = settings.stepBudget(total);
    // Only the server needs the initial vector here; workers make theirs (model-parallel
    // members only their slices) after checking that their heaps can hold it.
    float[] start = layout.isServer(index) && !layout.modelParallel
        ? Initializer.initialize(spec, settings.initialization, settings.seed) : null;

    // Superstep 1: the parameter server's shards start, knowing the job's step budget.
    ServerTask server = null;
    if (layout.isServer(index)) {
      server = ServerTask.start(conf, peer.getConfiguration(), spec, layout, index, budget, start,
          resume, host, handshake, heartbeat, inProcess, token);
      peers.toWorkers(SetupMessage.serverAddress(index, server.address()));
    }
    peer.sync();
    peers.receive(inbox);

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(MetadataKeys.RUNNER, "bsp");
    meta.putAll(LayerPaths.metadata(spec, settings));
    if (index == 0) {
      // Which path each layer runs, and why, in the first task's log (the same in every task).
      for (LayerPaths.Path p : LayerPaths.of(spec, settings)) {
        LOG.info("layer {}: {}", p.layer(), p.describe());
      }
    }
    meta.put(MetadataKeys.LAYOUT, layout.toString());
    meta.put(MetadataKeys.TRAINED_SAMPLES, Long.toString(total));
    meta.put(MetadataKeys.TRAINED_EPOCHS,
        settings.maxIterations > 0 ? "-" : Integer.toString(settings.epochs));
    // Where each task ran and whether it read its data from its own host.
    meta.putAll(inbox.readStats());
    if (layout.paramServer) {
      meta.put(MetadataKeys.PS_HOST, layout.isServer(index) ? host : inbox.serverAddress()
          .replaceAll(":[0-9]+$", ""));
    }
    if (resume != null) {
      meta.put(MetadataKeys.RESUMED_FROM, peer.getConfiguration().get(Checkpoints.RESUME_FROM));
      meta.put(MetadataKeys.RESUMED_AT_STEPS, Long.toString(resume.totalSteps()));
    }
    GroupWorker.Result result = null;
    if (layout.isServer(index)) {
      // A failure here leaves the endpoint open: the task tells the submitter why it fails
      // (bsp's catch) before its connections close and the groups report mere consequences.
      meta.putAll(server.awaitGroups(timeout));
      meta.put(MetadataKeys.TRAINED_STEPS, meta.get(MetadataKeys.PS_STEPS));
      if (server.shard() > 0) {
        peers.toPeer(layout.workers, SetupMessage.shardWeights(index, server.shard(),
            server.weights()));
      } else if (layout.shards == 1) {
        JobOutput.finish(conf, spec, settings, server.weights(), meta, peer.getConfiguration());
      }
    } else {
      GroupCollective collective = joinGroup(layout, index, ring, inbox, token, handshake,
          collectiveOptions);
      LOG.info("worker {} joined group {} as member {} ({}); training starts", index,
          layout.groupOf(index), layout.memberOf(index), collective instanceof GroupRing
              ? ((GroupRing) collective).transport() : "in process");
      try {
        result = layout.modelParallel
            ? ModelParallelWorker.run(spec, settings, conf, peer.getConfiguration(), layout,
                layout.groupOf(index), layout.memberOf(index), data, collective, budget, meta,
                layout.paramServer ? ModelParallelPushes.connect(conf, spec, layout, inbox, token,
                    handshake, layout.groupOf(index), layout.memberOf(index), heartbeat,
                    collective) : null)
            : train(peer, conf, spec, settings, layout, index, data, collective, inbox,
                layout.paramServer ? 0 : budget, budget, heartbeat, handshake, resume);
        if (result.stream != null && index == 0) {
          // The members hand their runs over the group while the leader writes: before close.
          record(result, meta);
          JobOutput.finish(conf, spec, settings, result.stream, meta, peer.getConfiguration());
          result.stream.drain();
        }
      } catch (IOException | RuntimeException e) {
        // The other members learn the real cause, not just that this one went away.
        collective.abort("worker " + index + " failed: " + e);
        throw e;
      } finally {
        collective.close();
      }
      if (!layout.paramServer && index == 0 && result.stream == null) {
        record(result, meta);
        JobOutput.finish(conf, spec, settings, result.weights, meta, peer.getConfiguration());
      }
    }
    // The last job-wide barrier: no server closes while a peer may still call it.
    peer.sync();
    if (!layout.isServer(index)) {
      InProcessEndpoints.remove(token, InProcessEndpoints.Key.group(layout.groupOf(index)));
    }
    if (server != null) {
      server.close(token);
      if (server.shard() == 0 && layout.shards > 1) {
        // Shard 0 writes the model from every shard's range, sent before the barrier.
        peers.receive(inbox);
        float[][] parts = new float[layout.shards][];
        for (int s = 1; s < layout.shards; s++) {
          parts[s] = inbox.shardWeights(s);
        }
        JobOutput.finish(conf, spec, settings, server.join(parts), meta,
            peer.getConfiguration());
      }
    }
  }

  /** A job without a parameter server: its one group's figures, from the leader's result. */
  private static void record(GroupWorker.Result result, Map<String, String> meta) {
    meta.put(MetadataKeys.groupSteps(0), Long.toString(result.steps));
    meta.put(MetadataKeys.TRAINED_STEPS, Long.toString(result.steps));
    meta.put(MetadataKeys.leaderTiming(0), result.timing);
    meta.put(MetadataKeys.history(0), result.history);
  }

  /** This task's attempt, host and log file, in words, for the submitter's error. */
  private static String whereIs(BSPPeer<?, ?, ?, ?, ?> peer) {
    String attempt = String.valueOf(peer.getTaskId());
    String host = peer.getPeerName();
    int colon = host.lastIndexOf(':');
    host = colon > 0 ? host.substring(0, colon) : host;
    String logs = System.getProperty("hama.log.dir");
    String job = String.valueOf(peer.getTaskId().getJobID());
    return attempt + " on " + host + ", log " + (logs != null ? logs : "<GroomServer log dir>")
        + "/tasklogs/" + job + "/" + attempt + ".log";
  }

  /** This worker's handle on its group's collectives. */
  private static GroupCollective joinGroup(JobLayout layout, int index, RingEndpoint ring,
      Peers.Inbox inbox, String token, Handshake handshake, CollectiveOptions options)
      throws IOException {
    int group = layout.groupOf(index);
    int member = layout.memberOf(index);
    if (layout.groupSize == 1) {
      return new LocalGroup(group, 1, options).member(0);
    }
    if (ring == null) {
      return InProcessEndpoints.get(token, InProcessEndpoints.Key.group(group)).member(member);
    }
    List<String> addresses = new ArrayList<>();
    for (int m = 0; m < layout.groupSize; m++) {
      int w = group * layout.groupSize + m;
      String a = inbox.ringAddress(w);
      if (a == null) {
        ring.close();
        throw new IOException("group " + group + ": worker " + w + " did not say where it "
            + "listens for its group's collectives");
      }
      addresses.add(a);
    }
    return ring.join(handshake, group, member, addresses, options);
  }

  /**
   * Where a leader's progress goes: the submitter's live board when it runs in this JVM (local
   * mode, when it shows one), files it reads on a cluster.
   */
  private static ProgressSink progressSink(BSPPeer<?, ?, ?, ?, ?> peer, int group) {
    String token = peer.getConfiguration().get(TaskFailures.TOKEN, "");
    if (!"local".equals(peer.getConfiguration().get("bsp.master.address", "local"))) {
      return token.isEmpty() ? null
          : ProgressFiles.writer(peer.getConfiguration(), token, group);
    }
    ProgressBoard board = InProcessEndpoints.find(token, InProcessEndpoints.Key.BOARD);
    return board == null ? null : ProgressSink.of(board);
  }

  private static GroupWorker.Result train(BSPPeer<?, ?, ?, ?, SetupMessage> peer,
      HornConfiguration conf,
      NetworkSpec spec, TrainingSettings settings, JobLayout layout, int index, Dataset data,
      GroupCollective collective, Peers.Inbox inbox, long localBudget,
      long totalBudget, long timeout, Handshake handshake, Checkpoint resume)
      throws IOException, InterruptedException {
    int group = layout.groupOf(index);
    int member = layout.memberOf(index);
    String token = peer.getConfiguration().get(TaskFailures.TOKEN, "");
    ParameterServerClient ps = null;
    int localBatch = settings.batchSize / layout.groupSize
        + (member < settings.batchSize % layout.groupSize ? 1 : 0);
    if (localBatch == 0) {
      throw new IllegalArgumentException(HornOptions.BATCH_SIZE.key() + "="
          + settings.batchSize + " is smaller than the group size " + layout.groupSize);
    }
    // The engine, the group's and the server's copies: fail now, clearly, if they cannot fit.
    HeapBudget.check(HeapBudget.bytes(spec, settings, spec.parameterCount(), localBatch,
        layout.paramServer ? 3 : 1), spec.parameterCount(), "worker " + index);
    float[] start = resume != null ? resume.model().parameters()
        : Initializer.initialize(spec, settings.initialization, settings.seed);
    if (layout.paramServer && member == 0) {
      ps = ServerClients.connect(conf, spec, layout, inbox, token, handshake, group, timeout,
          () -> "worker " + index + " (peer " + peer.getPeerName() + "); messages: " + inbox
              + ", peers " + java.util.Arrays.toString(peer.getAllPeerNames()));
      // The group starts from the server's weights; the leader broadcasts them to the members.
      ps.pull(start);
    }
    CheckpointWriter checkpoints = null;
    try (NetworkEngine engine = MathBackends.select(conf.get(HornOptions.MATH_BACKEND), spec,
        settings).createEngine(spec, settings, localBatch)) {
      GroupWorker w = new GroupWorker(group, member, index, settings, engine, data, localBatch,
          collective, conf.get(HornOptions.COLLECTIVE_OVERLAP), ps, layout.paramServer,
          layout.pushInterval, localBudget, JobLayout.delayOf(conf, group));
      if (resume != null) {
        w.resumeFrom(resume.group(layout.paramServer ? group : 0));
      } else if (group == 0 && member == 0) {
        w.failAt(conf.get(HornOptions.FAIL_STEP));
      }
      if (!layout.paramServer && index == 0 && Checkpoints.enabled(conf)) {
        if (layout.groups > 1) {
          LOG.warn("no checkpoints: {} groups without a parameter server train apart, and only "
              + "group 0's model is kept", layout.groups);
        } else {
          checkpoints = Checkpoints.writer(conf, peer.getConfiguration());
          w.checkpointTo(new LeaderCheckpoints(conf.get(HornOptions.CHECKPOINT_STEPS),
              1000 * conf.get(HornOptions.CHECKPOINT_SECONDS),
              resume == null ? 1 : resume.sequence() + 1, 0, spec,
              Checkpoints.metadata(conf, layout), checkpoints));
        }
      }
      if (member == 0) {
        String testPath = conf.get(HornOptions.TEST_PATH);
        ProgressSink board = progressSink(peer, group);
        // Evaluate once per pass over the group's data: its members' samples / group batch.
        long groupSamples = 0;
        for (int m = 0; m < layout.groupSize; m++) {
          groupSamples += inbox.samples(group * layout.groupSize + m);
        }
        if (board != null) {
          board.totalSteps(totalBudget);
        }
        GroupReporter reporter = new GroupReporter(group, board,
            testPath.isEmpty() ? null : Datasets.open(testPath, InputCheck.shape(spec)), spec,
            settings, (groupSamples + settings.batchSize - 1) / settings.batchSize);
        reporter.snapshotEvery(conf.get(HornOptions.SNAPSHOT_STEPS));
        w.reportTo(reporter);
      }
      GroupWorker.Result r = w.run(start);
      if (ps != null) {
        ps.done(r.steps, r.timing, r.history);
      }
      LOG.info("worker {} (group {}, member {}) finished after {} steps", index, group, member,
          r.steps);
      return r;
    } catch (IOException | RuntimeException e) {
      fail(peer, e);
      throw e;
    } finally {
      if (checkpoints != null) {
        checkpoints.close();
      }
      if (ps != null) {
        ps.close();
      }
    }
  }
}
