package io.horn.cuda;

import static com.google.common.base.Preconditions.checkArgument;

import io.horn.core.TrainingMethod;
import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.NetworkSpec;
import io.horn.core.optimizer.OptimizerState;

/**
 * The optimizer's state on the device (previous steps, Adam's moments) and the update kernels
 * that apply gradient sums to the parameters, one launch per weight block, with the CPU engine's
 * rules (the bias row of each column gets no weight decay).
 *
 * <p>Confined to its engine; calls need the engine's context current, and the state copies need
 * its stream idle (the engine waits for it first).
 */
final class DeviceOptimizer {
  private final NetworkSpec spec;
  private final TrainingSettings settings;
  private final DeviceBuffer prev;
  private final DeviceBuffer adamM;
  private final DeviceBuffer adamV;
  private long adamStep;
  private long updates;

  /** Allocates the state through {@code owned} and queues its zeroing on the engine's stream. */
  DeviceOptimizer(NetworkSpec spec, TrainingSettings settings, Resources owned,
      jcuda.driver.CUstream stream) {
    this.spec = spec;
    this.settings = settings;
    int p = spec.parameterCount();
    prev = owned.add(new DeviceBuffer(p));
    prev.zero(stream);
    boolean adam = settings.method == TrainingMethod.ADAM;
    adamM = adam ? owned.add(new DeviceBuffer(p)) : null;
    adamV = adam ? owned.add(new DeviceBuffer(p)) : null;
    if (adam) {
      adamM.zero(stream);
      adamV.zero(stream);
    }
  }

  /** Queues {@code params -= update(sums / count)} for every weight block. */
  void update(DeviceKernels kernels, DeviceBuffer params, DeviceBuffer sums, int count) {
    float inv = 1f / count;
    updates++;
    if (adamM != null) {
      adamStep++;
    }
    for (int l = 1; l < spec.depth(); l++) {
      int off = spec.offset(l);
      int len = spec.blockSize(l);
      int col = spec.size(l - 1) + 1;
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

  /** The state on the host; the engine's stream must be idle. */
  OptimizerState state() {
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
    return new OptimizerState(updates, hostPrev, m, v);
  }

  /** Checks {@code state} against this network and method, then uploads it. */
  void check(OptimizerState state) {
    int p = spec.parameterCount();
    checkArgument(state.size() == p,
        "the saved optimizer state covers %s parameters, this network has %s", state.size(), p);
    checkArgument(state.hasMoments() == (adamM != null), "the saved optimizer state %s Adam's "
        + "moments, but this job trains with %s", state.hasMoments() ? "holds" : "lacks",
        settings.method);
  }

  /** Uploads a state {@link #check} accepted; the engine's stream must be idle. */
  void upload(OptimizerState state) {
    int p = spec.parameterCount();
    prev.upload(state.prev(), 0, 0, p);
    if (adamM != null) {
      adamM.upload(state.adamM(), 0, 0, p);
      adamV.upload(state.adamV(), 0, 0, p);
      adamStep = state.updates();
    }
    updates = state.updates();
  }
}
