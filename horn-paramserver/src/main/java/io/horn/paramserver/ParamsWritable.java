package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.io.Writable;

/**
 * A flat float vector in the network's parameter layout (weights, gradient sums or deltas) with
 * the step, sample count and cost it came from: what groups and the parameter server exchange.
 *
 * <p>Serialised in bulk (one byte array), not float by float. {@link #readFields} rejects
 * negative or absurd lengths and reports a cut-off stream as such. Mutable, not thread-safe;
 * readers reuse one instance and its array when the length matches.
 */
public final class ParamsWritable implements Writable {
  /** Larger than any network Horn trains in memory; guards against corrupt length fields. */
  static final int MAX_VALUES = 1 << 28;

  private long step;
  private int samples;
  private double cost;
  private float[] values = new float[0];

  public ParamsWritable() {}

  public ParamsWritable(long step, int samples, double cost, float[] values) {
    set(step, samples, cost, values);
  }

  /** Points at {@code values} without copying: do not change the array until written. */
  public ParamsWritable set(long step, int samples, double cost, float[] values) {
    this.step = step;
    this.samples = samples;
    this.cost = cost;
    this.values = checkNotNull(values, "values");
    return this;
  }

  public long step() {
    return step;
  }

  public int samples() {
    return samples;
  }

  public double cost() {
    return cost;
  }

  /** The vector itself, not a copy. */
  public float[] values() {
    return values;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeLong(step);
    out.writeInt(samples);
    out.writeDouble(cost);
    out.writeInt(values.length);
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.BIG_ENDIAN);
    buf.asFloatBuffer().put(values);
    out.write(buf.array());
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    try {
      step = in.readLong();
      samples = in.readInt();
      cost = in.readDouble();
      int n = in.readInt();
      if (n < 0 || n > MAX_VALUES) {
        throw new IOException("corrupt parameter message: length " + n);
      }
      if (samples < 0) {
        throw new IOException("corrupt parameter message: " + samples + " samples");
      }
      byte[] bytes = new byte[n * 4];
      in.readFully(bytes);
      if (values.length != n) {
        values = new float[n];
      }
      ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(values);
    } catch (EOFException e) {
      throw new EOFException("truncated parameter message: the stream ended inside it");
    }
  }
}
