package io.horn.examples.report;

import io.horn.core.StandardNeuron;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.SoftMax;
import io.horn.core.cost.CrossEntropy;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small models and image checks shared by the report tests. */
final class TestModels {
  static final String SCRIPT = "<script>alert('x & y')</script>";

  private TestModels() {}

  static NetworkSpec spec() {
    return new NetworkSpec(List.of(
        new LayerSpec(4, ReLU.class, StandardNeuron.class, 0f),
        new LayerSpec(3, ReLU.class, StandardNeuron.class, 0.25f),
        new LayerSpec(2, SoftMax.class, StandardNeuron.class, 0f)), CrossEntropy.class);
  }

  static Model model(Map<String, String> metadata) {
    NetworkSpec spec = spec();
    return new Model(spec, new float[spec.parameterCount()], metadata);
  }

  /** Two groups of history, parameter-server figures, configuration with markup in a value. */
  static Map<String, String> twoGroups() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("history.group.0", "1.00:100:0.90000:;2.00:200:0.60000:0.8125;3.50:300:0.40000:;"
        + "5.00:400:0.30000:0.9012");
    m.put("history.group.1", "1.20:90:0.95000:;2.40:180:0.70000:0.7900;4.00:270:0.50000:0.8800");
    m.put("conf.horn.learning.rate", "0.05");
    m.put("conf.horn.groups", "2");
    m.put("conf.horn.note", SCRIPT);
    m.put("test.accuracy", "0.9137");
    m.put("test.samples", "2000");
    m.put("trained.steps", "670");
    m.put("trained.epochs", "3");
    m.put("trained.samples", "12000");
    m.put("trained.at", "2026-01-02T03:04:05Z");
    m.put("data.training", "hdfs://nn/mnist/train");
    m.put("data.test", "hdfs://nn/mnist/test");
    m.put("layout", "2 group(s) x 2 peer(s) + parameter server");
    m.put("runner", "bsp");
    m.put("ps.group.0.steps", "400");
    m.put("ps.group.0.pushes", "40");
    m.put("ps.group.1.steps", "270");
    m.put("ps.group.1.pushes", "27");
    m.put("group.0.leader.timing", "compute 1.50 ms/step, barrier 0.20 ms/step");
    m.put("group.1.leader.timing", "compute 2.25 ms/step, barrier 0.30 ms/step");
    m.put("backend", "cpu");
    return m;
  }

  /** Pixels that are not white. */
  static int nonWhite(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
          n++;
        }
      }
    }
    return n;
  }

  /** Pixels of a clearly saturated colour: series lines and markers, not text, grid or frame. */
  static int coloured(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) {
          n++;
        }
      }
    }
    return n;
  }
}
