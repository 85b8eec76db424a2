package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.model.NetworkSpec;
import io.horn.paramserver.EncodedPushes;
import io.horn.paramserver.LocalServerClient;
import io.horn.paramserver.ParameterServerClient;
import io.horn.paramserver.RemoteServerClient;
import io.horn.paramserver.ShardPlan;
import io.horn.paramserver.ShardedServerClient;
import io.horn.paramserver.collective.Handshake;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A group leader's connection to the parameter server: one client per shard (in process in
 * local mode, TCP on a cluster), behind a {@link ShardedServerClient} when there are several,
 * and behind {@link EncodedPushes} when pushes are threshold-encoded.
 */
final class ServerClients {
  private ServerClients() {}

  /**
   * Connects {@code group}'s leader to every shard whose address is in {@code inbox};
   * {@code where} describes this worker for the error when an address is missing.
   */
  static ParameterServerClient connect(HornConfiguration conf, NetworkSpec spec,
      JobLayout layout, Peers.Inbox inbox, String token, Handshake handshake, int group,
      long timeout, Supplier<String> where) throws IOException {
    ShardPlan plan = ServerTask.plan(spec, layout);
    List<ParameterServerClient> clients = new ArrayList<>();
    try {
      for (int s = 0; s < plan.shards(); s++) {
        String address = inbox.serverAddress(s);
        if (address == null) {
          throw new IllegalStateException(where.get() + " got no address of parameter-server "
              + "shard " + s);
        }
        clients.add(address.equals("in-process")
            ? new LocalServerClient(InProcessEndpoints.get(token, InProcessEndpoints.Key.server(s)),
                group)
            : RemoteServerClient.connect(address, handshake, group, plan.size(s), timeout));
      }
    } catch (IOException | RuntimeException e) {
      clients.forEach(ParameterServerClient::close);
      throw e;
    }
    ParameterServerClient client = clients.size() == 1 ? clients.get(0)
        : new ShardedServerClient(plan, clients, group);
    return encoded(conf, client, plan.parameterCount());
  }

  /**
   * Connects member {@code shard} of a model-parallel {@code group} to its own shard, which
   * holds that member's slice ({@link ServerTask#plan(NetworkSpec, JobLayout)}).
   */
  static ParameterServerClient connectShard(HornConfiguration conf, NetworkSpec spec,
      JobLayout layout, Peers.Inbox inbox, String token, Handshake handshake, int group,
      int shard, long timeout, Supplier<String> where) throws IOException {
    ShardPlan plan = ServerTask.plan(spec, layout);
    String address = inbox.serverAddress(shard);
    if (address == null) {
      throw new IllegalStateException(where.get() + " got no address of parameter-server "
          + "shard " + shard);
    }
    ParameterServerClient client = address.equals("in-process")
        ? new LocalServerClient(InProcessEndpoints.get(token,
            InProcessEndpoints.Key.server(shard)), group)
        : RemoteServerClient.connect(address, handshake, group, plan.size(shard), timeout);
    return encoded(conf, client, plan.size(shard));
  }

  private static ParameterServerClient encoded(HornConfiguration conf,
      ParameterServerClient client, int size) {
    return conf.get(HornOptions.PUSH_ENCODING).equals("threshold")
        ? new EncodedPushes(client, size, conf.get(HornOptions.PUSH_THRESHOLD))
        : client;
  }
}
