package io.horn.examples.tools;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.data.Dataset;
import io.horn.core.engine.CpuBackend;
import io.horn.core.math.NetworkEngine;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.model.ModelHeader;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;

/**
 * A model file loaded for inference: its {@link Model}, the shape checks that name the data and
 * the model when they do not fit, and a CPU engine made on first use (so that a bad input fails
 * before the BLAS library is even looked for).
 *
 * <p>Not thread-safe; close it to release the engine.
 */
public final class Inference implements AutoCloseable {
  /** Samples per engine call. */
  public static final int BATCH = 512;
  /** What a model path names, in messages: {@code no such model file: ...}. */
  private static final String MODEL_FILE = "model file";

  private final String path;
  private final Model model;
  private NetworkEngine engine;

  private Inference(String path, Model model) {
    this.path = path;
    this.model = model;
  }

  /**
   * Loads the model at {@code path}, a local path or a Hadoop file-system URI such as {@code
   * hdfs://namenode:port/models/m.bin} ({@link HadoopFiles}), with the classes it names from the
   * thread's context class loader (where {@code bin/horn} puts job jars).
   *
   * @throws java.io.FileNotFoundException if there is no such file
   * @throws io.horn.core.data.DataFormatException if it is not a Horn model, or is corrupt
   */
  public static Inference load(String path) throws IOException {
    checkNotNull(path, "model path");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return new Inference(path, HadoopFiles.read(path, MODEL_FILE, f -> ModelFile.load(f, loader)));
  }

  /**
   * What the file at {@code path} (local or a Hadoop URI) says about its model, without loading
   * any class it names ({@link ModelFile#readHeader}).
   *
   * @throws java.io.FileNotFoundException if there is no such file
   * @throws io.horn.core.data.DataFormatException if it is not a Horn model, or is corrupt
   */
  public static ModelHeader header(String path) throws IOException {
    checkNotNull(path, "model path");
    return HadoopFiles.read(path, MODEL_FILE, ModelFile::readHeader);
  }

  /** The path the model was loaded from, as given. */
  public String path() {
    return path;
  }

  public Model model() {
    return model;
  }

  public NetworkSpec spec() {
    return model.spec();
  }

  /** The shape of the network as {@code 784-500-10}. */
  public String shape() {
    StringBuilder sb = new StringBuilder();
    for (int l = 0; l < spec().depth(); l++) {
      sb.append(l > 0 ? "-" : "").append(spec().size(l));
    }
    return sb.toString();
  }

  /** Fails unless {@code data}'s samples have as many features as the input layer has neurons. */
  public void checkFeatures(String what, int features) throws ToolFailure {
    if (features != spec().inputSize()) {
      throw new ToolFailure(what + " has " + features + " features per sample, but the model "
          + path + " (" + shape() + ") takes " + spec().inputSize());
    }
  }

  /** {@link #checkFeatures}, and the targets of {@code data} against the output layer. */
  public void checkDataset(String what, Dataset data) throws ToolFailure {
    checkFeatures(what, data.featureCount());
    if (data.targetCount() != spec().outputSize()) {
      throw new ToolFailure(what + " has " + data.targetCount() + " classes (targets per sample),"
          + " but the model " + path + " (" + shape() + ") has " + spec().outputSize()
          + " outputs");
    }
    if (data.size() == 0) {
      throw new ToolFailure(what + " holds no samples");
    }
  }

  /** The engine, made on first use; inference only, so the training settings are defaults. */
  public NetworkEngine engine() {
    if (engine == null) {
      engine = new CpuBackend().createEngine(spec(), TrainingSettings.defaults(), BATCH);
      engine.setParameters(model.parameters());
    }
    return engine;
  }

  /**
   * Runs {@code n <= BATCH} samples ({@code x}: sample-major, input size each) and writes their
   * outputs, sample-major, to {@code y}.
   */
  public void predict(float[] x, int n, float[] y) {
    engine().predict(x, n, y);
  }

  /** The index of the largest of {@code v[off .. off+n)}; ties go to the lowest index. */
  public static int argmax(float[] v, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[off + i] > v[off + best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void close() {
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }
}
