package io.horn.examples.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.Identity;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/horn export}: a file that ONNX Runtime runs, and the refusals. */
class ExportCommandTest {
  @TempDir Path dir;

  @Test
  void exportedModelRunsInOnnxRuntime() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), dir.resolve("m.bin"));
    Path onnx = dir.resolve("m.onnx");
    ToolFixtures.Result r = ToolFixtures.run("export", model.toString(), onnx.toString());
    assertEquals(0, r.status, r.toString());
    assertTrue(r.out.contains("opset 13") && r.out.contains("'input' [batch, 3]"), r.out);

    float[] x = {0.1f, 0.9f, 0.3f, 0.7f, 0.2f, 0.0f};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, 3});
        OrtSession.Result out = s.run(Map.of("input", in))) {
      float[][] y = (float[][]) out.get("output").get().getValue();
      for (int sample = 0; sample < 2; sample++) {
        float[] xs = {x[3 * sample], x[3 * sample + 1], x[3 * sample + 2]};
        for (int k = 0; k < ToolFixtures.CLASSES; k++) {
          assertEquals(ToolFixtures.argmaxModelOutput(xs, k), y[sample][k], 1e-5,
              "sample " + sample + ", class " + k);
        }
      }
    }
  }

  /** A neuron whose forward is user code, so the model has no ONNX form. */
  public static final class CustomNeuron extends StandardNeuron {}

  @Test
  void userNeuronsAreRefusedByLayerAndClass() throws Exception {
    NetworkSpec spec = new NetworkSpec(List.of(
        new LayerSpec(3, Identity.class, StandardNeuron.class, 0f),
        new LayerSpec(10, SoftMax.class, CustomNeuron.class, 0f)), CrossEntropy.class);
    Path model = ToolFixtures.save(new Model(spec, new float[spec.parameterCount()], Map.of()),
        dir.resolve("custom.bin"));
    Path onnx = dir.resolve("custom.onnx");
    ToolFixtures.Result r = ToolFixtures.run("export", model.toString(), onnx.toString());
    assertEquals(ModelTool.FAILURE, r.status, r.toString());
    assertTrue(r.err.startsWith("horn: cannot export " + model), r.err);
    assertTrue(r.err.contains("layer 1 (10 units)") && r.err.contains(CustomNeuron.class.getName()),
        r.err);
    assertTrue(Files.notExists(onnx), "no output file for a refused model");
  }

  @Test
  void missingOutputIsAUsageError() throws Exception {
    Path model = ToolFixtures.save(ToolFixtures.argmaxModel(Map.of()), dir.resolve("m.bin"));
    ToolFixtures.Result r = ToolFixtures.run("export", model.toString());
    assertEquals(ModelTool.USAGE_ERROR, r.status, r.toString());
    assertTrue(r.err.contains("<out.onnx>"), r.err);
    r = ToolFixtures.run("export", model.toString(), dir.toString());
    assertEquals(ModelTool.USAGE_ERROR, r.status, r.toString());
    assertTrue(r.err.contains("is a directory"), r.err);
  }
}
