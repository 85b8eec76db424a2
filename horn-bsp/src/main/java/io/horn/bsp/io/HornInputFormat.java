package io.horn.bsp.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

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
 * Hama input format for Horn's training data: SequenceFiles of {@link LongWritable} keys and
 * {@link SampleWritable} values (as {@link MnistConverter#write} makes them), divided into
 * exactly one {@link MultiFileRangeSplit} per worker.
 *
 * <p>Input paths are the job's ({@link BSPJob#setInputPath}, {@link
 * FileInputFormat#addInputPath}; key {@code bsp.input.dir}); each is a file or a directory,
 * listed as {@link SequenceFileDatasetFormat} lists it (files directly in it, skipping names that
 * start with {@code _} or {@code .}; its {@code train} subdirectory if it has no files).
 *
 * <p>{@link #getSplits} returns exactly {@code numSplits} splits, because Hama starts one task
 * per split and Horn's workers must number what the job asked for. Together they cover every
 * byte of every file, contiguous and balanced by bytes, a split running from the end of one file
 * into the next where need be; each owns at least one record. Which records a byte range owns
 * follows Hadoop's {@code SequenceFileRecordReader}: a record belongs to the split in which its
 * sync block starts (the first block of a file, which has no sync mark, starts at byte 0). Files
 * written by {@link MnistConverter#write} have a sync mark before every record, so they divide
 * between any two samples; other files divide only at their sync marks (about every 2000 bytes
 * for uncompressed files, once per block for block-compressed ones).
 *
 * <p>Stateless and thread-safe; the record readers it makes are not.
 */
public final class HornInputFormat implements InputFormat<LongWritable, SampleWritable> {
  /** When set, the number of splits to make whatever Hama asks for: the worker count. */
  public static final String SPLITS_KEY = "horn.bsp.splits";
  /**
   * When set to C > 1, the input is cut into {@code splits / C} distinct ranges, repeated C
   * times: split {@code c * (splits / C) + m} is range m. Each task group then reads the whole
   * input, its members one range each.
   */
  public static final String COPIES_KEY = "horn.bsp.split.copies";


  /**
   * Divides the job's input into {@code numSplits} splits, one per worker.
   *
   * @throws java.io.FileNotFoundException if an input path does not exist
   * @throws IOException if no input path is set, a directory holds no files, a file is not a
   *     SequenceFile of {@code LongWritable}/{@link SampleWritable} records, or the input cannot
   *     give every worker a sample ("N workers but only M samples")
   */
  @Override
  public InputSplit[] getSplits(BSPJob job, int requested) throws IOException {
    checkNotNull(job, "job");
    Configuration conf = job.getConfiguration();
    // Hama 0.7.1 asks for as many splits as tasks; the parameter server is a task without one.
    int numSplits = conf.getInt(SPLITS_KEY, requested);
    checkArgument(numSplits > 0, "numSplits must be positive, got %s", numSplits);
    Path[] inputs = FileInputFormat.getInputPaths(job);
    if (inputs.length == 0) {
      throw new IOException("the job has no input path (set one with BSPJob.setInputPath;"
          + " key bsp.input.dir)");
    }
    // Keyed by qualified path: a file named twice (a directory and a file in it) is read once.
    Map<Path, FileStatus> files = new LinkedHashMap<>();
    for (Path input : inputs) {
      for (FileStatus s : InputFiles.list(input, conf)) {
        Path p = s.getPath().getFileSystem(conf).makeQualified(s.getPath());
        files.putIfAbsent(p, s);
      }
    }
    String described = inputs.length == 1 ? inputs[0].toString() : Arrays.toString(inputs);
    int copies = conf.getInt(COPIES_KEY, 1);
    checkArgument(copies > 0 && numSplits % copies == 0, "%s splits cannot be %s copies",
        numSplits, copies);
    List<MultiFileRangeSplit> ranges = new SplitPlanner(new ArrayList<>(files.values()), conf,
        described).plan(numSplits / copies);
    List<InputSplit> splits = new ArrayList<>(numSplits);
    for (int c = 0; c < copies; c++) {
      splits.addAll(ranges);
    }
    return splits.toArray(new InputSplit[0]);
  }

  /**
   * A reader of {@code split}'s records.
   *
   * @throws IllegalArgumentException if {@code split} is not a {@link MultiFileRangeSplit}
   */
  @Override
  public RecordReader<LongWritable, SampleWritable> getRecordReader(InputSplit split, BSPJob job)
      throws IOException {
    checkNotNull(split, "split");
    checkNotNull(job, "job");
    checkArgument(split instanceof MultiFileRangeSplit, "%s reads MultiFileRangeSplits, not %s",
        HornInputFormat.class.getSimpleName(), split.getClass().getName());
    return new SplitRecordReader((MultiFileRangeSplit) split, job.getConfiguration());
  }
}
