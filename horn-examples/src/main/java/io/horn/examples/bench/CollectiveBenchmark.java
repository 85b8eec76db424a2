package io.horn.examples.bench;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.bsp.testbed.Testbed;
import io.horn.paramserver.collective.WireFormat;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The group all-reduce of {@code io.horn.paramserver.collective} between JVMs on loopback,
 * against the bound the same machine allows, measured in the same run.
 *
 * <p>What is measured: for each group size P and buffer size, P member JVMs ({@link
 * CollectiveMember}) join a {@link io.horn.paramserver.collective.GroupRing} and time {@code
 * allReduce(buf, 0, n)} on member 0 (median and minimum over the rounds, after warm-up rounds,
 * each round started by a barrier). {@code gbps} is the algorithm bandwidth, buffer bytes
 * (4 bytes a float, whatever the wire format) over the median time.
 *
 * <p>Why a bound: an all-reduce cannot beat the link it runs on. Just before each P's cases, two
 * JVMs stream the same number of bytes over a plain socket channel with direct buffers, one
 * direction, no encoding or adding: the transport's best case, {@code link_gbps}. In a ring (and
 * in the two-member exchange) every member sends and receives {@code 2(P-1)/P} of the buffer, so
 * the best algorithm bandwidth is {@code bound_gbps = link_gbps * P / (2(P-1))}, and {@code
 * ratio = gbps / bound_gbps} says how much of it the collective gets (the target is 0.5). A 16-bit
 * wire format moves half the bytes, so its ratio may pass 1. memcpy bandwidth (System.arraycopy
 * of a 26 MB float[]) is printed for context: loopback TCP is copies through the kernel.
 * Caveat: on loopback the "link" is CPU time, and an all-reduce drives every link both ways at
 * once (plus an encode and a decode-and-add per byte), so on a machine with few cores the
 * one-way bound is optimistic; the ratio shows how far, and a real network link would not
 * share its capacity with the members' CPUs.
 *
 * <p>All member JVMs share this machine's cores; with more members than cores they compete for
 * CPU, and the figures say so rather than hide it. Every child is killed when the benchmark ends,
 * also when it fails; a failing member makes the benchmark exit 1 with the member's output.
 *
 * <p>{@code bin/horn bench collective [--peers 2,4] [--sizes 650000,6500000] [--rounds 20]
 * [--formats fp32]}; {@code --help} lists the options.
 */
@Command(name = "bin/horn bench collective", sortOptions = false, description = "All-reduce "
    + "throughput of a task group's members (member JVMs on this machine) against the bound of "
    + "the transport.")
public final class CollectiveBenchmark implements Callable<Integer> {
  /** Deadline for a member's answer; JVM start-up on a loaded machine included. */
  static final long ANSWER_MILLIS = 120_000;

  @Option(names = "--peers", paramLabel = "P,...",
      description = "Member JVMs per group, each >= 2 (default: ${DEFAULT-VALUE}).")
  String peers = "2,4";

  @Option(names = "--sizes", paramLabel = "N,...", description = "Floats per all-reduce "
      + "(650000 = 2.6 MB, about the 784-500-500-10 MLP; at most 50000000; default: "
      + "${DEFAULT-VALUE}).")
  String sizes = "650000,6500000";

  @Option(names = "--rounds", paramLabel = "N", description = "Timed rounds per case (median "
      + "and min are reported), >= 1 (default: ${DEFAULT-VALUE}).")
  String rounds = "20";

  @Option(names = "--formats", paramLabel = "F,...",
      description = "Wire formats: fp32, bf16, fp16 (default: ${DEFAULT-VALUE}).")
  String formats = "fp32";

  @Option(names = "--transports", paramLabel = "T,...", description = "shm (members on one "
      + "host share memory; bound: memcpy) and/or tcp (loopback sockets; bound: the one-way "
      + "loopback link) (default: ${DEFAULT-VALUE}).")
  String transports = "shm,tcp";

  @Option(names = "--testbed", paramLabel = "RATE", description = "Run each member on its own "
      + "network namespace whose link runs at RATE (tc syntax, e.g. 1gbit; needs root); bound: "
      + "that rate.")
  String testbed;

  @Mixin HelpOptions help;

