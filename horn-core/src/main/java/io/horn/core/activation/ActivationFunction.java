package io.horn.core.activation;

/**
 * A neuron's squashing function {@code y = f(x)}.
 *
 * <p>Two faces: the scalar {@link #apply}/{@link #applyDerivative} pair that user-written neurons
 * call (as in Apache Horn), and the block methods the engine calls on whole layers of a
 * mini-batch. The derivative is expressed through the <em>output</em> {@code y}, the way a neuron
 * sees it in {@code backward} ({@code getOutput()}); every built-in function admits that form.
 *
 * <p>Block layout: a column-major matrix of {@code n} rows (units) and {@code cols} columns
 * (samples) starting at {@code off} with leading dimension {@code ld >= n}.
 *
 * <p>Contract: implementations are stateless, have a public no-argument constructor, and are safe
 * to share between threads.
 */
public abstract class ActivationFunction {

  /** {@code f(x)}. */
  public abstract double apply(double x);

  /** {@code f'(x)} written through {@code y = f(x)}. */
  public abstract double applyDerivative(double output);

  /**
   * Whether the function couples the units of a layer (softmax). A user neuron of such a layer
   * sees the identity as its {@code squashingFunction}; the engine then normalises the layer.
   */
  public boolean isLayerWise() {
    return false;
  }

  /** In place: {@code a = f(a)} over a block. */
  public void forward(float[] a, int off, int n, int cols, int ld) {
    for (int c = 0; c < cols; c++) {
      int base = off + c * ld;
      for (int i = base; i < base + n; i++) {
        a[i] = (float) apply(a[i]);
      }
    }
  }

  /**
   * In place: turns {@code g = dC/dy} into {@code dC/dx}, given the outputs {@code y} of the
   * same block ({@code g *= f'(y)} for element-wise functions).
   */
  public void backward(float[] y, int yOff, int yLd, float[] g, int gOff, int gLd, int n, int cols) {
    for (int c = 0; c < cols; c++) {
      int yb = yOff + c * yLd;
      int gb = gOff + c * gLd;
      for (int i = 0; i < n; i++) {
        g[gb + i] *= (float) applyDerivative(y[yb + i]);
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName();
  }
}
