package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * A trained network: its {@link NetworkSpec}, its parameters in the spec's flat layout, and
 * provenance metadata (configuration, data path, date, accuracy) as string pairs.
 *
 * <p>The parameter array is copied in and out, so a {@code Model} is immutable and thread-safe.
 */
public final class Model {
  private final NetworkSpec spec;
  private final float[] parameters;
  private final ImmutableMap<String, String> metadata;

  public Model(NetworkSpec spec, float[] parameters, Map<String, String> metadata) {
    this.spec = checkNotNull(spec, "spec");
    checkNotNull(parameters, "parameters");
    checkArgument(parameters.length == spec.parameterCount(),
        "model has %s parameters but its spec needs %s", parameters.length, spec.parameterCount());
    this.parameters = parameters.clone();
    this.metadata = ImmutableMap.copyOf(checkNotNull(metadata, "metadata"));
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
    return new Model(spec, parameters, m);
  }
}
