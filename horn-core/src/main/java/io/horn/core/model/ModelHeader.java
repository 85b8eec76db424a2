package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;

/**
 * What a model file says about its model, read by {@link ModelFile#readHeader} without loading
 * any of the classes it names: layer shapes, the names of the activation, neuron and cost
 * classes, metadata and the parameter count. Meant for tools that describe a model ({@code horn
 * info}) on a machine that may lack the model's classes.
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelHeader {
  private final int formatVersion;
  private final long fileSize;
  private final String specString;
  private final ImmutableList<Integer> layerSizes;
  private final ImmutableList<String> activations;
  private final ImmutableList<String> neurons;
  private final ImmutableList<Float> dropRates;
  private final String cost;
  private final ImmutableMap<String, String> metadata;
  private final int parameterCount;

  ModelHeader(int formatVersion, long fileSize, String specString, List<Integer> layerSizes,
      List<String> activations, List<String> neurons, List<Float> dropRates, String cost,
      Map<String, String> metadata, int parameterCount) {
    checkArgument(layerSizes.size() == activations.size()
        && layerSizes.size() == neurons.size() && layerSizes.size() == dropRates.size(),
        "per-layer lists differ in length");
    this.formatVersion = formatVersion;
    this.fileSize = fileSize;
    this.specString = checkNotNull(specString, "spec string");
    this.layerSizes = ImmutableList.copyOf(layerSizes);
    this.activations = ImmutableList.copyOf(activations);
    this.neurons = ImmutableList.copyOf(neurons);
    this.dropRates = ImmutableList.copyOf(dropRates);
    this.cost = checkNotNull(cost, "cost");
    this.metadata = ImmutableMap.copyOf(metadata);
    this.parameterCount = parameterCount;
  }

  /** The version of the file's format ({@link ModelFile#FORMAT_VERSION} when written now). */
  public int formatVersion() {
    return formatVersion;
  }

  /** The file's length in bytes. */
  public long fileSize() {
    return fileSize;
  }

  /** The network spec as {@link NetworkSpec#toConfString()} wrote it. */
  public String specString() {
    return specString;
  }

  /** Number of layers, input and output included. */
  public int depth() {
    return layerSizes.size();
  }

  /** The width of each layer, input first. */
  public ImmutableList<Integer> layerSizes() {
    return layerSizes;
  }

  /** The fully qualified activation class name of each layer. */
  public ImmutableList<String> activations() {
    return activations;
  }

  /** The fully qualified neuron class name of each layer. */
  public ImmutableList<String> neurons() {
    return neurons;
  }

  /** The dropout rate of each layer. */
  public ImmutableList<Float> dropRates() {
    return dropRates;
  }

  /** The fully qualified cost function class name. */
  public String cost() {
    return cost;
  }

  public ImmutableMap<String, String> metadata() {
    return metadata;
  }

  public int parameterCount() {
    return parameterCount;
  }

  @Override
  public String toString() {
    return "ModelHeader[v" + formatVersion + ", layers=" + layerSizes + ", cost=" + cost
        + ", parameters=" + parameterCount + ", metadata=" + metadata + "]";
  }
}
