package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.Neuron;
import io.horn.core.model.NetworkSpec;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomly generated user neurons, compiled by javac as a user's would be: every one trains to
 * the same bits widened or not, and exactly those with a construct the compiler refuses (a branch
 * on a value, a field) run on the per-neuron path, with that reason. {@code -Dhorn.test.seed=N}
 * draws other neurons.
 */
class RandomNeuronTest {
  private static final int NEURONS = 14;

  @Test
  void generatedNeuronsTrainToTheSameBits(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("horn.test.seed", 20161);
    SplittableRandom r = new SplittableRandom(seed);
    List<String> names = new ArrayList<>();
    List<Boolean> refusable = new ArrayList<>();
    List<Path> sources = new ArrayList<>();
    for (int i = 0; i < NEURONS; i++) {
      String name = "R" + i;
      boolean refuse = i % 4 == 3;
      Path src = dir.resolve("gen/" + name + ".java");
      Files.createDirectories(src.getParent());
      Files.write(src, new Generator(r, refuse).source(name).getBytes(StandardCharsets.UTF_8));
      names.add(name);
      refusable.add(refuse);
      sources.add(src);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("-d", dir.resolve("classes").toString(), "-cp",
        System.getProperty("java.class.path"), "-nowarn"));
    sources.forEach(p -> args.add(p.toString()));
    assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])), "javac failed");
    try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.resolve("classes").toUri()
        .toURL()}, getClass().getClassLoader())) {
      for (int i = 0; i < NEURONS; i++) {
        Class<? extends Neuron> c = Class.forName("gen." + names.get(i), true, cl)
            .asSubclass(Neuron.class);
        NetworkSpec spec = WidenedNeuronTest.net(c, i % 2 == 0 ? 0f : 0.3f);
        LayerPaths.Path p = LayerPaths.of(spec, Nets.settings()).get(1);
        String source = Files.readString(sources.get(i));
        if (refusable.get(i)) {
          assertEquals(LayerPaths.Kind.SCALAR, p.kind(), source);
          assertTrue(p.reason().contains("branch") || p.reason().contains("field"),
              p.reason() + "\n" + source);
        } else {
          assertEquals(LayerPaths.Kind.COMPILED, p.kind(), p.describe() + "\n" + source);
        }
        WidenedNeuronTest.assertSameBits(spec, true);
      }
    }
  }

  /** Writes a random neuron within (or, when {@code refuse}, just outside) what widens. */
  private static final class Generator {
    private final SplittableRandom r;
    private final boolean refuse;
    private final List<String> leaves = new ArrayList<>();

    Generator(SplittableRandom r, boolean refuse) {
      this.r = r;
      this.refuse = refuse;
    }

    String source(String name) {
      StringBuilder s = new StringBuilder();
      s.append("package gen;\nimport io.horn.core.*;\n");
      s.append("public class ").append(name).append(" extends Neuron {\n");
      s.append("  private double scale = 0.5;\n");
      s.append("  @Override public void forward(Iterable<Synapse> messages) {\n");
      leaves.clear();
      leaves.add("getLearningRate()");
      s.append("    double a = ").append(expr(2)).append(";\n");
      leaves.add("a");
      s.append("    double sum = 0;\n");
      s.append("    for (Synapse m : messages) {\n");
      leaves.add("m.getInput()");
      leaves.add("m.getWeight()");
      leaves.add("m.getMessage()");
      s.append("      double t = m.getInput() * m.getWeight() + ").append(expr(2)).append(";\n");
      leaves.add("t");
      s.append("      sum += t").append(r.nextBoolean() ? " * " + expr(1) : "").append(";\n");
      s.append("    }\n");
      leaves.removeIf(l -> l.startsWith("m.") || l.equals("t"));
      leaves.add("sum");
      if (refuse && r.nextBoolean()) {
        s.append("    if (sum > 0.5) { sum = 0.5; }\n");
      }
      s.append("    feedforward(squashingFunction.apply(").append(expr(2)).append("));\n  }\n");
      s.append("  @Override public void backward(Iterable<Synapse> messages) {\n");
      leaves.clear();
      leaves.add("getOutput()");
      leaves.add("getMomentumWeight()");
      leaves.add("getLearningRate()");
      s.append("    double d = squashingFunction.applyDerivative(getOutput());\n");
      leaves.add("d");
      s.append("    for (Synapse m : messages) {\n");
      leaves.add("m.getDelta()");
      leaves.add("m.getWeight()");
      leaves.add("m.getPrevWeight()");
      leaves.add("m.getInput()");
      s.append("      backpropagate(d * m.getDelta() * m.getWeight()").append(r.nextBoolean()
          ? " + 0.01 * " + expr(2) : "").append(");\n");
      leaves.add("getDelta()");
      String push = "-getLearningRate() * getOutput() * m.getDelta() + " + expr(2);
      if (refuse) {
        push = push + " * scale";
      }
      s.append("      push(").append(push).append(");\n");
      s.append("    }\n  }\n}\n");
      return s.toString();
    }

    private String expr(int depth) {
      if (depth == 0 || r.nextInt(3) == 0) {
        return r.nextInt(4) == 0 ? String.format(java.util.Locale.ROOT, "(%.3f)",
            r.nextDouble() * 2 - 1) : leaves.get(r.nextInt(leaves.size()));
      }
      switch (r.nextInt(9)) {
        case 0: return "(" + expr(depth - 1) + " + " + expr(depth - 1) + ")";
        case 1: return "(" + expr(depth - 1) + " - " + expr(depth - 1) + ")";
        case 2: return "(" + expr(depth - 1) + " * " + expr(depth - 1) + ")";
        case 3: return "(" + expr(depth - 1) + " / (1.5 + Math.abs(" + expr(depth - 1) + ")))";
        case 4: return "Math.tanh(" + expr(depth - 1) + ")";
        case 5: return "-(" + expr(depth - 1) + ")";
        case 6: return "Math.max(" + expr(depth - 1) + ", " + expr(depth - 1) + ")";
        case 7: return "Math.sin(" + expr(depth - 1) + ")";
        default: return "squashingFunction.apply(" + expr(depth - 1) + ")";
      }
    }
  }
}
