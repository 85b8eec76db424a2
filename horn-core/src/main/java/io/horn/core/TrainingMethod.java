package io.horn.core;

/** The optimizer that trains built-in neurons. */
public enum TrainingMethod {
  /** Mini-batch gradient descent with momentum: {@code Δ = -η (g + λw) + μ Δ_prev}. */
  GRADIENT_DESCENT,
  /** Adam (Kingma &amp; Ba, "Adam: a method for stochastic optimization", ICLR 2015). */
  ADAM
}
