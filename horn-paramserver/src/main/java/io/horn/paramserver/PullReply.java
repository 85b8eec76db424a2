package io.horn.paramserver;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.hadoop.io.Writable;

/**
 * The parameter server's answer to a push: whether the delta was applied (and why not), whether
 * the job's step budget is spent, and the current master weights.
 */
public final class PullReply implements Writable {
  private boolean accepted;
  private String error = "";
  private boolean stop;
  private ParamsWritable params = new ParamsWritable();

  public PullReply() {}

  public PullReply(boolean accepted, String error, boolean stop, ParamsWritable params) {
    this.accepted = accepted;
    this.error = error == null ? "" : error;
    this.stop = stop;
    this.params = params;
  }

  public boolean accepted() {
    return accepted;
  }

  /** Why the push was rejected; empty when accepted. */
  public String error() {
    return error;
  }

  /** True once the job's step budget is spent: the group should finish. */
  public boolean stop() {
    return stop;
  }

  public ParamsWritable params() {
    return params;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeBoolean(accepted);
    out.writeUTF(error);
    out.writeBoolean(stop);
    params.write(out);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    accepted = in.readBoolean();
    error = in.readUTF();
    stop = in.readBoolean();
    params.readFields(in);
  }
}
