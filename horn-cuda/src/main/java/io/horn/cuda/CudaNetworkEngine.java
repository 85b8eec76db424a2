package io.horn.cuda;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.GradientBlocks;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import java.nio.FloatBuffer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The GPU engine: the same math as horn-core's CPU engine for networks of built-in neurons, with
 * the parameters, optimizer state, activations, errors and gradient sums all resident on the
 * device. Per step the batch (features and targets together) goes in from pinned memory and one
 * cost per sample comes out; parameters cross only when asked ({@link #getParameters}) and
 * gradient sums only for in-group reductions ({@link #computeGradients}).
 *
 * <p>Every copy, kernel and product of a step is queued on one stream, which cuBLAS shares, so
 * they run in order without host synchronisation; the host waits once per step, for the costs.
 * Gradient products write their block with beta 0, so the sums need no zeroing.
 *
 * <p>Gradient readiness: with a listener, weight block {@code l}'s sums are copied to the host
 * right after the product that makes them, added into the caller's sums and reported, top layer
 * first, before the errors of layer {@code l-1} are queued.
 *
 * <p>Layouts are the CPU engine's: column-major, one sample per column, activation blocks with a
 * bias row of ones, weight blocks of {@code (n[l-1] + 1) × n[l]}.
 *
 * <p>Errors: every CUDA and cuBLAS return code is checked ({@link Cuda}); a constructor that
 * fails part-way releases what it had taken. Arguments are checked as in the CPU engine before
 * any copy ({@link EngineArgs}).
 *
 * <p>Thread-safety: not for concurrent use. Every public method makes the engine's context
 * current first, so calls may come from any thread, one at a time, with a happens-before edge
 * between them (as a single trainer thread, or a hand-over through a lock, gives).
 */
final class CudaNetworkEngine implements NetworkEngine {
  private final NetworkSpec spec;
  private final EngineArgs args;
  private final int maxBatch;
  private final int top;
  private final int[] n;
  private final LayerMath math;
  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final CUstream stream = new CUstream();
  private final Resources owned = new Resources();
  private final DeviceKernels kernels;
  private final Gemm gemm;
  private final DeviceBuffer params;
  private final DeviceBuffer sums;
  private final DeviceOptimizer optimizer;
  private final DeviceBuffer[] acts;
  private final DeviceBuffer[] deltas;
  private final DeviceBuffer targets;
  private final DeviceBuffer costs;
  /** Pinned staging: features with their bias row of ones, targets, costs, gradient sums. */
  private final HostBuffer inStage;
  private final HostBuffer targetStage;
  private final HostBuffer hostCosts;
  private final HostBuffer hostSums;
  /** Scratch for adding downloaded sums into a caller's array; made once. */
  private final float[] sumScratch;
  /** Whether a queued copy may still read or write a pinned buffer (sync before touching one). */
  private boolean pinnedInFlight;
  private boolean closed;

  CudaNetworkEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch,
      CudaProbe.Result probe, boolean cublas) {
    checkArgument(maxBatch > 0, "maxBatch must be positive");
    String why = LayerMath.unsupported(spec, settings);
    checkArgument(why == null, "the cuda backend cannot run this network: %s", why);
    if (!probe.usable) {
      throw new IllegalStateException("CUDA is not usable here: " + probe.reason);
    }
    checkArgument(!cublas || probe.cublas, "cuBLAS was asked for but is unavailable: %s",
        probe.cublasReason);
    this.spec = spec;
    this.maxBatch = maxBatch;
    this.top = spec.depth() - 1;
    this.n = new int[spec.depth()];
    for (int l = 0; l < n.length; l++) {
      n[l] = spec.size(l);
    }
    int p = spec.parameterCount();
    this.args = new EngineArgs(n[0], n[top], p, maxBatch);
    this.math = new LayerMath(spec);
    this.sumScratch = new float[p];
    try {
      Cuda.check(cuInit(0), "cuInit");
      Cuda.check(cuDeviceGet(device, 0), "cuDeviceGet(0)");
      // The primary context is the one cuBLAS (runtime API) uses too.
      Cuda.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
      owned.add(() -> Cuda.check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease"));
      enter();
      Cuda.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
      owned.add(() -> Cuda.check(cuStreamDestroy(stream), "cuStreamDestroy"));
      kernels = owned.add(new DeviceKernels(Kernels.ptx(), stream));
      gemm = owned.add(Gemm.create(cublas, kernels, stream));
      params = owned.add(new DeviceBuffer(p));
      sums = owned.add(new DeviceBuffer(p));
      optimizer = new DeviceOptimizer(spec, settings, owned, stream);
      acts = new DeviceBuffer[n.length];
      deltas = new DeviceBuffer[n.length];
      for (int l = 0; l < n.length; l++) {
        acts[l] = owned.add(new DeviceBuffer((long) (n[l] + 1) * maxBatch));
        kernels.launch(Kernels.FILL_ROWS, maxBatch, 1, maxBatch, n[l] + 1, n[l], 1f,
            acts[l].at(0));
        if (l > 0) {
          deltas[l] = owned.add(new DeviceBuffer((long) n[l] * maxBatch));
        }
      }
      targets = owned.add(new DeviceBuffer((long) n[top] * maxBatch));
      costs = owned.add(new DeviceBuffer(maxBatch));
      inStage = owned.add(new HostBuffer((n[0] + 1) * maxBatch));
      targetStage = owned.add(new HostBuffer(n[top] * maxBatch));
      hostCosts = owned.add(new HostBuffer(maxBatch));
      hostSums = owned.add(new HostBuffer(p));
      for (int s = 0; s < maxBatch; s++) {
        inStage.floats().put(n[0] + s * (n[0] + 1), 1f);
      }
      waitForStream();
    } catch (Throwable t) {
      throw startFailure(owned.closeAfter(t), probe);
    }
  }

  /** A constructor failure as an unchecked exception that says what failed on which device. */
  private static RuntimeException startFailure(Throwable t, CudaProbe.Result probe) {
    if (t instanceof Error && !(t instanceof LinkageError)) {
      throw (Error) t;
    }
    String what = t instanceof LinkageError
        ? CudaProbe.nativeLoadFailure(t, "libcuda.so", "no CUDA driver")
        : t.getMessage() != null ? t.getMessage() : t.toString();
    CudaProbe.Result first = CudaProbe.result();
    if (t instanceof LinkageError && !first.usable && !what.contains(first.reason)) {
      // A later JCuda call only says that its class failed to load; the probe knows why.
      what += " (the probe found: " + first.reason + ")";
    }
    return new IllegalStateException("the cuda engine could not start on "
        + (probe.device.isEmpty() ? "device 0" : probe.device) + ": " + what, t);
  }

  /** Makes the engine's context current on the calling thread. */
  private void enter() {
    if (closed) {
      throw new IllegalStateException("the cuda engine is closed");
    }
    Cuda.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  /** Waits until everything queued has run (not the whole context: only this stream). */
  private void waitForStream() {
    Cuda.check(cuStreamSynchronize(stream), "cuStreamSynchronize (an earlier kernel or copy"
        + " may have failed)");
    pinnedInFlight = false;
  }

  private void beforeHostTouchesPinned() {
    if (pinnedInFlight) {
      waitForStream();
    }
  }

  /** The path of matrix products: {@code cuBLAS} or {@code own sgemm kernel}. */
  String sgemmPath() {
    return gemm.describe();
  }

  @Override
  public NetworkSpec spec() {
    return spec;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public void setParameters(float[] p) {
    args.parameters(p, "parameters");
    enter();
    waitForStream(); // queued updates still read the old parameters
    params.upload(p, 0, 0, p.length);
  }

  @Override
  public void getParameters(float[] dst) {
    args.parameters(dst, "parameter buffer");
    enter();
    waitForStream();
    params.download(0, dst, 0, dst.length);
  }

  @Override
  public double trainStep(float[] x, float[] t, int batch, long step, Gradients scratch) {
    args.batch(x, t, batch);
    enter();
    double cost = forwardBackward(x, t, batch, null, null);
    if (Double.isFinite(cost)) {
      update(batch);
    }
    return cost;
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out) {
    args.batch(x, t, batch);
    args.parameters(out.sums(), "gradient buffer");
    enter();
    double cost = forwardBackward(x, t, batch, null, null);
    sums.downloadAsync(0, hostSums, 0, sumScratch.length, stream);
    addDownloaded(out.sums(), 0, sumScratch.length);
    out.addSamples(batch, cost);
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out,
      GradientListener ready) {
    checkNotNull(ready, "ready listener is null; pass (offset, length) -> {} to ignore reports");
    args.batch(x, t, batch);
    args.parameters(out.sums(), "gradient buffer");
    enter();
    double cost = forwardBackward(x, t, batch, out.sums(), ready);
    // Count and cost are no part of the reported ranges (GradientListener's contract).
    out.addSamples(batch, cost);
  }

  /** Waits for the queued download into {@link #hostSums} and adds that range into dst. */
  private void addDownloaded(float[] dst, int off, int len) {
    waitForStream();
    hostSums.floats().get(off, sumScratch, off, len);
    for (int i = off; i < off + len; i++) {
      dst[i] += sumScratch[i];
    }
  }

  @Override
  public void applyUpdate(Gradients g) {
    checkArgument(g.count() > 0, "no samples in the gradients to apply");
    args.parameters(g.sums(), "gradient sums");
    enter();
    beforeHostTouchesPinned();
    hostSums.floats().put(0, g.sums(), 0, g.sums().length);
    sums.uploadAsync(hostSums, 0, 0, g.sums().length, stream);
    pinnedInFlight = true;
    update(g.count());
  }

  @Override
  public void predict(float[] x, int count, float[] y) {
    args.predict(x, count, y);
    enter();
    float[] out = new float[(n[top] + 1) * Math.min(count, maxBatch)];
    for (int from = 0; from < count; from += maxBatch) {
      int b = Math.min(maxBatch, count - from);
      stageInputs(x, from, b);
      forward(b);
      waitForStream();
      acts[top].download(0, out, 0, (n[top] + 1) * b);
      for (int s = 0; s < b; s++) {
        System.arraycopy(out, s * (n[top] + 1), y, (from + s) * n[top], n[top]);
      }
    }
  }

  /** Copies samples {@code from .. from+batch-1} of x behind their bias rows and queues them. */
  private void stageInputs(float[] x, int from, int batch) {
    beforeHostTouchesPinned();
    int in = n[0];
    FloatBuffer stage = inStage.floats();
    for (int s = 0; s < batch; s++) {
      stage.put(s * (in + 1), x, (from + s) * in, in);
    }
    acts[0].uploadAsync(inStage, 0, 0, (in + 1) * batch, stream);
    pinnedInFlight = true;
  }

  private void forward(int batch) {
    for (int l = 1; l <= top; l++) {
      int k = n[l - 1] + 1;
      gemm.sgemm(true, false, n[l], batch, k, 1f, params.at(spec.offset(l)), k, acts[l - 1].at(0),
          k, 0f, acts[l].at(0), n[l] + 1);
      math.forward(kernels, l, acts[l], n[l], batch);
    }
  }

  /**
   * Forward and backward over one batch, gradient sums left in {@link #sums} on the device. With
   * a listener, each weight block is also added into {@code hostOut} and reported as soon as its
   * product has run: block {@code l} is written by that one product only, so it is final then.
   */
  private double forwardBackward(float[] x, float[] t, int batch, float[] hostOut,
      GradientListener ready) {
    stageInputs(x, 0, batch);
    // The targets go with the inputs: the copy overlaps the forward pass.
    targetStage.floats().put(0, t, 0, n[top] * batch);
    targets.uploadAsync(targetStage, 0, 0, n[top] * batch, stream);
    forward(batch);
    math.outputDelta(kernels, acts[top], targets, deltas[top], costs, n[top], batch);
    for (int l = top; l >= 1; l--) {
      int in = n[l - 1];
      int k = in + 1;
      gemm.sgemm(false, true, k, n[l], batch, 1f, acts[l - 1].at(0), k, deltas[l].at(0), n[l],
          0f, sums.at(spec.offset(l)), k);
      if (ready != null) {
        // Reported before layer l-1's errors are queued, so sending block l overlaps them.
        sums.downloadAsync(spec.offset(l), hostSums, spec.offset(l), spec.blockSize(l), stream);
        addDownloaded(hostOut, spec.offset(l), spec.blockSize(l));
        // In the blocks every engine reports (GradientBlocks), so a group may mix engines.
        int step = GradientBlocks.neuronsPerBlock(spec, l) * k;
        for (int b = 0; b < spec.blockSize(l); b += step) {
          ready.ready(spec.offset(l) + b, Math.min(step, spec.blockSize(l) - b));
        }
      }
      if (l - 1 >= 1) {
        gemm.sgemm(false, false, in, batch, n[l], 1f, params.at(spec.offset(l)), k,
            deltas[l].at(0), n[l], 0f, deltas[l - 1].at(0), in);
        math.backward(kernels, l - 1, acts[l - 1], deltas[l - 1], in, batch);
      }
    }
    costs.downloadAsync(0, hostCosts, 0, batch, stream);
    waitForStream();
    double c = 0;
    for (int s = 0; s < batch; s++) {
      c += hostCosts.floats().get(s);
    }
    return c;
  }

  private void update(int count) {
    optimizer.update(kernels, params, sums, count);
  }

  @Override
  public OptimizerState optimizerState() {
    enter();
    waitForStream();
    return optimizer.state();
  }

  @Override
  public void restoreOptimizerState(OptimizerState state) {
    optimizer.check(state);
    enter();
    waitForStream();
    optimizer.upload(state);
  }

  /** Releases the device memory, the pinned buffers, the stream and the context; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      enter();
      waitForStream();
    } finally {
      closed = true;
      owned.close();
    }
  }
}
