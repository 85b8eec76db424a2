package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * A trained network: its {@link NetworkSpec}, its parameters in the spec's flat layout, and
 * provenance metadata (configuration, data path, date, accuracy) as string pairs.
 *
 * <p>The parameter array is copied in and out, so a {@code Model} is immutable and thread-safe;
 * {@link #adopting} alone takes an array without a copy, from a caller that gives it up.
 */
public final class Model {
  private final NetworkSpec spec;
  private final float[] parameters;
  private final ImmutableMap<String, String> metadata;

  public Model(NetworkSpec spec, float[] parameters, Map<String, String> metadata) {
    this(spec, checkNotNull(parameters, "parameters").clone(), metadata, true);
  }

  private Model(NetworkSpec spec, float[] owned, Map<String, String> metadata, boolean unused) {
    this.spec = checkNotNull(spec, "spec");
    checkArgument(owned.length == spec.parameterCount(),
        "model has %s parameters but its spec needs %s", owned.length, spec.parameterCount());
    this.parameters = owned;
    this.metadata = ImmutableMap.copyOf(checkNotNull(metadata, "metadata"));
  }

  /**
   * A model that takes {@code parameters} itself, without a copy: for a caller done with a
   * vector too large to hold twice (a model-parallel leader's checkpoint, assembled from its
   * members' slices). The caller must not change the array afterwards, or the model is no
   * longer immutable.
   */
  public static Model adopting(NetworkSpec spec, float[] parameters,
      Map<String, String> metadata) {
    return new Model(spec, checkNotNull(parameters, "parameters"), metadata, true);
  }

  /** The parameters themselves, for this package's writers, which only read them. */
  float[] parametersUnsafe() {
    return parameters;
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** A copy of the parameters. */
  public float[] parameters() {
    return parameters.clone();
  }

  /** Reads parameter {@code i} without copying the array. */
  public float parameter(int i) {
    return parameters[i];
  }

  public ImmutableMap<String, String> metadata() {
    return metadata;
  }

  /** A copy with extra metadata entries (later keys win). */
  public Model withMetadata(Map<String, String> extra) {
    Map<String, String> m = new java.util.LinkedHashMap<>(metadata);
    m.putAll(extra);
    // Both are immutable: they share the parameters (a checkpoint writer adds its entries to a
    // model that may be as large as the heap allows).
    return new Model(spec, parameters, m, true);
  }
}
