package io.horn.bsp;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.io.Writable;

/**
 * What peers tell each other, through Hama's messages, while a job sets up: a worker's sample
 * count, where a worker listens for its group's collectives, where the parameter server
 * listens; and, at the end of a job with a sharded parameter server, a shard's final weights for
 * shard 0. One fact per message. After set-up, tasks talk over their own connections.
 *
 * <p>Mutable for Hama's reuse; {@link #readFields} rejects unknown kinds and absurd lengths, and
 * {@link #write} refuses an address longer than the reader accepts (1024 UTF-8 bytes).
 */
public final class SetupMessage implements Writable {
  /** The kinds of fact. The wire carries the ordinal: append, never reorder. */
  enum Kind {
    /** {@code from}'s number of training samples, in {@code count}. */
    SAMPLES,
    /** Where worker {@code from} listens for its group, in {@code address}. */
    RING_ADDRESS,
    /** Where the parameter server listens ({@code address}; "in-process" in local mode). */
    SERVER_ADDRESS,
    /**
     * Where worker {@code from} runs ({@code address}, its host) and how many bytes of its split
     * it read ({@code count}), {@code local} of them from its own host.
     */
    READ_STATS,
    /** Parameter-server shard {@code count}'s final weights ({@code weights}), from {@code from}. */
    SHARD_WEIGHTS
  }

  private static final int MAX_ADDRESS_BYTES = 1024;
  /** More floats than any shard of a model that fits a Java array could hold. */
  private static final int MAX_WEIGHTS = Integer.MAX_VALUE - 16;

  private Kind kind = Kind.SAMPLES;
  private int from;
  private long count;
  private String address = "";
  private long local;
  private float[] weights = new float[0];

  public SetupMessage() {}

  private SetupMessage(Kind kind, int from, long count, String address) {
    this.kind = kind;
    this.from = from;
    this.count = count;
    this.address = address;
  }

  static SetupMessage readStats(int worker, String host, long bytesRead, long localBytes) {
    SetupMessage m = new SetupMessage(Kind.READ_STATS, worker, bytesRead, host);
    m.local = localBytes;
    return m;
  }

  static SetupMessage shardWeights(int server, int shard, float[] weights) {
    SetupMessage m = new SetupMessage(Kind.SHARD_WEIGHTS, server, shard, "");
    m.weights = weights;
    return m;
  }

  static SetupMessage samples(int worker, long samples) {
    return new SetupMessage(Kind.SAMPLES, worker, samples, "");
  }

  static SetupMessage ringAddress(int worker, String hostPort) {
    return new SetupMessage(Kind.RING_ADDRESS, worker, 0, hostPort);
  }

  static SetupMessage serverAddress(int server, String hostPort) {
    return new SetupMessage(Kind.SERVER_ADDRESS, server, 0, hostPort);
  }

  Kind kind() {
    return kind;
  }

  int from() {
    return from;
  }

  long count() {
    return count;
  }

  String address() {
    return address;
  }

  /** Of {@link Kind#READ_STATS}: the bytes read from the worker's own host (else 0). */
  long local() {
    return local;
  }

  /** Of {@link Kind#SHARD_WEIGHTS}: the shard's weights (the message's own array). */
  float[] weights() {
    return weights;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    byte[] a = address.getBytes(StandardCharsets.UTF_8);
    // Refused here rather than at the peer: readFields rejects it, and past 65535 bytes the
    // 16-bit length would wrap and the rest of the stream be misread.
    if (a.length > MAX_ADDRESS_BYTES) {
      throw new IOException("set-up message with an address of " + a.length
          + " bytes; at most " + MAX_ADDRESS_BYTES + " can be sent");
    }
    out.writeByte(kind.ordinal());
    out.writeInt(from);
    out.writeLong(count);
    out.writeShort(a.length);
    out.write(a);
    if (kind == Kind.READ_STATS) {
      out.writeLong(local);
    }
    if (kind == Kind.SHARD_WEIGHTS) {
      out.writeInt(weights.length);
      for (float w : weights) {
        out.writeFloat(w);
      }
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    int k = in.readUnsignedByte();
    if (k >= Kind.values().length) {
      throw new IOException("unknown set-up message kind " + k);
    }
    kind = Kind.values()[k];
    from = in.readInt();
    count = in.readLong();
    int n = in.readUnsignedShort();
    if (n > MAX_ADDRESS_BYTES) {
      throw new IOException("set-up message with an address of " + n + " bytes");
    }
    byte[] a = new byte[n];
    in.readFully(a);
    address = new String(a, StandardCharsets.UTF_8);
    local = kind == Kind.READ_STATS ? in.readLong() : 0;
    weights = new float[0];
    if (kind == Kind.SHARD_WEIGHTS) {
      int w = in.readInt();
      if (w < 0 || w > MAX_WEIGHTS) {
        throw new IOException("set-up message with " + w + " weights");
      }
      // Grown as the floats arrive, so that a corrupt count cannot allocate more than the
      // stream holds (a short stream ends in an EOFException first).
      float[] got = new float[Math.min(w, 1 << 12)];
      for (int i = 0; i < w; i++) {
        if (i == got.length) {
          got = java.util.Arrays.copyOf(got, (int) Math.min(w, 2L * got.length));
        }
        got[i] = in.readFloat();
      }
      weights = got;
    }
  }

  @Override
  public String toString() {
    if (kind == Kind.SHARD_WEIGHTS) {
      return kind + " from " + from + ": shard " + count + ", " + weights.length + " weights";
    }
    return kind + " from " + from + (kind == Kind.SAMPLES ? ": " + count : ": " + address)
        + (kind == Kind.READ_STATS ? ", read " + count + " bytes, " + local + " local" : "");
  }
}
