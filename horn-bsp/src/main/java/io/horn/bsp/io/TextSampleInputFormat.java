package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.DataShape;
import io.horn.core.data.text.SampleParser;
import io.horn.core.data.text.TextFormat;
import io.horn.core.data.text.TextFormat.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hama.bsp.BSPJob;
import org.apache.hama.bsp.FileInputFormat;
import org.apache.hama.bsp.InputFormat;
import org.apache.hama.bsp.InputSplit;
import org.apache.hama.bsp.RecordReader;

/**
 * Hama input format for CSV and LibSVM training data ({@link TextDatasetFormat}): exactly one
 * split per worker, cut at line boundaries ({@link LineSplitPlanner}), read as {@link
 * SampleWritable}s of the network's shape by {@link TextSplitReader}. The same split keys as
 * {@link HornInputFormat} ({@link HornInputFormat#SPLITS_KEY}, {@link
 * HornInputFormat#COPIES_KEY}); {@link #configure} adds the data path with its options and the
 * shape.
 *
 * <p>Stateless and thread-safe; the record readers it makes are not.
 */
public final class TextSampleInputFormat implements InputFormat<LongWritable, SampleWritable> {
  /** The training data path as the user gave it, {@code #options} included. */
  public static final String PATH_KEY = io.horn.core.conf.HornOptions.BSP_TEXT_PATH.key();
  /** The input layer's size. */
  public static final String FEATURES_KEY =
      io.horn.core.conf.HornOptions.BSP_TEXT_FEATURES.key();
  /** The output layer's size: the width of the one-hot targets. */
  public static final String CLASSES_KEY =
      io.horn.core.conf.HornOptions.BSP_TEXT_CLASSES.key();

  /** Points {@code job} at the text data {@code path} for a network of {@code shape}. */
  public static void configure(BSPJob job, String path, DataShape shape) {
    checkNotNull(job, "job");
    checkNotNull(shape, "shape");
    checkArgument(TextDatasetFormat.kindOf(path) != null, "not text data: %s", path);
    job.setInputPath(TextDatasetFormat.toHadoopPath(path));
    job.setInputFormat(TextSampleInputFormat.class);
    job.setInputKeyClass(LongWritable.class);
    job.setInputValueClass(SampleWritable.class);
    Configuration conf = job.getConfiguration();
    conf.set(PATH_KEY, path);
    conf.setInt(FEATURES_KEY, shape.features());
    conf.setInt(CLASSES_KEY, shape.targets());
  }

  /**
   * Divides the job's input into {@code numSplits} line-aligned splits, one per worker.
   *
   * @throws java.io.FileNotFoundException if an input path does not exist
   * @throws IOException if no input path is set, a directory holds no files, or the input has
   *     fewer lines than workers
   */
  @Override
  public InputSplit[] getSplits(BSPJob job, int requested) throws IOException {
    checkNotNull(job, "job");
    Configuration conf = job.getConfiguration();
    int numSplits = conf.getInt(HornInputFormat.SPLITS_KEY, requested);
    checkArgument(numSplits > 0, "numSplits must be positive, got %s", numSplits);
    Path[] inputs = FileInputFormat.getInputPaths(job);
    if (inputs.length == 0) {
      throw new IOException("the job has no input path (TextSampleInputFormat.configure)");
    }
    Map<Path, FileStatus> files = new LinkedHashMap<>();
    for (Path input : inputs) {
      for (FileStatus s : InputFiles.list(input, conf)) {
        files.putIfAbsent(s.getPath().getFileSystem(conf).makeQualified(s.getPath()), s);
      }
    }
    int copies = conf.getInt(HornInputFormat.COPIES_KEY, 1);
    checkArgument(copies > 0 && numSplits % copies == 0, "%s splits cannot be %s copies",
        numSplits, copies);
    String described = inputs.length == 1 ? inputs[0].toString() : Arrays.toString(inputs);
    List<MultiFileRangeSplit> ranges = new LineSplitPlanner(new ArrayList<>(files.values()), conf,
        described).plan(numSplits / copies);
    List<InputSplit> splits = new ArrayList<>(numSplits);
    for (int c = 0; c < copies; c++) {
      splits.addAll(ranges);
    }
    return splits.toArray(new InputSplit[0]);
  }

  @Override
  public RecordReader<LongWritable, SampleWritable> getRecordReader(InputSplit split, BSPJob job)
      throws IOException {
    checkNotNull(split, "split");
    checkNotNull(job, "job");
    checkArgument(split instanceof MultiFileRangeSplit, "%s reads MultiFileRangeSplits, not %s",
        TextSampleInputFormat.class.getSimpleName(), split.getClass().getName());
    Configuration conf = job.getConfiguration();
    String path = conf.get(PATH_KEY);
    int features = conf.getInt(FEATURES_KEY, 0);
    int classes = conf.getInt(CLASSES_KEY, 0);
    if (path == null || features <= 0 || classes <= 0) {
      throw new IOException("the job's text input is not configured (TextSampleInputFormat"
          + ".configure sets " + PATH_KEY + ", " + FEATURES_KEY + " and " + CLASSES_KEY + ")");
    }
    Kind kind = TextDatasetFormat.kindOf(path);
    if (kind == null) {
      throw new IOException("not text data: " + path);
    }
    return new TextSplitReader((MultiFileRangeSplit) split, conf,
        new SampleParser(TextFormat.forPath(path, kind)), features, classes);
  }
}
