package io.horn.bsp;

import io.horn.bsp.io.SequenceFileDatasetFormat;
import io.horn.bsp.io.TextDatasetFormat;
import io.horn.core.data.DataShape;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * Checks a job's training data on the submitting side, so that a missing path or data of the
 * wrong width fails at once with a clear message rather than inside a task.
 */
final class InputCheck {
  private InputCheck() {}

  /** The sample lines of a text input checked before submitting. */
  private static final int TEXT_LINES_CHECKED = 1000;

  /**
   * Returns true when the input is SequenceFiles or text (CSV, LibSVM) that Hama should split
   * over the workers.
   */
  static boolean check(String path, NetworkSpec spec, Configuration conf) throws IOException {
    if (TextDatasetFormat.kindOf(path) != null) {
      TextDatasetFormat.checkHead(path, shape(spec), conf, TEXT_LINES_CHECKED);
      return true;
    }
    boolean seq = new SequenceFileDatasetFormat().accepts(path);
    int[] widths = seq ? SequenceFileDatasetFormat.firstRecordWidths(path, conf)
        : widths(path, spec);
    if (widths[0] != spec.inputSize()) {
      throw new IllegalArgumentException("training data " + path + " has " + widths[0]
          + " features per sample but the input layer has " + spec.inputSize() + " neurons");
    }
    if (widths[1] != spec.outputSize()) {
      throw new IllegalArgumentException("training data " + path + " has " + widths[1]
          + " targets per sample but the output layer has " + spec.outputSize() + " neurons");
    }
    return seq;
  }

  /** The shape of {@code spec}'s data. */
  static DataShape shape(NetworkSpec spec) {
    return new DataShape(spec.inputSize(), spec.outputSize());
  }

  private static int[] widths(String path, NetworkSpec spec) throws IOException {
    Dataset d = Datasets.open(path, shape(spec));
    if (d.size() == 0) {
      throw new IOException("the training data at " + path + " is empty");
    }
    return new int[] {d.featureCount(), d.targetCount()};
  }
}
