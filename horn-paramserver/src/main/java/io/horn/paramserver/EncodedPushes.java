package io.horn.paramserver;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.checkpoint.GroupState;
import java.io.IOException;
import java.util.Locale;

/**
 * A {@link ParameterServerClient} that threshold-encodes its group's pushes
 * ({@link ThresholdCodes}) before handing them to another client: each push sends only the
 * values of delta plus residual that reached the threshold, as ±threshold, and keeps the rest
 * as the residual for the next push. A push in which more than 1/16 of the values reached the
 * threshold would not be smaller than a 2-bit-per-value encoding, so it goes dense (the whole
 * residual, exactly) and the residual starts again from zero.
 *
 * <p>The residual lives in the group's leader only: a group restarted from a checkpoint starts
 * with none, and the updates it held are lost (at most threshold per value).
 *
 * <p>Lifecycle and thread-safety as {@link ParameterServerClient}; {@link #close} closes the
 * wrapped client. {@link #done} adds what the pushes cost to the timing it reports.
 */
public final class EncodedPushes implements ParameterServerClient {
  private final ParameterServerClient inner;
  private final float threshold;
  private final float[] residual;
  private final int[] codes;
  private long pushes;
  private long densePushes;
  private long bytes;

  /** Encodes pushes of a model of {@code n} parameters with {@code threshold}. */
  public EncodedPushes(ParameterServerClient inner, int n, float threshold) {
    this.inner = checkNotNull(inner, "inner");
    checkArgument(n > 0, "n must be positive");
    checkArgument(threshold > 0 && Float.isFinite(threshold), "threshold %s", threshold);
    this.threshold = threshold;
    this.residual = new float[n];
    this.codes = new int[Math.max(1, n / 16)];
  }

  @Override
  public void pull(float[] weights) throws IOException {
    inner.pull(weights);
  }

  @Override
  public boolean pushAndPull(int steps, float[] delta, float[] weights) throws IOException {
    checkArgument(delta.length == residual.length, "delta holds %s values, the model has %s",
        delta.length, residual.length);
    int count = ThresholdCodes.encode(delta, residual, threshold, codes);
    pushes++;
    if (count >= 0) {
      bytes += 4L + 4L * count;
      return inner.pushEncodedAndPull(steps, codes, count, threshold, weights);
    }
    densePushes++;
    bytes += 4L * residual.length;
    float[] all = residual.clone();
    java.util.Arrays.fill(residual, 0);
    return inner.pushAndPull(steps, all, weights);
  }

  @Override
  public boolean pushEncodedAndPull(int steps, int[] codes, int count, float threshold,
      float[] weights) throws IOException {
    return inner.pushEncodedAndPull(steps, codes, count, threshold, weights);
  }

  /** The part of the updates at index {@code i} not sent yet. */
  public float residualAt(int i) {
    return residual[i];
  }

  /** Payload bytes sent by pushes so far (headers not counted). */
  public long bytesSent() {
    return bytes;
  }

  /** The pushes so far, and how many of them went dense. */
  public long pushes() {
    return pushes;
  }

  public long densePushes() {
    return densePushes;
  }

  /** How the pushes went, in words, for the group's timing summary. */
  public String summary() {
    double dense = 4.0 * residual.length;
    double mean = pushes == 0 ? 0 : (double) bytes / pushes;
    return String.format(Locale.ROOT, "pushes threshold-encoded (%.2g): %d, %.0f bytes each on "
        + "average = %.4f of dense, %d sent dense", threshold, pushes, mean, mean / dense,
        densePushes);
  }

  @Override
  public boolean checkpointWanted() {
    return inner.checkpointWanted();
  }

  @Override
  public void sendState(GroupState state) throws IOException {
    inner.sendState(state);
  }

  @Override
  public void done(long totalSteps, String timing, String history) throws IOException {
    String t = timing == null || timing.isEmpty() ? summary() : timing + "; " + summary();
    inner.done(totalSteps, t, history);
  }

  @Override
  public void close() {
    inner.close();
  }
}
