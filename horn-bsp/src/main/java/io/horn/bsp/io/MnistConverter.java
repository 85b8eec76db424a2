package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.ConfigOptions;
import io.horn.bsp.cli.HelpOptions;
import io.horn.bsp.cli.UsageException;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.MnistData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Converts the MNIST idx files into the SequenceFiles that Horn jobs split over their workers:
 * {@code bin/horn convert-mnist <mnist-dir> <out-dir> [-D key=value] [--conf FILE]} writes the 60 000 training images to {@code
 * <out-dir>/train/part-00000} and the 10 000 test images to {@code <out-dir>/test/part-00000},
 * each record a {@link LongWritable} sample index and a {@link SampleWritable} of 784 pixels in
 * {@code [0, 1]} and a one-hot target of 10.
 *
 * <p>The input directory is local ({@link MnistData}); the output is a Hadoop path, so {@code
 * hdfs://namenode:8020/data/mnist} writes to HDFS, and a path without a scheme goes to the
 * configuration's default file system ({@code fs.defaultFS}, local unless a {@code
 * core-site.xml} on the class path, {@code --conf} or {@code -D} says otherwise).
 *
 * <p>{@link #write} is the reusable part: any {@link Dataset} to one SequenceFile, written under
 * a temporary name and renamed when complete, so that a failed run leaves no half file that a
 * later job would take for data. Stateless and thread-safe.
 */
public final class MnistConverter {
  private MnistConverter() {}

  public static void main(String[] args) {
    Cli.exit(new Command(), args);
  }

  /** Runs the command line; returns the exit status ({@link Cli}: 0 done, 1 failed, 2 usage). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new Command(out), args, out, err);
  }

  /** {@code bin/horn convert-mnist}; public for tests that check documented command lines. */
  @CommandLine.Command(name = "bin/horn convert-mnist", description = "Write MNIST as "
      + "SequenceFiles (<out-dir>/train/part-00000, <out-dir>/test/part-00000) for Hama input "
      + "splits; without <mnist-dir> bin/horn fetches MNIST into .cache/mnist.")
  public static final class Command implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<mnist-dir>",
        description = "Local directory of the train-* and t10k-* idx files (optionally .gz).")
    String input;

    @Parameters(index = "1", paramLabel = "<out-dir>",
        description = "Output directory: a local path or hdfs://...")
    String output;

    @Mixin ConfigOptions config;
    @Mixin HelpOptions help;

    private final PrintStream out;

    public Command() {
      this(System.out);
    }

    Command(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws Exception {
      if (!Files.isDirectory(Paths.get(input))) {
        throw new UsageException("<mnist-dir>: not a directory: " + input);
      }
      Configuration conf = config.applyTo(new Configuration());
      Path outDir = new Path(output);
      // Both sets first: a missing test set must not leave a converted training set behind.
      ArrayDataset train = MnistData.load(Paths.get(input), MnistData.TRAIN);
      ArrayDataset test = MnistData.load(Paths.get(input), MnistData.TEST);
      convert(train, new Path(outDir, "train"), "training", conf, out);
      convert(test, new Path(outDir, "test"), "test", conf, out);
      return Cli.OK;
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
