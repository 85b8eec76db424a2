package io.horn.paramserver.collective;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A ring member in its own JVM, for fault tests: prints its address, reads every member's
 * addresses (one line, comma-separated) from stdin, joins as the given rank, then all-reduces
 * forever, printing "round N" after each. Arguments: rank, values, tcp|shm.
 */
public final class RingMemberMain {
  private RingMemberMain() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int len = Integer.parseInt(args[1]);
    RingEndpoint e = RingEndpoint.open("127.0.0.1");
    System.out.println("address " + e.address());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    String line = in.readLine();
    GroupRing ring = e.join(new Handshake(Rings.SECRET), 0, rank, Arrays.asList(line.split(",")),
        CollectiveOptions.of(60_000).withSharedMemory(args[2].equals("shm")));
    float[] buf = new float[len];
    for (long round = 0; ; round++) {
      ring.allReduce(buf, 0, len);
      System.out.println("round " + round);
      System.out.flush();
    }
  }
}
