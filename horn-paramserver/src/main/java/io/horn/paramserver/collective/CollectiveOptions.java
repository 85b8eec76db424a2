package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How a group's collectives behave: the deadline of every wait, the piece size that pipelines a
 * large buffer, and the wire format of the values. Immutable.
 */
public final class CollectiveOptions {
  /** 64 Ki values (256 KiB in fp32): large enough that per-piece costs vanish, small enough to
   *  start forwarding early and to fit the socket buffers of a loopback link. */
  public static final int DEFAULT_PIECE_VALUES = 1 << 16;

  private final long timeoutMillis;
  private final long heartbeatMillis;
  private final int pieceValues;
  private final WireFormat format;
  private final boolean sharedMemory;

  private CollectiveOptions(long timeoutMillis, long heartbeatMillis, int pieceValues,
      WireFormat format, boolean sharedMemory) {
    checkArgument(timeoutMillis > 0, "timeout must be positive, got %s ms", timeoutMillis);
    checkArgument(heartbeatMillis > 0 && heartbeatMillis <= timeoutMillis,
        "heartbeat deadline must be in (0, %s] ms, got %s", timeoutMillis, heartbeatMillis);
    this.heartbeatMillis = heartbeatMillis;
    checkArgument(pieceValues > 0, "piece size must be positive, got %s values", pieceValues);
    this.timeoutMillis = timeoutMillis;
    this.pieceValues = pieceValues;
    this.format = checkNotNull(format, "format");
    this.sharedMemory = sharedMemory;
  }

  /** fp32 on the wire, the default piece size. */
  public static CollectiveOptions of(long timeoutMillis) {
    return new CollectiveOptions(timeoutMillis, timeoutMillis, DEFAULT_PIECE_VALUES,
        WireFormat.FP32, true);
  }

  public CollectiveOptions withPieceValues(int values) {
    return new CollectiveOptions(timeoutMillis, heartbeatMillis, values, format, sharedMemory);
  }

  public CollectiveOptions withFormat(WireFormat f) {
    return new CollectiveOptions(timeoutMillis, heartbeatMillis, pieceValues, f, sharedMemory);
  }

  /** Whether members on the same host may exchange through shared memory (else TCP always). */
  public CollectiveOptions withSharedMemory(boolean on) {
    return new CollectiveOptions(timeoutMillis, heartbeatMillis, pieceValues, format, on);
  }

  /**
   * Members beat at least every quarter of {@code millis}; a neighbour silent for that long (not
   * even a heartbeat) is dead or frozen. The timeout stays the deadline for data from a
   * neighbour that is alive.
   */
  public CollectiveOptions withHeartbeat(long millis) {
    return new CollectiveOptions(timeoutMillis, millis, pieceValues, format, sharedMemory);
  }

  /** How long a neighbour may be silent, not even beating, before it counts as dead. */
  public long heartbeatMillis() {
    return heartbeatMillis;
  }

  /**
   * How long any one wait (a piece from a live neighbour, a connection, a write) may take.
   */
  public long timeoutMillis() {
    return timeoutMillis;
  }

  /** Values per pipelined piece. */
  public int pieceValues() {
    return pieceValues;
  }

  public WireFormat format() {
    return format;
  }

  public boolean sharedMemory() {
    return sharedMemory;
  }

  @Override
  public String toString() {
    return "timeout " + timeoutMillis + " ms, heartbeat " + heartbeatMillis + " ms, pieces of " + pieceValues + " values, "
        + format.name().toLowerCase(java.util.Locale.ROOT) + " on the wire"
        + (sharedMemory ? ", shared memory on one host" : ", TCP only");
  }
}
