package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a member listens before its group's ring exists. Set-up is in two phases because the
 * members learn each other's addresses only through the job (Hama's messages): every member
 * first {@link #open}s an endpoint and publishes {@link #address()}, then, with every member's
 * address in hand, calls {@link #join}: connect to the right neighbour, accept the left one,
 * and authenticate both ways ({@link Handshake}). Connections that do not prove the job's secret
 * or claim to be someone else are refused and the wait goes on; the endpoint closes once joined.
 *
 * <p>Confined to one thread.
 */
public final class RingEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RingEndpoint.class);

  private final ServerSocketChannel server;
  private final String host;

  private RingEndpoint(ServerSocketChannel server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Listens on an ephemeral port of {@code host} (an address other members can reach). */
  public static RingEndpoint open(String host) throws IOException {
    checkNotNull(host, "host");
    ServerSocketChannel s = ServerSocketChannel.open();
    try {
      s.bind(new InetSocketAddress(host, 0), 16);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot listen on " + host + " for the group's collectives: "
          + e.getMessage(), e);
    }
    return new RingEndpoint(s, host);
  }

  /** {@code host:port} for the other members. */
  public String address() throws IOException {
    return host + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /**
   * Connects this member into its group's ring and closes the endpoint.
   *
   * @param addresses every member's {@link #address()}, in rank order
   */
  public GroupRing join(Handshake handshake, int group, int rank, List<String> addresses,
      CollectiveOptions options) throws IOException {
    int size = addresses.size();
    checkArgument(rank >= 0 && rank < size, "rank %s outside a group of %s", rank, size);
    if (size == 1) {
      close();
      return new GroupRing(group, options);
    }
    int right = (rank + 1) % size;
    int left = (rank - 1 + size) % size;
    String rightName = right + " at " + addresses.get(right);
    String leftName = left + " at " + addresses.get(left);
    Handshake.Identity me = new Handshake.Identity(Handshake.RING, group, rank);
    Handshake.Identity expected = new Handshake.Identity(Handshake.RING, group, left);
    Watchdog watchdog = new Watchdog("horn-collective-g" + group + "m" + rank + "-watchdog",
        options.timeoutMillis());
    SocketChannel toRight = null;
    SocketChannel fromLeft = null;
    try {
      toRight = SocketChannel.open();
      Watchdog.Guard rg = watchdog.guard(toRight);
      connect(toRight, addresses.get(right), rg, "member " + rightName);
      handshake.hello(toRight, me, rg);
      Watchdog.Guard ag = watchdog.guard(server);
      Handshake.Challenge challenge = null;
      while (true) {
        ag.begin();
        SocketChannel c;
        try {
          c = server.accept();
        } catch (IOException e) {
          throw new CollectiveException("group " + group + " member " + rank + ": member "
              + leftName + " did not connect within " + options.timeoutMillis() + " ms", e);
        } finally {
          ag.end();
        }
        Watchdog.Guard cg = watchdog.guard(c);
        try {
          Handshake.Challenge ch = handshake.challenge(c, cg);
          if (!ch.claim().equals(expected)) {
            throw new IOException("it claimed to be " + ch.claim() + ", expected " + expected);
          }
          if (challenge == null) {
            // Answer our right neighbour before checking the left one: the reverse order
            // would make every member wait for its left neighbour's proof, round the ring.
            handshake.prove(toRight, me, rg);
          }
          challenge = ch;
          handshake.verify(c, ch.claim(), ch.nonce(), cg);
          fromLeft = c;
          break;
        } catch (IOException e) {
          LOG.warn("group {} member {}: refused a connection from {}: {}", group, rank,
              Io.remote(c), e.getMessage());
          Watchdog.closeQuietly(c);
        }
      }
      handshake.confirmed(toRight, rg);
      for (SocketChannel ch : new SocketChannel[] {toRight, fromLeft}) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      Watchdog.Guard lg = watchdog.guard(fromLeft);
      ShmRing offered = SharedMemoryOffer.offer(fromLeft, options.sharedMemory(), lg);
      ShmRing outRing = SharedMemoryOffer.answer(toRight, rg);
      ShmRing inRing = SharedMemoryOffer.accepted(fromLeft, offered, lg);
      close();
      GroupRing ring = new GroupRing(group, rank, size, options, watchdog, toRight, rightName,
          fromLeft, leftName);
      ring.useSharedMemory(outRing, inRing);
      return ring;
    } catch (IOException | RuntimeException e) {
      Watchdog.closeQuietly(toRight);
      Watchdog.closeQuietly(fromLeft);
      watchdog.close();
      close();
      if (e instanceof CollectiveException) {
        throw e;
      }
      throw new CollectiveException("group " + group + " member " + rank
          + " could not join its ring: " + e.getMessage(), e);
    }
  }

  private static void connect(SocketChannel ch, String hostPort, Watchdog.Guard g, String who)
      throws IOException {
    int colon = hostPort.lastIndexOf(':');
    checkArgument(colon > 0, "bad address '%s' (want host:port)", hostPort);
    g.begin();
    try {
      ch.connect(new InetSocketAddress(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1))));
    } catch (IOException e) {
      throw new IOException("cannot connect to " + who + ": " + e.getMessage(), e);
    } finally {
      g.end();
    }
  }

  @Override
  public void close() {
    Watchdog.closeQuietly(server);
  }
}
