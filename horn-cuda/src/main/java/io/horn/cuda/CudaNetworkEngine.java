package io.horn.cuda;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.math.GradientBlocks;
import io.horn.core.math.GradientListener;
import io.horn.core.math.Gradients;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * The GPU engine: the same math as horn-core's CPU engine for networks of built-in neurons, with
 * the parameters, optimizer state, activations, errors and gradient sums all resident on the
 * device. Per step only the batch goes in and one cost per sample comes out; parameters cross
 * only when asked ({@link #getParameters}) and gradient sums only for in-group reductions
 * ({@link #computeGradients}).
 *
 * <p>Gradient readiness: {@link #computeGradients(float[], float[], int, long, Gradients,
 * GradientListener)} copies weight block {@code l}'s sums to the host right after the kernel that
 * makes them, adds them into the caller's sums and reports the block, top layer first, before it
 * queues the errors of layer {@code l-1}; the caller can send a block while the GPU works on the
 * layers below. The five-argument call keeps the single copy at the end: without a listener, a
 * synchronisation per layer would buy nothing.
 *
 * <p>Layouts are the CPU engine's: column-major, one sample per column, activation blocks with a
 * bias row of ones, weight blocks of {@code (n[l-1] + 1) × n[l]}.
 *
 * <p>Thread-safety: none. The primary context is made current on the thread that creates the
 * engine; drive it from that thread.
 */
final class CudaNetworkEngine implements NetworkEngine {
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final int maxBatch;
  private final int top;
  private final int[] n;
  private final LayerMath math;
  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final DeviceKernels kernels;
  private final Gemm gemm;
  private final DeviceBuffer params;
  private final DeviceBuffer prev;
  private final DeviceBuffer sums;
  private final DeviceBuffer adamM;
  private final DeviceBuffer adamV;
  private final DeviceBuffer[] acts;
  private final DeviceBuffer[] deltas;
  private final DeviceBuffer targets;
  private final DeviceBuffer costs;
  private final float[] stage;
  private final float[] hostCosts;
  /** Host copy of the device sums, made once: a gradient download allocates nothing per step. */
  private final float[] hostSums;
  private long adamStep;
  private long updates;

  CudaNetworkEngine(NetworkSpec spec, TrainingSettings settings, int maxBatch,
      CudaProbe.Result probe) {
    checkArgument(maxBatch > 0, "maxBatch must be positive");
    String why = LayerMath.unsupported(spec, settings);
    checkArgument(why == null, "the cuda backend cannot run this network: %s", why);
    if (!probe.usable) {
      throw new IllegalStateException("CUDA is not usable here: " + probe.reason);
    }
    this.spec = spec;
    this.settings = settings;
    this.maxBatch = maxBatch;
    this.top = spec.depth() - 1;
    this.n = new int[spec.depth()];
    for (int l = 0; l < n.length; l++) {
      n[l] = spec.size(l);
    }
    this.math = new LayerMath(spec);
    JCudaDriver.setExceptionsEnabled(true);
    cuInit(0);
    cuDeviceGet(device, 0);
    // The primary context is the one cuBLAS (runtime API) uses too.
    cuDevicePrimaryCtxRetain(context, device);
    cuCtxSetCurrent(context);
    kernels = new DeviceKernels(Kernels.ptx());
    gemm = Gemm.create(probe.cublas, kernels);
    int p = spec.parameterCount();
    params = new DeviceBuffer(p);
    prev = new DeviceBuffer(p);
    sums = new DeviceBuffer(p);
    prev.zero();
    sums.zero();
    boolean adam = settings.method == io.horn.core.TrainingMethod.ADAM;
    adamM = adam ? new DeviceBuffer(p) : null;
    adamV = adam ? new DeviceBuffer(p) : null;
    if (adam) {
      adamM.zero();
      adamV.zero();
    }
    acts = new DeviceBuffer[n.length];
    deltas = new DeviceBuffer[n.length];
    for (int l = 0; l < n.length; l++) {
      acts[l] = new DeviceBuffer((long) (n[l] + 1) * maxBatch);
      kernels.launch(Kernels.FILL_ROWS, maxBatch, 1, maxBatch, n[l] + 1, n[l], 1f,
          acts[l].at(0));
      if (l > 0) {
        deltas[l] = new DeviceBuffer((long) n[l] * maxBatch);
      }
    }
    targets = new DeviceBuffer((long) n[top] * maxBatch);
    costs = new DeviceBuffer(maxBatch);
    stage = new float[(n[0] + 1) * maxBatch];
    hostCosts = new float[maxBatch];
    hostSums = new float[p];
    for (int s = 0; s < maxBatch; s++) {
      stage[n[0] + s * (n[0] + 1)] = 1f;
    }
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
    checkArgument(p.length == spec.parameterCount(), "expected %s parameters, got %s",
        spec.parameterCount(), p.length);
    params.upload(p, 0, 0, p.length);
  }

  @Override
  public void getParameters(float[] dst) {
    checkArgument(dst.length == spec.parameterCount(), "expected room for %s parameters",
        spec.parameterCount());
    params.download(0, dst, 0, dst.length);
  }

  @Override
  public double trainStep(float[] x, float[] t, int batch, long step, Gradients scratch) {
    sums.zero();
    double cost = forwardBackward(x, t, batch, null, null);
    if (Double.isFinite(cost)) {
      update(batch);
    }
    return cost;
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out) {
    checkSums(out);
    sums.zero();
    double cost = forwardBackward(x, t, batch, null, null);
    addToHost(out.sums(), 0, hostSums.length);
    out.addSamples(batch, cost);
  }

  @Override
  public void computeGradients(float[] x, float[] t, int batch, long step, Gradients out,
      GradientListener ready) {
    checkNotNull(ready, "ready listener is null; pass (offset, length) -> {} to ignore reports");
    checkSums(out);
    sums.zero();
    double cost = forwardBackward(x, t, batch, out.sums(), ready);
    // Count and cost are no part of the reported ranges (GradientListener's contract).
    out.addSamples(batch, cost);
  }

  private void checkSums(Gradients out) {
    checkArgument(out.sums().length == spec.parameterCount(),
        "gradient buffer has %s entries, need %s", out.sums().length, spec.parameterCount());
  }

  /**
   * Adds the device sums {@code [off, off + len)} into {@code dst} over the same range. The
   * context synchronisation first makes sure every kernel queued so far, this block's gradient
   * product included, has finished, whatever stream cuBLAS or the kernels ran on: a bare {@code
   * cuMemcpyDtoH} is ordered only by default-stream semantics, which would not cover a
   * non-blocking or per-thread stream. It costs little, as the copy waits for that work anyway.
   * The copy into pageable memory is synchronous, so the range is final on the host on return.
   */
  private void addToHost(float[] dst, int off, int len) {
    cuCtxSynchronize();
    sums.download(off, hostSums, off, len);
    for (int i = off; i < off + len; i++) {
      dst[i] += hostSums[i];
    }
  }

  @Override
  public void applyUpdate(Gradients g) {
    checkArgument(g.count() > 0, "no samples in the gradients to apply");
    sums.upload(g.sums(), 0, 0, g.sums().length);
    update(g.count());
  }

  @Override
  public void predict(float[] x, int count, float[] y) {
    checkArgument(y.length >= n[top] * count, "output buffer too small");
    float[] out = new float[(n[top] + 1) * maxBatch];
    for (int from = 0; from < count; from += maxBatch) {
      int b = Math.min(maxBatch, count - from);
      float[] chunk = new float[n[0] * b];
      System.arraycopy(x, from * n[0], chunk, 0, chunk.length);
      forward(chunk, b);
      acts[top].download(0, out, 0, (n[top] + 1) * b);
      for (int s = 0; s < b; s++) {
        System.arraycopy(out, s * (n[top] + 1), y, (from + s) * n[top], n[top]);
      }
    }
  }

  private void forward(float[] x, int batch) {
    checkArgument(batch > 0 && batch <= maxBatch, "batch of %s, engine takes 1..%s", batch,
        maxBatch);
    int in = n[0];
    for (int s = 0; s < batch; s++) {
      System.arraycopy(x, s * in, stage, s * (in + 1), in);
    }
    acts[0].upload(stage, 0, 0, (in + 1) * batch);
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
   * product has run: block {@code l} is written by that one kernel only ({@code beta = 1} into a
   * freshly zeroed buffer), so it is final then.
   */
  private double forwardBackward(float[] x, float[] t, int batch, float[] hostOut,
      GradientListener ready) {
    forward(x, batch);
    targets.upload(t, 0, 0, n[top] * batch);
    math.outputDelta(kernels, acts[top], targets, deltas[top], costs, n[top], batch);
    for (int l = top; l >= 1; l--) {
      int in = n[l - 1];
      int k = in + 1;
      gemm.sgemm(false, true, k, n[l], batch, 1f, acts[l - 1].at(0), k, deltas[l].at(0), n[l],
          1f, sums.at(spec.offset(l)), k);
      if (ready != null) {
        // Reported before layer l-1's errors are queued, so sending block l overlaps them.
        addToHost(hostOut, spec.offset(l), spec.blockSize(l));
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
    costs.download(0, hostCosts, 0, batch);
    cuCtxSynchronize();
    double c = 0;
    for (int s = 0; s < batch; s++) {
      c += hostCosts[s];
    }
    return c;
  }

  private void update(int count) {
    float inv = 1f / count;
    updates++;
    if (adamM != null) {
      adamStep++;
    }
    for (int l = 1; l <= top; l++) {
      int off = spec.offset(l);
      int len = spec.blockSize(l);
      int col = n[l - 1] + 1;
      if (adamM == null) {
        kernels.launch(Kernels.MOMENTUM_SGD, len, len, sums.at(off), inv, settings.learningRate,
            settings.momentumWeight, settings.regularizationWeight, params.at(off), prev.at(off),
            col, 0);
      } else {
        float c1 = (float) (1 - Math.pow(settings.adamBeta1, adamStep));
        float c2 = (float) (1 - Math.pow(settings.adamBeta2, adamStep));
        kernels.launch(Kernels.ADAM, len, len, sums.at(off), inv, settings.learningRate,
            settings.adamBeta1, settings.adamBeta2, settings.adamEpsilon, c1, c2,
            settings.regularizationWeight, col, params.at(off), prev.at(off), adamM.at(off),
            adamV.at(off));
      }
    }
  }

  @Override
  public OptimizerState optimizerState() {
    int p = spec.parameterCount();
    float[] hostPrev = new float[p];
    prev.download(0, hostPrev, 0, p);
    float[] m = null;
    float[] v = null;
    if (adamM != null) {
      m = new float[p];
      v = new float[p];
      adamM.download(0, m, 0, p);
      adamV.download(0, v, 0, p);
    }
    cuCtxSynchronize();
    return new OptimizerState(updates, hostPrev, m, v);
  }

  @Override
  public void restoreOptimizerState(OptimizerState state) {
    int p = spec.parameterCount();
    checkArgument(state.size() == p,
        "the saved optimizer state covers %s parameters, this network has %s", state.size(), p);
    checkArgument(state.hasMoments() == (adamM != null), "the saved optimizer state %s Adam's "
        + "moments, but this job trains with %s", state.hasMoments() ? "holds" : "lacks",
        settings.method);
    prev.upload(state.prev(), 0, 0, p);
    if (adamM != null) {
      adamM.upload(state.adamM(), 0, 0, p);
      adamV.upload(state.adamV(), 0, 0, p);
      adamStep = state.updates();
    }
    updates = state.updates();
    cuCtxSynchronize();
  }

  @Override
  public void close() {
    for (DeviceBuffer b : new DeviceBuffer[] {params, prev, sums, adamM, adamV, targets, costs}) {
      if (b != null) {
        b.close();
      }
    }
    for (int l = 0; l < n.length; l++) {
      acts[l].close();
      if (deltas[l] != null) {
        deltas[l].close();
      }
    }
    gemm.close();
    kernels.close();
    cuDevicePrimaryCtxRelease(device);
  }
}
