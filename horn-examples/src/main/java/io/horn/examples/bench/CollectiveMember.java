package io.horn.examples.bench;

import io.horn.paramserver.collective.CollectiveOptions;
import io.horn.paramserver.collective.GroupRing;
import io.horn.paramserver.collective.Handshake;
import io.horn.paramserver.collective.RingEndpoint;
import io.horn.paramserver.collective.WireFormat;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * One member JVM of {@link CollectiveBenchmark}; the benchmark starts P of them and talks to
 * them over stdin and stdout. Lines for the parent start with {@code @}; everything else (logs,
 * stack traces) is only shown when the member fails.
 *
 * <p>Rendezvous: the member prints {@code @address host:port}, then reads the job's secret (one
 * line) and every member's address in rank order (one comma-separated line) from stdin. After
 * that, the end of stdin means the benchmark is gone, and the member halts.
 *
 * <ul>
 *   <li>{@code ring RANK P FLOATS FORMAT ROUNDS WARMUP}: joins a {@link GroupRing} (deadline
 *       60 s) and runs WARMUP, then ROUNDS all-reduces of FLOATS values; before each one a
 *       one-value all-reduce acts as a barrier, so that every member starts a timed round
 *       together and the time is the collective's, not the stragglers'. Prints {@code @ring rank=
 *       median_ns= min_ns=} after checking that the last round summed every member's values
 *       exactly (the values are small integers, exact in every wire format).
 *   <li>{@code link RANK 2 SIZES ROUNDS WARMUP}: the transport's best case, one direction: member
 *       0 streams SIZES[i] bytes from a direct buffer over a plain blocking socket channel
 *       (TCP_NODELAY, as the ring's) into member 1's direct buffer, which acknowledges each round
 *       with one byte; no encoding, no adding, no framing. Member 0 prints {@code @link bytes=
 *       median_ns= min_ns=} per size.
 * </ul>
 */
public final class CollectiveMember {
  /** Bytes per socket write or read: the size of one fp32 piece of the ring's pipeline. */
  static final int CHUNK = CollectiveOptions.DEFAULT_PIECE_VALUES * 4;

  private CollectiveMember() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int rank = Integer.parseInt(args[1]);
    int size = Integer.parseInt(args[2]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    if (mode.equals("ring")) {
      ring(in, rank, size, Integer.parseInt(args[3]), WireFormat.parse(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]), args[7],
          args.length > 8 ? args[8] : "127.0.0.1");
    } else {
      int[] sizes = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
      link(in, rank, sizes, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
    }
    System.out.flush();
  }

  private static void ring(BufferedReader in, int rank, int p, int n, WireFormat format,
      int rounds, int warmup, String transport, String host) throws Exception {
    RingEndpoint endpoint = RingEndpoint.open(host);
    say("@address " + endpoint.address());
    String secret = readLine(in);
    List<String> addresses = Arrays.asList(readLine(in).split(","));
    watchParent(in);
    float[] init = new float[n];
    for (int i = 0; i < n; i++) {
      init[i] = (i & 15) * (rank + 1);
    }
    float[] buf = new float[n];
    float[] tiny = new float[1];
    long[] times = new long[rounds];
    try (GroupRing ring = endpoint.join(new Handshake(secret), 0, rank, addresses,
        CollectiveOptions.of(60_000).withFormat(format)
            .withSharedMemory(transport.equals("shm")))) {
      if (!ring.transport().equals("out " + transport + ", in " + transport)) {
        throw new IllegalStateException("asked for " + transport + ", got " + ring.transport());
      }
      for (int r = -warmup; r < rounds; r++) {
        System.arraycopy(init, 0, buf, 0, n);
        ring.allReduce(tiny, 0, 1);
        long t0 = System.nanoTime();
        ring.allReduce(buf, 0, n);
        long dt = System.nanoTime() - t0;
        if (r >= 0) {
          times[r] = dt;
        }
      }
    }
    // Every partial sum is an integer below 256: exact in fp32, bf16 and fp16 alike.
    float factor = p * (p + 1) / 2f;
    for (int i = 0; i < n; i++) {
      if (buf[i] != (i & 15) * factor) {
        throw new IllegalStateException("wrong sum at " + i + ": " + buf[i] + ", expected "
            + (i & 15) * factor);
      }
    }
    say("@ring rank=" + rank + " median_ns=" + median(times) + " min_ns=" + min(times));
  }

  private static void link(BufferedReader in, int rank, int[] sizes, int rounds, int warmup)
      throws Exception {
    ServerSocketChannel server = null;
    if (rank == 1) {
      server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4);
      say("@address 127.0.0.1:" + ((InetSocketAddress) server.getLocalAddress()).getPort());
    } else {
      say("@address -");
    }
    byte[] secret = readLine(in).getBytes(StandardCharsets.UTF_8);
    String[] addresses = readLine(in).split(",");
    watchParent(in);
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
    ByteBuffer ack = ByteBuffer.allocateDirect(1);
    if (rank == 0) {
      String[] hp = addresses[1].split(":");
      try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(hp[0],
          Integer.parseInt(hp[1])))) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        writeFully(ch, ByteBuffer.wrap(secret));
        for (int bytes : sizes) {
          long[] times = new long[rounds];
          for (int r = -warmup; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (long left = bytes; left > 0; left -= buf.limit()) {
              buf.clear().limit((int) Math.min(CHUNK, left));
              writeFully(ch, buf);
            }
            readFully(ch, ack.clear());
            if (r >= 0) {
              times[r] = System.nanoTime() - t0;
            }
          }
          say("@link bytes=" + bytes + " median_ns=" + median(times) + " min_ns=" + min(times));
        }
      }
    } else {
      try (SocketChannel ch = accept(server, secret)) {
        server.close();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        for (int bytes : sizes) {
          for (int r = -warmup; r < rounds; r++) {
            for (long left = bytes; left > 0; left -= buf.limit()) {
              buf.clear().limit((int) Math.min(CHUNK, left));
              readFully(ch, buf);
            }
            writeFully(ch, ack.clear());
          }
        }
      }
    }
  }

  /** The first connection that starts with the job's secret (others are closed). */
  private static SocketChannel accept(ServerSocketChannel server, byte[] secret)
      throws IOException {
    while (true) {
      SocketChannel c = server.accept();
      ByteBuffer got = ByteBuffer.allocate(secret.length);
      try {
        readFully(c, got);
        if (MessageDigest.isEqual(got.array(), secret)) {
          return c;
        }
      } catch (IOException e) {
        // not our sender
      }
      c.close();
    }
  }

  private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("the other member closed the connection");
      }
    }
  }

  private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static String readLine(BufferedReader in) throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new EOFException("the benchmark closed stdin before the rendezvous");
    }
    return line;
  }

  /** Halts this JVM once stdin ends: the benchmark that started it is gone. */
  private static void watchParent(BufferedReader in) {
    Thread t = new Thread(() -> {
      try {
        while (in.readLine() != null) {
          // nothing else is sent
        }
      } catch (IOException e) {
        // treated as the end
      }
      Runtime.getRuntime().halt(3);
    }, "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static long median(long[] a) {
    long[] s = a.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  static long min(long[] a) {
    return Arrays.stream(a).min().orElse(0);
  }
}
