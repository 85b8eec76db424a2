package io.horn.bsp;

import io.horn.paramserver.ParamsWritable;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.hadoop.io.Writable;

/** The result of a group step: the summed gradients and whether the group stops. */
public final class StepReply implements Writable {
  private ParamsWritable sum = new ParamsWritable();
  private boolean stop;

  public StepReply() {}

  public StepReply(ParamsWritable sum, boolean stop) {
    this.sum = sum;
    this.stop = stop;
  }

  public ParamsWritable sum() {
    return sum;
  }

  public boolean stop() {
    return stop;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeBoolean(stop);
    sum.write(out);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    stop = in.readBoolean();
    sum.readFields(in);
  }
}
