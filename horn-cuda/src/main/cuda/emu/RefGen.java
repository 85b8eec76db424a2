import io.horn.core.activation.*;
import io.horn.core.cost.*;
import io.horn.core.optimizer.*;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

/** Writes inputs and horn-core reference outputs for the kernel emulation check. */
public class RefGen {
  static Path dir;
  static void w(String name, float[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : a) b.putFloat(f);
    Files.write(dir.resolve(name + ".bin"), b.array());
  }
  static float[] rnd(Random r, int len, float scale) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = (float) (r.nextGaussian() * scale);
    return a;
  }
  public static void main(String[] args) throws Exception {
    dir = Paths.get(args[0]);
    Files.createDirectories(dir);
    Random r = new Random(42);
    // Element-wise activations: n=7, cols=5, ld=9; row 7 = 1 (bias), row 8 = 123 (sentinel).
    int n = 7, cols = 5, ld = 9;
    float[] a = rnd(r, ld * cols, 3f);
    a[3] = -0f; a[4] = 0f; a[5] = Float.NaN; a[6] = 80f; a[10] = -80f;
    for (int c = 0; c < cols; c++) { a[c * ld + 7] = 1f; a[c * ld + 8] = 123f; }
    w("act_in", a);
    ActivationFunction[] fs = {new ReLU(), new Sigmoid(), new Tanh(), new LeakyReLU()};
    String[] names = {"relu", "sigmoid", "tanh", "leaky_relu"};
    for (int f = 0; f < fs.length; f++) {
      float[] o = a.clone();
      fs[f].forward(o, 0, n, cols, ld);
      w(names[f] + "_forward", o);
      // backward: y = o (yld 9), g with gld 8
      float[] g = rnd(r, 8 * cols, 1f);
      w(names[f] + "_g_in", g);
      float[] go = g.clone();
      fs[f].backward(o, 0, ld, go, 0, 8, n, cols);
      w(names[f] + "_backward", go);
    }
    // Softmax: n=10, cols=37, ld=11 and n=1000, cols=3, ld=1001.
    for (int[] s : new int[][] {{10, 37, 11}, {1000, 3, 1001}}) {
      int sn = s[0], sc = s[1], sl = s[2];
      float[] x = rnd(r, sl * sc, 4f);
      for (int c = 0; c < sc; c++) x[c * sl + sn] = 1f;
      if (sn == 10) x[0] = 60f;
      w("sm_in_" + sn, x);
      float[] y = x.clone();
      new SoftMax().forward(y, 0, sn, sc, sl);
      w("sm_out_" + sn, y);
      float[] g = rnd(r, sn * sc, 1f);
      w("smb_g_" + sn, g);
      float[] go = g.clone();
      new SoftMax().backward(y, 0, sl, go, 0, sn, sn, sc);
      w("smb_out_" + sn, go);
      // targets: one-hot (softmax xent), and random in [0,1] (others)
      float[] t1 = new float[sn * sc];
      for (int c = 0; c < sc; c++) t1[c * sn + r.nextInt(sn)] = 1f;
      w("t1_" + sn, t1);
      float[] t2 = new float[sn * sc];
      for (int i = 0; i < t2.length; i++) t2[i] = r.nextFloat();
      w("t2_" + sn, t2);
      // softmax xent
      CrossEntropy xe = new CrossEntropy();
      float[] d = new float[sn * sc];
      float[] cost = new float[sc];
      xe.outputDelta(y, 0, sl, t1, 0, d, sn, sc, new SoftMax());
      for (int c = 0; c < sc; c++) cost[c] = (float) xe.cost(y, c * sl, t1, c * sn, sn, new SoftMax());
      w("sxd_delta_" + sn, d); w("sxd_cost_" + sn, cost);
      // sigmoid xent on sigmoid outputs
      float[] ys = x.clone();
      new Sigmoid().forward(ys, 0, sn, sc, sl);
      ys[1] = 0f; ys[2] = 1f;  // clamping
      w("sig_y_" + sn, ys);
      d = new float[sn * sc]; cost = new float[sc];
      xe.outputDelta(ys, 0, sl, t2, 0, d, sn, sc, new Sigmoid());
      for (int c = 0; c < sc; c++) cost[c] = (float) xe.cost(ys, c * sl, t2, c * sn, sn, new Sigmoid());
      w("gxd_delta_" + sn, d); w("gxd_cost_" + sn, cost);
      // cross entropy not fused (Identity output: the backward is a no-op)
      d = new float[sn * sc]; cost = new float[sc];
      xe.outputDelta(ys, 0, sl, t2, 0, d, sn, sc, new Identity());
      for (int c = 0; c < sc; c++) cost[c] = (float) xe.cost(ys, c * sl, t2, c * sn, sn, new Identity());
      w("cxd_delta_" + sn, d); w("cxd_cost_" + sn, cost);
      // squared error, identity output on x
      SquaredError se = new SquaredError();
      d = new float[sn * sc]; cost = new float[sc];
      se.outputDelta(x, 0, sl, t2, 0, d, sn, sc, new Identity());
      for (int c = 0; c < sc; c++) cost[c] = (float) se.cost(x, c * sl, t2, c * sn, sn, new Identity());
      w("sed_delta_" + sn, d); w("sed_cost_" + sn, cost);
    }
    // Optimizers: a block of 6 columns of colLen 5 (in = 4), 3 steps.
    int in = 4, out = 6, colLen = in + 1, len = colLen * out;
    float[] p0 = rnd(r, len, 1f);
    w("opt_p0", p0);
    float[][] sums = new float[3][];
    for (int s = 0; s < 3; s++) { sums[s] = rnd(r, len, 10f); w("opt_sums" + s, sums[s]); }
    float inv = 1f / 32, decay = 0.01f;
    {
      MomentumSgd o = new MomentumSgd(0.1f, 0.9f);
      float[] p = p0.clone(), prev = new float[len];
      for (int s = 0; s < 3; s++) {
        o.beginStep();
        for (int j = 0; j < out; j++) {
          int col = j * colLen;
          o.update(p, sums[s], prev, col, in, inv, decay);
          o.update(p, sums[s], prev, col + in, 1, inv, 0f);
        }
      }
      w("sgd_p", p); w("sgd_prev", prev);
    }
    {
      Adam o = new Adam(0.001f, 0.9f, 0.999f, 1e-8f, len);
      float[] p = p0.clone(), prev = new float[len];
      float[] corr = new float[6];
      for (int s = 0; s < 3; s++) {
        o.beginStep();
        corr[2 * s] = (float) (1 - Math.pow(0.9f, s + 1));
        corr[2 * s + 1] = (float) (1 - Math.pow(0.999f, s + 1));
        for (int j = 0; j < out; j++) {
          int col = j * colLen;
          o.update(p, sums[s], prev, col, in, inv, decay);
          o.update(p, sums[s], prev, col + in, 1, inv, 0f);
        }
      }
      w("adam_corr", corr); w("adam_p", p); w("adam_prev", prev);
    }
    // sgemm inputs: A 37x29 (lda 40), B 29x23 (ldb 31) for all trans combos via transposed copies.
    w("gemm_a", rnd(r, 40 * 40, 1f));
    w("gemm_b", rnd(r, 40 * 40, 1f));
    w("gemm_c", rnd(r, 40 * 40, 1f));
  }
}
