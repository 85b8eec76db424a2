package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.horn.core.Neuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.cost.CostFunction;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a feed-forward network: its layers, from input to output, and its cost function.
 *
 * <p>Parameters are laid out in one flat {@code float[]}: for each weight layer {@code l} (1 ..
 * L), a column-major block of {@code (n[l-1] + 1) × n[l]} floats in which column {@code j} holds
 * the weights of the synapses into neuron {@code j} of layer {@code l} followed by its bias. Every
 * part of Horn (the engine, optimizers, model files, the parameter server) shares this layout.
 *
 * <p>Immutable and thread-safe.
 */
public final class NetworkSpec {
  private final ImmutableList<LayerSpec> layers;
  private final Class<? extends CostFunction> cost;
  private final int[] offsets;

  public NetworkSpec(List<LayerSpec> layers, Class<? extends CostFunction> cost) {
    checkNotNull(layers, "layers");
    checkArgument(layers.size() >= 2, "a network needs an input and an output layer, got %s layer(s)",
        layers.size());
    this.layers = ImmutableList.copyOf(layers);
    this.cost = checkNotNull(cost, "cost function class");
    offsets = new int[layers.size() + 1];
    long total = 0;
    for (int l = 1; l < layers.size(); l++) {
      offsets[l] = (int) total;
      int inputs = layers.get(l - 1).size();
      int outputs = layers.get(l).size();
      // In long throughout: (inputs + 1) in int wraps for a layer of Integer.MAX_VALUE neurons.
      total += SizeLimits.blockSize(inputs, outputs);
      SizeLimits.checkParameterCount(total, l, inputs, outputs);
    }
    offsets[layers.size()] = (int) total;
  }

  public ImmutableList<LayerSpec> layers() {
    return layers;
  }

  public LayerSpec layer(int l) {
    return layers.get(l);
  }

  /** Number of layers, input and output included. */
  public int depth() {
    return layers.size();
  }

  public int size(int l) {
    return layers.get(l).size();
  }

  public int inputSize() {
    return layers.get(0).size();
  }

  public int outputSize() {
    return layers.get(layers.size() - 1).size();
  }

  public Class<? extends CostFunction> cost() {
    return cost;
  }

  /** Offset in the flat parameter array of the block of weight layer {@code l} (1-based). */
  public int offset(int l) {
    checkArgument(l >= 1 && l < layers.size(), "weight layer %s out of range", l);
    return offsets[l];
  }

  /** Floats in the block of weight layer {@code l}: {@code (n[l-1] + 1) * n[l]}. */
  public int blockSize(int l) {
    checkArgument(l >= 1 && l < layers.size(), "weight layer %s out of range", l);
    return offsets[l + 1] - offsets[l];
  }

  public int parameterCount() {
    return offsets[layers.size()];
  }

  /**
   * A one-line form of the spec, {@code size,activation,neuron,dropRate;...|cost}, with class
   * names in full; it travels in job configurations and model files.
   */
  public String toConfString() {
    StringBuilder sb = new StringBuilder();
    for (LayerSpec l : layers) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(l.size()).append(',').append(l.activation().getName()).append(',')
          .append(l.neuron().getName()).append(',').append(l.dropRate());
    }
    return sb.append('|').append(cost.getName()).toString();
  }

  /** Parses {@link #toConfString()}; unknown classes fail with a message naming them. */
  public static NetworkSpec parse(String s, ClassLoader loader) {
    checkNotNull(s, "network spec string");
    int bar = s.lastIndexOf('|');
    checkArgument(bar > 0, "malformed network spec (no '|cost'): %s", s);
    List<LayerSpec> layers = new ArrayList<>();
    for (String part : s.substring(0, bar).split(";")) {
      String[] f = part.split(",");
      checkArgument(f.length == 4, "malformed layer '%s' in network spec", part);
      int size;
      float drop;
      try {
        size = Integer.parseInt(f[0].trim());
        drop = Float.parseFloat(f[3].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("malformed layer '" + part + "' in network spec", e);
      }
      layers.add(new LayerSpec(size,
          Classes.load(f[1].trim(), ActivationFunction.class, loader),
          Classes.load(f[2].trim(), Neuron.class, loader), drop));
    }
    return new NetworkSpec(layers, Classes.load(s.substring(bar + 1).trim(), CostFunction.class, loader));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec
        && layers.equals(((NetworkSpec) o).layers)
        && cost == ((NetworkSpec) o).cost;
  }

  @Override
  public int hashCode() {
    return layers.hashCode() * 31 + cost.hashCode();
  }

  @Override
  public String toString() {
    return layers + " cost=" + cost.getSimpleName();
  }
}
