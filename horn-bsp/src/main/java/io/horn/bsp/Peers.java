package io.horn.bsp;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.io.Text;
import org.apache.hama.bsp.BSPPeer;

/**
 * The few set-up messages peers exchange through Hama's own messaging ({@code kind|...} text),
 * before training switches to the group barriers and the parameter server.
 */
final class Peers {
  private final BSPPeer<?, ?, ?, ?, Text> peer;
  private final JobLayout layout;

  Peers(BSPPeer<?, ?, ?, ?, Text> peer, JobLayout layout) {
    this.peer = peer;
    this.layout = layout;
  }

  void toAll(String msg) throws IOException {
    for (String name : peer.getAllPeerNames()) {
      peer.send(name, new Text(msg));
    }
  }

  void toWorkers(String msg) throws IOException {
    for (int w = 0; w < layout.workers; w++) {
      peer.send(peer.getPeerName(w), new Text(msg));
    }
  }

  void toGroup(int group, String msg) throws IOException {
    for (int m = 0; m < layout.groupSize; m++) {
      peer.send(peer.getPeerName(group * layout.groupSize + m), new Text(msg));
    }
  }

  /**
   * This superstep's messages, each {@code kind|id|value}, as a map from {@code kind|id} to the
   * value.
   */
  Map<String, String> receive() throws IOException {
    Map<String, String> m = new HashMap<>();
    Text t;
    while ((t = peer.getCurrentMessage()) != null) {
      String s = t.toString();
      int second = s.indexOf('|', s.indexOf('|') + 1);
      if (second < 0) {
        throw new IOException("malformed set-up message '" + s + "'");
      }
      m.put(s.substring(0, second), s.substring(second + 1));
    }
    return m;
  }
}
