/**
 * Export of Horn models to ONNX ({@link io.horn.core.onnx.OnnxExport}), so that a model trained
 * with Horn can be served by ONNX Runtime, TensorRT, DJL, or any other ONNX consumer. The graph
 * and its names are described in docs/onnx.md.
 */
package io.horn.core.onnx;