  public static void main(String[] args) {
    Cli.exit(new CollectiveBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    run(options());
    return Cli.OK;
  }

  /** The checked options; a bad value is named. */
  Options options() throws UsageException {
    if (rounds.contains(",")) {
      throw new UsageException("--rounds takes one number, got '" + rounds + "'");
    }
    if (testbed != null && !testbed.matches("\\d+(k|m|g)bit")) {
      throw new UsageException("--testbed: '" + testbed + "' is not a link rate like 1gbit");
    }
    List<String> ts = List.of(transports.split(","));
    for (String t : ts) {
      if (!t.equals("shm") && !t.equals("tcp")) {
        throw new UsageException("--transports: '" + t + "' is not shm or tcp");
      }
    }
    List<WireFormat> fs = new ArrayList<>();
    for (String f : formats.split(",")) {
      try {
        fs.add(WireFormat.parse(f));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--formats: " + e.getMessage());
      }
    }
    return new Options(ints("--peers", peers, 2, 64), ints("--sizes", sizes, 1, 50_000_000),
        ints("--rounds", rounds, 1, 100_000)[0], fs, ts, testbed);
  }

  /** The checked command line. */
  record Options(int[] peers, int[] sizes, int rounds, List<WireFormat> formats,
      List<String> transports, String testbed) {}

  private static int[] ints(String name, String v, int min, int max) throws UsageException {
    String[] parts = v.split(",", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new UsageException(name + ": '" + parts[i] + "' is not a whole number");
      }
      if (out[i] < min || out[i] > max) {
        throw new UsageException(name + ": " + out[i] + " is outside " + min + ".." + max);
      }
    }
    return out;
  }

