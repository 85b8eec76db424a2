package io.horn.core.onnx;

/**
 * A model that ONNX cannot express as Horn runs it: a layer of user-written neurons (their
 * {@code forward} is arbitrary Java), an activation function without an ONNX operator, or a
 * model too large for one ONNX file. The message names the layer and the class.
 */
public final class UnsupportedModelException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnsupportedModelException(String message) {
    super(message);
  }
}
