package io.horn.core.model;

import java.io.IOException;

/**
 * A model's parameters in the spec's flat order, handed to a writer piece by piece, for a
 * trainer that never holds the whole vector (a model-parallel group's leader receives its
 * members' slices one run at a time). {@link ModelFile#save(NetworkSpec, java.util.Map,
 * ParameterStream, java.nio.file.Path)} writes one.
 *
 * <p>Contract: {@link #writeTo} is called at most once and hands every parameter exactly once,
 * in order; the writer checks the count. Thread-safety: none needed; one writer calls it.
 */
@FunctionalInterface
public interface ParameterStream {

  /** Hands all parameters to {@code sink}, in order, in pieces of any size. */
  void writeTo(Sink sink) throws IOException;

  /** Receives {@code values[off, off+len)}, the next parameters in order. */
  @FunctionalInterface
  interface Sink {
    void accept(float[] values, int off, int len) throws IOException;
  }

  /** A stream of a whole array. */
  static ParameterStream of(float[] parameters) {
    return sink -> sink.accept(parameters, 0, parameters.length);
  }
}
