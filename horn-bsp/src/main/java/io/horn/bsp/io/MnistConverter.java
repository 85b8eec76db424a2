package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.MnistData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;

/**
 * Converts the MNIST idx files into the SequenceFiles that Horn jobs split over their workers:
 * {@code MnistConverter <mnist-idx-dir> <out-dir>} writes the 60 000 training images to {@code
 * <out-dir>/train/part-00000} and the 10 000 test images to {@code <out-dir>/test/part-00000},
 * each record a {@link LongWritable} sample index and a {@link SampleWritable} of 784 pixels in
 * {@code [0, 1]} and a one-hot target of 10.
 *
 * <p>The input directory is local ({@link MnistData}); the output is a Hadoop path, so {@code
 * hdfs://namenode:8020/data/mnist} writes to HDFS, and a path without a scheme goes to the
 * configuration's default file system ({@code fs.defaultFS}, local unless a {@code
 * core-site.xml} on the class path says otherwise).
 *
 * <p>{@link #write} is the reusable part: any {@link Dataset} to one SequenceFile, written under
 * a temporary name and renamed when complete, so that a failed run leaves no half file that a
 * later job would take for data. Stateless and thread-safe.
 */
public final class MnistConverter {
  static final String USAGE = "usage: MnistConverter <mnist-idx-dir> <out-dir>\n"
      + "  reads train-* and t10k-* idx files (optionally .gz) from <mnist-idx-dir> and writes\n"
      + "  <out-dir>/train/part-00000 and <out-dir>/test/part-00000 as SequenceFiles\n"
      + "  (<out-dir> may be a local path or hdfs://...)";

  private MnistConverter() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line; returns the exit status: 0 done, 1 failed (message on {@code err}),
   * 2 wrong usage.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
      out.println(USAGE);
      return 0;
    }
    if (args.length != 2) {
      err.println("MnistConverter: expected 2 arguments, got " + args.length);
      err.println(USAGE);
      return 2;
    }
    if (!Files.isDirectory(Paths.get(args[0]))) {
      err.println("MnistConverter: not a directory: " + args[0]);
      err.println(USAGE);
      return 2;
    }
    try {
      Configuration conf = new Configuration();
      Path outDir = new Path(args[1]);
      // Both sets first: a missing test set must not leave a converted training set behind.
      ArrayDataset train = MnistData.load(Paths.get(args[0]), MnistData.TRAIN);
      ArrayDataset test = MnistData.load(Paths.get(args[0]), MnistData.TEST);
      convert(train, new Path(outDir, "train"), "training", conf, out);
      convert(test, new Path(outDir, "test"), "test", conf, out);
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("MnistConverter: " + (e.getMessage() != null ? e.getMessage() : e));
      return 1;
    }
  }

  private static void convert(ArrayDataset d, Path dir, String what, Configuration conf,
      PrintStream out) throws IOException {
    Path file = new Path(dir, "part-00000");
    write(d, file, conf);
    out.println("wrote " + d.size() + " " + what + " samples to "
        + file.getFileSystem(conf).makeQualified(file));
  }

  /**
   * Writes every sample of {@code d}, in order, to the SequenceFile {@code file} (replacing it),
   * keyed by sample index. A sync mark precedes every record, so that {@link HornInputFormat} can
   * split the file between any two samples; it costs 20 bytes a record.
   *
   * <p>The records go to a hidden temporary file in the same directory first (skipped by {@link
   * SequenceFileDatasetFormat} and {@link HornInputFormat} should a crash leave it behind), which
   * is renamed to {@code file} once complete and closed; on failure it is deleted.
   *
   * @throws IOException if writing or renaming fails; {@code file} is then as it was
   */
  public static void write(Dataset d, Path file, Configuration conf) throws IOException {
    checkNotNull(d, "dataset");
    checkNotNull(file, "file");
    checkNotNull(conf, "conf");
    FileSystem fs = file.getFileSystem(conf);
    Path target = fs.makeQualified(file);
    Path dir = target.getParent();
    checkArgument(dir != null, "%s is a directory, not a file name", file);
    if (!fs.mkdirs(dir)) {
      throw new IOException("cannot create directory " + dir);
    }
    Path tmp = new Path(dir, "_" + target.getName() + "." + UUID.randomUUID() + ".tmp");
    boolean done = false;
    try {
      try (SequenceFile.Writer w = SequenceFile.createWriter(conf,
          SequenceFile.Writer.file(tmp),
          SequenceFile.Writer.keyClass(LongWritable.class),
          SequenceFile.Writer.valueClass(SampleWritable.class),
          SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE))) {
        appendAll(d, w);
      }
      // FileContext, not FileSystem: its rename replaces an existing file in one step.
      FileContext.getFileContext(target.toUri(), conf)
          .rename(tmp, target, Options.Rename.OVERWRITE);
      done = true;
    } finally {
      if (!done) {
        try {
          fs.delete(tmp, false);
        } catch (IOException e) {
          // The first failure is the one to report; a stray hidden file is skipped by readers.
        }
      }
    }
  }

  private static void appendAll(Dataset d, SequenceFile.Writer w) throws IOException {
    int[] order = new int[1];
    float[] x = new float[d.featureCount()];
    float[] t = new float[d.targetCount()];
    LongWritable key = new LongWritable();
    SampleWritable value = new SampleWritable();
    for (int i = 0; i < d.size(); i++) {
      order[0] = i;
      d.fill(order, 0, 1, x, x.length, t);
      key.set(i);
      value.set(x, t);
      w.sync();
      w.append(key, value);
    }
  }
}
