package io.horn.bsp.io;

import io.horn.core.data.ArrayDataset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.compress.DefaultCodec;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.FileInputFormat;

/** Shared fixtures: sample files whose first feature is a unique id, idx files, Hama jobs. */
final class TestData {
  private TestData() {}

  static Configuration conf() {
    return new Configuration();
  }

  static Path hadoopPath(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  /**
   * {@code count} samples of {@code features} features and 2 targets; sample {@code i} has id
   * {@code firstId + i} as its first feature, so records can be told apart across files.
   */
  static ArrayDataset samples(int firstId, int count, int features) {
    float[] x = new float[count * features];
    float[] y = new float[count * 2];
    for (int i = 0; i < count; i++) {
      x[i * features] = firstId + i;
      for (int j = 1; j < features; j++) {
        x[i * features + j] = (i * 31 + j * 7) % 13 / 13f - 0.5f;
      }
      y[i * 2 + (i % 2)] = 1f;
    }
    return ArrayDataset.ofTargets(x, features, y, 2);
  }

  /** Writes {@link #samples} with {@link MnistConverter#write}: a sync mark per record. */
  static Path writeSamples(java.nio.file.Path file, int firstId, int count, int features)
      throws IOException {
    Path p = hadoopPath(file);
    MnistConverter.write(samples(firstId, count, features), p, conf());
    return p;
  }

  /**
   * Writes {@link #samples} with a plain SequenceFile writer: sync marks only every 2000 bytes
   * (uncompressed), or one per block of about {@code blockBytes} (block-compressed when
   * {@code blockBytes > 0}).
   */
  static Path writePlain(java.nio.file.Path file, int firstId, int count, int features,
      int blockBytes) throws IOException {
    Configuration conf = conf();
    SequenceFile.Writer.Option compression =
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE);
    if (blockBytes > 0) {
      conf.setInt("io.seqfile.compress.blocksize", blockBytes);
      compression = SequenceFile.Writer.compression(SequenceFile.CompressionType.BLOCK,
          new DefaultCodec());
    }
    Path p = hadoopPath(file);
    ArrayDataset d = samples(firstId, count, features);
    try (SequenceFile.Writer w = SequenceFile.createWriter(conf, SequenceFile.Writer.file(p),
        SequenceFile.Writer.keyClass(LongWritable.class),
        SequenceFile.Writer.valueClass(SampleWritable.class), compression)) {
      float[] x = new float[features];
      float[] t = new float[2];
      for (int i = 0; i < count; i++) {
        for (int j = 0; j < features; j++) {
          x[j] = d.feature(i, j);
        }
        t[0] = d.target(i, 0);
        t[1] = d.target(i, 1);
        w.append(new LongWritable(i), new SampleWritable(x, t));
      }
    }
    return p;
  }

  /** The bytes of an IDX image file of {@code n} images of {@code rows x cols} pixels. */
  static byte[] idxImages(int n, int rows, int cols, byte[] pixels) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b); // big-endian, as IDX wants
    out.writeInt(0x00000803);
    out.writeInt(n);
    out.writeInt(rows);
    out.writeInt(cols);
    out.write(pixels);
    return b.toByteArray();
  }

  static byte[] idxLabels(int... labels) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(0x00000801);
    out.writeInt(labels.length);
    for (int l : labels) {
      out.writeByte(l);
    }
    return b.toByteArray();
  }

  /** Writes MNIST-style set {@code prefix} of 2x3 images with these labels into {@code dir}. */
  static void writeIdxSet(java.nio.file.Path dir, String prefix, int seed, int... labels)
      throws IOException {
    byte[] pixels = new byte[labels.length * 6];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 37 + seed);
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), idxImages(labels.length, 2, 3, pixels));
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), idxLabels(labels));
  }

  /**
   * Runs {@code body} with a URLClassLoader as the thread's context loader, which Hama casts it
   * to (see PLATFORM.md), restoring the previous one after.
   */
  static <T> T withHamaLoader(Callable<T> body) throws Exception {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(new URLClassLoader(new URL[0], TestData.class.getClassLoader()));
    try {
      return body.call();
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  /** A job reading {@code inputs}; make it inside {@link #withHamaLoader}. */
  static BSPJob job(Path... inputs) throws IOException {
    BSPJob job = new BSPJob(new HamaConfiguration());
    for (Path p : inputs) {
      FileInputFormat.addInputPath(job, p);
    }
    return job;
  }

  static List<Path> list(Path... paths) {
    List<Path> l = new ArrayList<>();
    for (Path p : paths) {
      l.add(p);
    }
    return l;
  }
}
