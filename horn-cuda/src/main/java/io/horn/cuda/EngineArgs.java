package io.horn.cuda;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The argument checks of {@link CudaNetworkEngine}, with the CPU engine's rules and messages.
 * They run before any copy: JCuda does not bounds-check Java arrays, so a short array handed to
 * a host-to-device copy would read past its end (or crash the JVM) instead of failing.
 *
 * <p>Immutable and thread-safe.
 */
final class EngineArgs {
  private final int inputs;
  private final int outputs;
  private final int parameters;
  private final int maxBatch;

  EngineArgs(int inputs, int outputs, int parameters, int maxBatch) {
    checkArgument(maxBatch > 0, "maxBatch must be positive, got %s", maxBatch);
    this.inputs = inputs;
    this.outputs = outputs;
    this.parameters = parameters;
    this.maxBatch = maxBatch;
  }

  /** A training batch: its size, the features and the targets. */
  void batch(float[] x, float[] t, int batch) {
    checkNotNull(x, "features are null");
    checkNotNull(t, "targets are null");
    checkArgument(batch > 0 && batch <= maxBatch, "batch of %s samples, engine takes 1..%s",
        batch, maxBatch);
    checkArgument(x.length >= (long) inputs * batch, "features hold %s floats, need %s (%s × %s)",
        x.length, (long) inputs * batch, inputs, batch);
    checkArgument(t.length >= (long) outputs * batch, "targets hold %s floats, need %s",
        t.length, (long) outputs * batch);
  }

  /** A parameter (or gradient) vector of exactly the network's size. */
  void parameters(float[] p, String what) {
    checkNotNull(p, "%s is null", what);
    checkArgument(p.length == parameters, "%s has %s entries, need %s", what, p.length,
        parameters);
  }

  /** Inputs and outputs of {@code predict}. */
  void predict(float[] x, int count, float[] y) {
    checkNotNull(x, "features are null");
    checkNotNull(y, "output buffer is null");
    checkArgument(count >= 0, "negative sample count %s", count);
    checkArgument(x.length >= (long) inputs * count, "features hold %s floats, need %s (%s × %s)",
        x.length, (long) inputs * count, inputs, count);
    checkArgument(y.length >= (long) outputs * count, "output buffer too small: %s floats, need"
        + " %s", y.length, (long) outputs * count);
  }
}
