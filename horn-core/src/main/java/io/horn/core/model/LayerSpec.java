package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.Neuron;
import io.horn.core.activation.ActivationFunction;
import java.util.Objects;

/**
 * One layer of a network: its width, the squashing function of its neurons, the neuron program
 * that runs them, and the probability that a unit is dropped while training.
 *
 * <p>Immutable and thread-safe.
 */
public final class LayerSpec {
  private final int size;
  private final Class<? extends ActivationFunction> activation;
  private final Class<? extends Neuron> neuron;
  private final float dropRate;

  public LayerSpec(
      int size,
      Class<? extends ActivationFunction> activation,
      Class<? extends Neuron> neuron,
      float dropRate) {
    checkArgument(size > 0, "layer size must be positive, got %s", size);
    this.activation = checkNotNull(activation, "activation function class");
    this.neuron = checkNotNull(neuron, "neuron class");
    checkArgument(
        dropRate >= 0f && dropRate < 1f, "drop rate must be in [0, 1), got %s", dropRate);
    this.size = size;
    this.dropRate = dropRate;
  }

  public int size() {
    return size;
  }

  public Class<? extends ActivationFunction> activation() {
    return activation;
  }

  public Class<? extends Neuron> neuron() {
    return neuron;
  }

  /** Probability that a unit of this layer is dropped in a training step; 0 disables dropout. */
  public float dropRate() {
    return dropRate;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LayerSpec)) {
      return false;
    }
    LayerSpec l = (LayerSpec) o;
    return size == l.size
        && activation == l.activation
        && neuron == l.neuron
        && Float.compare(dropRate, l.dropRate) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, activation, neuron, dropRate);
  }

  @Override
  public String toString() {
    return size + " " + activation.getSimpleName() + " " + neuron.getSimpleName()
        + (dropRate > 0 ? " drop=" + dropRate : "");
  }
}
