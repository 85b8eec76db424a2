package io.horn.core.onnx;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.DropoutNeuron;
import io.horn.core.StandardNeuron;
import io.horn.core.activation.ActivationFunction;
import io.horn.core.activation.Identity;
import io.horn.core.activation.LeakyReLU;
import io.horn.core.activation.ReLU;
import io.horn.core.activation.Sigmoid;
import io.horn.core.activation.SoftMax;
import io.horn.core.activation.Tanh;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.Model;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a {@link Model} as an ONNX model (IR version {@value #IR_VERSION}, default-domain opset
 * {@value #OPSET}) that computes what Horn's engine computes in inference.
 *
 * <p>The graph: input {@value #INPUT}, float {@code [batch, inputSize]}; per weight layer
 * {@code l} a {@code Gemm} (weights {@code layer<l>.weight} {@code [n_l, n_(l-1)]} with {@code
 * transB = 1}, bias {@code layer<l>.bias} {@code [n_l]}, both initializers) and its activation
 * ({@code Sigmoid}, {@code Relu}, {@code Tanh}, {@code LeakyRelu} alpha 0.01, {@code Softmax}
 * over axis 1, nothing for {@link Identity}); a layer trained with dropout is scaled by its keep
 * probability ({@code Mul} by {@code layer<l>.keep}), as the engine does in inference; output
 * {@value #OUTPUT}, float {@code [batch, outputSize]}. docs/onnx.md shows it whole.
 *
 * <p>Only layers that Horn itself runs as matrix products can be written: {@link StandardNeuron}
 * and {@link DropoutNeuron} (exactly those classes; a subclass's {@code forward} is Java code that
 * ONNX cannot express), with one of the built-in activation functions. The input layer's neuron
 * and activation take no part in inference and are not checked. Anything else is refused with an
 * {@link UnsupportedModelException} naming the layer and the class.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxExport {
  /** The graph input's name. */
  public static final String INPUT = "input";
  /** The graph output's name. */
  public static final String OUTPUT = "output";
  /** The symbolic batch dimension of input and output. */
  public static final String BATCH = "batch";
  /** The default-domain operator set the graph is written against. */
  public static final int OPSET = 13;
  /** ONNX IR version 7 (ONNX 1.8), the first that goes with opset 13. */
  public static final int IR_VERSION = 7;

  /** Protobuf messages are limited to 2 GiB; leave room for everything but the weights. */
  private static final long MAX_PARAMETER_BYTES = (1L << 31) - (1L << 20);
  private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
  private static final int ATTR_FLOAT = 1; // AttributeProto.AttributeType
  private static final int ATTR_INT = 2;

  private OnnxExport() {}

  /**
   * Fails unless every layer of {@code spec} can be written.
   *
   * @throws UnsupportedModelException naming the first layer that cannot, and why
   */
  public static void check(NetworkSpec spec) {
    checkNotNull(spec, "spec");
    int top = spec.depth() - 1;
    for (int l = 1; l <= top; l++) {
      LayerSpec layer = spec.layer(l);
      Class<?> neuron = layer.neuron();
      if (neuron != StandardNeuron.class && neuron != DropoutNeuron.class) {
        throw new UnsupportedModelException("layer " + l + " (" + layer.size() + " units) runs "
            + "the neuron class " + neuron.getName() + ", whose forward() is user code that ONNX "
            + "cannot express; only layers of " + StandardNeuron.class.getName() + " or "
            + DropoutNeuron.class.getName() + " can be exported");
      }
      if (operator(layer.activation()) == null) {
        throw new UnsupportedModelException("layer " + l + " (" + layer.size() + " units) uses "
            + "the activation function " + layer.activation().getName() + ", which has no ONNX "
            + "equivalent here; supported: Identity, Sigmoid, ReLU, LeakyReLU, Tanh, SoftMax");
      }
    }
    if (spec.layer(top).dropRate() > 0) {
      throw new UnsupportedModelException("layer " + top + " (the output layer) has drop rate "
          + spec.layer(top).dropRate() + ", which Horn's engine does not run either");
    }
    if (4L * spec.parameterCount() > MAX_PARAMETER_BYTES) {
      throw new UnsupportedModelException("the model's " + spec.parameterCount() + " parameters"
          + " take over 2 GiB, more than one ONNX file holds without external data");
    }
  }

  /** The model as ONNX bytes ({@code ModelProto}). */
  public static byte[] toBytes(Model model) {
    checkNotNull(model, "model");
    NetworkSpec spec = model.spec();
    check(spec);
    ProtoWriter m = new ProtoWriter()
        .varint(1, IR_VERSION)
        .string(2, "Horn")
        .string(4, "io.horn")
        .varint(5, 1)
        .string(6, "Horn feed-forward network " + shape(spec) + "; see docs/onnx.md");
    m.message(7, graph(model));
    m.message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
    m.message(14, new ProtoWriter().string(1, "horn.network").string(2, spec.toConfString()));
    return m.toByteArray();
  }

  /** Writes the model to {@code out} (left open). */
  public static void write(Model model, OutputStream out) throws IOException {
    checkNotNull(out, "out");
    out.write(toBytes(model));
  }

  /**
   * Writes the model to the file {@code p}, through a temporary file in the same directory
   * (flushed to disk, then renamed) so that a failure never leaves half a model under the final
   * name. A model that cannot be exported fails before any file is made.
   */
  public static void save(Model model, Path p) throws IOException {
    checkNotNull(p, "path");
    byte[] bytes = toBytes(model);
    Path target = p.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw new IOException("cannot write the ONNX model to " + p + ": it is a directory");
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static ProtoWriter graph(Model model) {
    NetworkSpec spec = model.spec();
    int top = spec.depth() - 1;
    ProtoWriter g = new ProtoWriter();
    String x = INPUT;
    x = scale(g, spec, 0, x, top);
    for (int l = 1; l <= top; l++) {
      int in = spec.size(l - 1);
      int out = spec.size(l);
      float[] w = new float[out * in];
      float[] b = new float[out];
      // Column j of the block holds neuron j's incoming weights then its bias: row j of Gemm's B.
      int base = spec.offset(l);
      for (int j = 0; j < out; j++) {
        for (int i = 0; i < in; i++) {
          w[j * in + i] = model.parameter(base + j * (in + 1) + i);
        }
        b[j] = model.parameter(base + j * (in + 1) + in);
      }
      String prefix = "layer" + l;
      g.message(5, tensor(prefix + ".weight", w, out, in));
      g.message(5, tensor(prefix + ".bias", b, out));
      String op = operator(spec.layer(l).activation());
      boolean last = l == top && op.isEmpty();
      String z = last ? OUTPUT : prefix + ".z";
      g.message(1, node(prefix + ".gemm", "Gemm", z, x, prefix + ".weight", prefix + ".bias")
          .message(5, intAttribute("transB", 1)));
      x = z;
      if (!op.isEmpty()) {
        String a = l == top ? OUTPUT : prefix + ".a";
        ProtoWriter n = node(prefix + "." + op.toLowerCase(Locale.ROOT), op, a, x);
        if (op.equals("Softmax")) {
          n.message(5, intAttribute("axis", 1));
        } else if (op.equals("LeakyRelu")) {
          n.message(5, floatAttribute("alpha", LeakyReLU.SLOPE));
        }
        g.message(1, n);
        x = a;
      }
      x = scale(g, spec, l, x, top);
    }
    g.string(2, "horn");
    g.message(11, valueInfo(INPUT, spec.inputSize()));
    g.message(12, valueInfo(OUTPUT, spec.outputSize()));
    return g;
  }

  /** A {@code Mul} by layer {@code l}'s keep probability if it drops units; the tensor after. */
  private static String scale(ProtoWriter g, NetworkSpec spec, int l, String x, int top) {
    float rate = spec.layer(l).dropRate();
    if (rate == 0 || l == top) {
      return x;
    }
    String prefix = "layer" + l;
    g.message(5, tensor(prefix + ".keep", new float[] {1f - rate}));
    String y = prefix + ".y";
    g.message(1, node(prefix + ".dropout_scale", "Mul", y, x, prefix + ".keep"));
    return y;
  }

  /** The ONNX operator of an activation, "" for none (identity), null if it has none. */
  private static String operator(Class<? extends ActivationFunction> f) {
    if (f == Identity.class) {
      return "";
    } else if (f == Sigmoid.class) {
      return "Sigmoid";
    } else if (f == ReLU.class) {
      return "Relu";
    } else if (f == LeakyReLU.class) {
      return "LeakyRelu";
    } else if (f == Tanh.class) {
      return "Tanh";
    } else if (f == SoftMax.class) {
      return "Softmax";
    }
    return null;
  }

  private static ProtoWriter node(String name, String op, String output, String... inputs) {
    ProtoWriter n = new ProtoWriter();
    for (String in : inputs) {
      n.string(1, in);
    }
    return n.string(2, output).string(3, name).string(4, op);
  }

  private static ProtoWriter intAttribute(String name, long value) {
    return new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTR_INT);
  }

  private static ProtoWriter floatAttribute(String name, float value) {
    return new ProtoWriter().string(1, name).float32(2, value).varint(20, ATTR_FLOAT);
  }

  /** A float tensor with its values as little-endian {@code raw_data}. */
  private static ProtoWriter tensor(String name, float[] values, long... dims) {
    ProtoWriter t = new ProtoWriter();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, FLOAT).string(8, name);
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    return t.bytes(9, raw.array());
  }

  /** A float tensor of shape {@code [batch, width]}. */
  private static ProtoWriter valueInfo(String name, int width) {
    ProtoWriter shape = new ProtoWriter()
        .message(1, new ProtoWriter().string(2, BATCH))
        .message(1, new ProtoWriter().varint(1, width));
    ProtoWriter tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
    return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
  }

  private static String shape(NetworkSpec spec) {
    StringBuilder sb = new StringBuilder();
    for (int l = 0; l < spec.depth(); l++) {
      sb.append(l > 0 ? "-" : "").append(spec.size(l));
    }
    return sb.toString();
  }
}
