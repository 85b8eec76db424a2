package io.horn.paramserver;

import io.horn.core.checkpoint.GroupState;
import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A {@link ParameterServerClient} for a group that runs in the parameter server's own process
 * (local mode, tests): calls the {@link ParameterServer} directly. The caller's arrays are
 * wrapped, not copied; the only copy is the server writing its weights into {@code weights}.
 * On a rejected push the server has already written the master weights into {@code weights}.
 *
 * <p>Holds no resources; {@link #close} does nothing. Thread-safety: one thread per client, as
 * the interface says (the server itself is thread-safe, so clients of different groups may be
 * used concurrently).
 */
public final class LocalServerClient implements ParameterServerClient {
  private final ParameterServer server;
  private final int group;
  private boolean checkpointWanted;
  private float[] scratch; // the dense form of an encoded push; zero between pushes

  /** A client for {@code group} of {@code server}. */
  public LocalServerClient(ParameterServer server, int group) {
    this.server = checkNotNull(server, "server");
    checkArgument(group >= 0 && group < server.groups(), "group %s outside a job of %s groups",
        group, server.groups());
    this.group = group;
  }

  @Override
  public void pull(float[] weights) {
    server.pull(group, FloatBuffer.wrap(checkLength(weights, "weights")));
  }

  @Override
  public boolean pushAndPull(int steps, float[] delta, float[] weights) throws IOException {
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    ParameterServer.PushResult r = server.pushAndPull(group, steps,
        FloatBuffer.wrap(checkLength(delta, "delta")),
        FloatBuffer.wrap(checkLength(weights, "weights")));
    if (!r.accepted()) {
      throw new IOException("the parameter server rejected group " + group + "'s push: "
          + r.error());
    }
    checkpointWanted = r.checkpoint();
    return r.stop();
  }

  @Override
  public boolean pushEncodedAndPull(int steps, int[] codes, int count, float threshold,
      float[] weights) throws IOException {
    checkNotNull(codes, "codes");
    IntBuffer in = IntBuffer.wrap(codes);
    String bad = ThresholdCodes.check(in, count, server.parameterCount(), threshold);
    checkArgument(bad == null, "group %s's encoded push: %s", group, bad);
    if (scratch == null) {
      scratch = new float[server.parameterCount()];
    }
    ThresholdCodes.decode(in, count, threshold, scratch);
    try {
      return pushAndPull(steps, scratch, weights);
    } finally {
      ThresholdCodes.clear(in, count, scratch);
    }
  }

  @Override
  public boolean checkpointWanted() {
    return checkpointWanted;
  }

  @Override
  public void sendState(GroupState state) throws IOException {
    String refused = server.state(group, state);
    checkpointWanted = false;
    if (refused != null) {
      throw new IOException("the parameter server refused group " + group + "'s state: "
          + refused);
    }
  }

  @Override
  public void done(long totalSteps, String timing, String history) {
    server.done(group, totalSteps, timing, history);
  }

  @Override
  public void close() {
    // nothing held: the server outlives its clients
  }

  private float[] checkLength(float[] a, String name) {
    checkNotNull(a, name);
    checkArgument(a.length == server.parameterCount(), "%s holds %s values, the model has %s",
        name, a.length, server.parameterCount());
    return a;
  }
}
