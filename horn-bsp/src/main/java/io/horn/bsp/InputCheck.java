package io.horn.bsp;

import io.horn.bsp.io.SequenceFileDatasetFormat;
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

  /** Returns true when the input is SequenceFiles that Hama should split over the workers. */
  static boolean check(String path, NetworkSpec spec, Configuration conf) throws IOException {
    boolean seq = new SequenceFileDatasetFormat().accepts(path);
    int[] widths = seq ? SequenceFileDatasetFormat.firstRecordWidths(path, conf) : widths(path);
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

  private static int[] widths(String path) throws IOException {
    Dataset d = Datasets.open(path);
    if (d.size() == 0) {
      throw new IOException("the training data at " + path + " is empty");
    }
    return new int[] {d.featureCount(), d.targetCount()};
  }
}