  private static void run(Options o) throws Exception {
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    String secret = HexFormat.of().formatHex(key);
    if (o.testbed() != null) {
      runOnTestbed(o, secret);
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("machine: %d cores, java %s; loopback TCP, member JVMs -Xmx1g%n", cores,
        System.getProperty("java.version"));
    double memcpy = memcpyGbps(6_500_000);
    System.out.printf("memcpy (System.arraycopy of a 26 MB float[], in process): %.2f GB/s "
        + "copied%n", memcpy);
    List<String> rows = new ArrayList<>();
    List<String> results = new ArrayList<>();
    String sizeList = Arrays.stream(o.sizes()).mapToObj(n -> Long.toString(4L * n))
        .reduce((a, b) -> a + "," + b).orElse("");
    for (int p : o.peers()) {
      if (p > cores) {
        System.out.printf("P=%d: %d member JVMs share %d cores; they compete for CPU%n", p, p,
            cores);
      }
      Map<Integer, Double> link = new LinkedHashMap<>();
      try (MemberGroup g = MemberGroup.start("link", 2, sizeList, o.rounds(), 10)) {
        g.rendezvous(secret);
        for (int n : o.sizes()) {
          Map<String, String> r = g.expect(0, "@link", ANSWER_MILLIS);
          link.put(n, 4.0 * n / Long.parseLong(r.get("median_ns")));
        }
        g.awaitExit(ANSWER_MILLIS);
      }
      for (int n : o.sizes()) {
        for (String transport : o.transports()) {
          // The best case of the medium: the one-way loopback link, or memory copies.
          double linkGbps = transport.equals("tcp") ? link.get(n) : memcpy;
          double bound = linkGbps * p / (2.0 * (p - 1));
          System.out.printf("P=%d, %.1f MB, %s: %s %.2f GB/s -> all-reduce bound %.2f GB/s%n",
              p, 4e-6 * n, transport, transport.equals("tcp") ? "loopback link one way"
                  : "memcpy", linkGbps, bound);
          for (WireFormat f : o.formats()) {
            String fmt = f.name().toLowerCase(Locale.ROOT);
            int warmup = 4L * n <= 10_000_000 ? 10 : 3;
            Map<String, String> r = ring(false, secret, p, n, fmt, o.rounds(), warmup,
                transport);
            double medianMs = Long.parseLong(r.get("median_ns")) / 1e6;
            double minMs = Long.parseLong(r.get("min_ns")) / 1e6;
            double gbps = 4.0 * n / (medianMs * 1e6);
            rows.add(String.format(Locale.ROOT, "| %d | %.1f MB | %s | %s | %.2f | %.2f | %.2f "
                + "| %.2f | %.2f | %.2f |", p, 4e-6 * n, transport, fmt, medianMs, minMs, gbps,
                linkGbps, bound, gbps / bound));
            results.add(String.format(Locale.ROOT, "RESULT bench=collective peers=%d bytes=%d "
                + "transport=%s format=%s gbps=%.3f bound_gbps=%.3f ratio=%.3f median_ms=%.3f "
                + "min_ms=%.3f", p, 4L * n, transport, fmt, gbps, bound, gbps / bound, medianMs,
                minMs));
            System.out.printf("  %s: median %.2f ms (min %.2f), %.2f GB/s = %.2f of the "
                + "bound%n", fmt, medianMs, minMs, gbps, gbps / bound);
          }
        }
      }
    }
    System.out.println();
    System.out.printf("all-reduce, %d timed rounds per case on member 0 (each after a barrier); "
        + "memcpy %.2f GB/s%n", o.rounds(), memcpy);
    System.out.println("| P | buffer | transport | wire | median ms | min ms | GB/s | medium GB/s "
        + "| bound GB/s | ratio |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println();
    results.forEach(System.out::println);
  }

  /**
   * Each member on its own namespace "host" behind a rate-limited link: the all-reduce against
   * the link it runs on, as between real hosts (no shared memory, no loopback shortcut).
   */
  private static void runOnTestbed(Options o, String secret) throws Exception {
    String rate = o.testbed();
    double units = rate.startsWith("g", rate.length() - 4) ? 1e9
        : rate.startsWith("m", rate.length() - 4) ? 1e6 : 1e3;
    double linkGbps = Double.parseDouble(rate.replaceAll("[a-z]", "")) * units / 8 / 1e9;
    List<String> results = new ArrayList<>();
    for (int p : o.peers()) {
      try (Testbed bed = Testbed.up(p, rate)) {
        double bound = linkGbps * p / (2.0 * (p - 1));
        System.out.printf("P=%d hosts on %s links (%.3f GB/s): all-reduce bound %.3f GB/s%n", p,
            rate, linkGbps, bound);
        for (int n : o.sizes()) {
          for (WireFormat f : o.formats()) {
            String fmt = f.name().toLowerCase(Locale.ROOT);
            Map<String, String> r = ring(true, secret, p, n, fmt, o.rounds(), 3, "tcp");
            double medianMs = Long.parseLong(r.get("median_ns")) / 1e6;
            double minMs = Long.parseLong(r.get("min_ns")) / 1e6;
            double gbps = 4.0 * n / (medianMs * 1e6);
            System.out.printf("  %.1f MB %s: median %.2f ms (min %.2f), %.3f GB/s = %.2f of the "
                + "bound%n", 4e-6 * n, fmt, medianMs, minMs, gbps, gbps / bound);
            results.add(String.format(Locale.ROOT, "RESULT bench=collective peers=%d bytes=%d "
                + "transport=testbed-%s format=%s gbps=%.4f bound_gbps=%.4f ratio=%.3f "
                + "median_ms=%.3f min_ms=%.3f", p, 4L * n, rate, fmt, gbps, bound, gbps / bound,
                medianMs, minMs));
          }
        }
      }
    }
    System.out.println();
    results.forEach(System.out::println);
  }

  /** One all-reduce case among {@code p} member JVMs; member 0's figures. */
  private static Map<String, String> ring(boolean testbed, String secret, int p, int n,
      String fmt, int rounds, int warmup, String transport) throws Exception {
    try (MemberGroup g = MemberGroup.start(testbed, "ring", p, n, fmt, rounds, warmup,
        transport)) {
      g.rendezvous(secret);
      Map<String, String> r = g.expect(0, "@ring", ANSWER_MILLIS);
      for (int m = 1; m < p; m++) {
        g.expect(m, "@ring", ANSWER_MILLIS);
      }
      g.awaitExit(ANSWER_MILLIS);
      return r;
    }
  }

  /** Median bandwidth of copying {@code n} floats with System.arraycopy, bytes copied / s. */
  static double memcpyGbps(int n) {
    float[] a = new float[n];
    float[] b = new float[n];
    Arrays.fill(a, 1f);
    long[] t = new long[15];
    for (int r = -5; r < t.length; r++) {
      long t0 = System.nanoTime();
      System.arraycopy(a, 0, b, 0, n);
      if (r >= 0) {
        t[r] = System.nanoTime() - t0;
      }
    }
    return 4.0 * n / CollectiveMember.median(t);
  }
}
