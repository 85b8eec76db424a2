package io.horn.bsp;

import io.horn.core.conf.HornOptions;
import io.horn.core.model.MetadataKeys;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hama.bsp.BSPPeer;

/**
 * The few set-up messages peers exchange through Hama's own messaging ({@link SetupMessage}),
 * before training switches to the groups' collectives and the parameter server's connections.
 */
final class Peers {
  private final BSPPeer<?, ?, ?, ?, SetupMessage> peer;
  private final JobLayout layout;

  Peers(BSPPeer<?, ?, ?, ?, SetupMessage> peer, JobLayout layout) {
    this.peer = peer;
    this.layout = layout;
  }

  void toAll(SetupMessage msg) throws IOException {
    for (String name : peer.getAllPeerNames()) {
      peer.send(name, msg);
    }
  }

  void toWorkers(SetupMessage msg) throws IOException {
    for (int w = 0; w < layout.workers; w++) {
      peer.send(peer.getPeerName(w), msg);
    }
  }

  void toPeer(int index, SetupMessage msg) throws IOException {
    peer.send(peer.getPeerName(index), msg);
  }

  void toGroup(int group, SetupMessage msg) throws IOException {
    for (int m = 0; m < layout.groupSize; m++) {
      peer.send(peer.getPeerName(group * layout.groupSize + m), msg);
    }
  }

  /** What has arrived so far, by kind and sender. */
  static final class Inbox {
    private final Map<Integer, Long> samples = new HashMap<>();
    private final Map<Integer, String> rings = new HashMap<>();
    private final Map<Integer, SetupMessage> reads = new HashMap<>();
    private final Map<Integer, String> servers = new HashMap<>();
    private final Map<Integer, float[]> shardWeights = new HashMap<>();

    /**
     * Per worker that said: {@code worker.<w>.host}, {@code worker.<w>.read.bytes} and {@code
     * worker.<w>.read.local.bytes} (for the model's metadata).
     */
    Map<String, String> readStats() {
      Map<String, String> out = new java.util.TreeMap<>();
      reads.forEach((w, m) -> {
        out.put(MetadataKeys.workerHost(w), m.address());
        out.put(MetadataKeys.workerReadBytes(w), Long.toString(m.count()));
        out.put(MetadataKeys.workerReadLocalBytes(w), Long.toString(m.local()));
      });
      return out;
    }

    /** Worker {@code w}'s sample count (0 if it did not say). */
    long samples(int w) {
      return samples.getOrDefault(w, 0L);
    }

    /** Where worker {@code w} listens for its group, or null. */
    String ringAddress(int w) {
      return rings.get(w);
    }

    /** Where the parameter server (its shard 0) listens, or null. */
    String serverAddress() {
      return servers.get(0);
    }

    /** Where parameter-server shard {@code s} listens, or null. */
    String serverAddress(int s) {
      return servers.get(s);
    }

    /** Shard {@code s}'s final weights, or null when it did not send them. */
    float[] shardWeights(int s) {
      return shardWeights.get(s);
    }

    @Override
    public String toString() {
      return "samples " + samples + ", rings " + rings + ", servers " + servers;
    }
  }

  /** Adds this superstep's messages to {@code inbox}. */
  void receive(Inbox inbox) throws IOException {
    SetupMessage m;
    while ((m = peer.getCurrentMessage()) != null) {
      switch (m.kind()) {
        case SAMPLES:
          inbox.samples.put(m.from(), m.count());
          break;
        case RING_ADDRESS:
          inbox.rings.put(m.from(), m.address());
          break;
        case READ_STATS:
          // Hama reuses message objects in local mode: keep a copy.
          inbox.reads.put(m.from(), SetupMessage.readStats(m.from(), m.address(), m.count(),
              m.local()));
          break;
        case SHARD_WEIGHTS:
          // The array is the message's own (a fresh one per message read, or the sender's).
          inbox.shardWeights.put((int) m.count(), m.weights());
          break;
        default:
          inbox.servers.put(m.from() - layout.workers, m.address());
      }
    }
  }

  /**
   * Where this peer serves its barrier or the parameter server: {@code horn.rpc.host} when set,
   * the loopback address in local mode (peer names there are not host names), else the host of
   * the peer's own name, which other tasks already reach.
   */
  static String rpcHost(BSPPeer<?, ?, ?, ?, ?> peer) {
    String set = peer.getConfiguration().get(HornOptions.RPC_HOST.key());
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
}
