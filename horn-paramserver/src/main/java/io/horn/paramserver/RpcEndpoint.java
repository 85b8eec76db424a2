package io.horn.paramserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.hadoop.conf.Configuration;
import org.apache.hama.ipc.RPC;
import org.apache.hama.ipc.Server;
import org.apache.hama.ipc.VersionedProtocol;

/**
 * Serves one protocol object over Hama's IPC on an ephemeral port, and makes proxies to such
 * servers. Shared by the parameter server and the task groups' coordinators.
 */
public final class RpcEndpoint implements AutoCloseable {
  private final Server server;
  private final InetSocketAddress address;

  /**
   * Starts serving {@code instance} on {@code host} (an ephemeral port) with {@code handlers}
   * handler threads: a handler is held for as long as a blocking call waits, so give at least
   * one per concurrent caller.
   */
  public RpcEndpoint(Object instance, String host, int handlers, Configuration conf)
      throws IOException {
    server = RPC.getServer(instance, host, 0, handlers, false, conf);
    server.start();
    address = server.getListenerAddress();
  }

  /** {@code host:port} to hand to clients. */
  public String address() {
    return address.getHostName() + ":" + address.getPort();
  }

  /** A proxy to a server at {@code hostPort}; close it with {@link #closeProxy}. */
  @SuppressWarnings("unchecked")
  public static <T extends VersionedProtocol> T proxy(Class<T> protocol, long version,
      String hostPort, Configuration conf) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IOException("bad server address '" + hostPort + "' (want host:port)");
    }
    InetSocketAddress addr = new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
    return (T) RPC.getProxy(protocol, version, addr, conf);
  }

  public static void closeProxy(Object proxy) {
    if (proxy instanceof VersionedProtocol
        && java.lang.reflect.Proxy.isProxyClass(proxy.getClass())) {
      RPC.stopProxy((VersionedProtocol) proxy);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
