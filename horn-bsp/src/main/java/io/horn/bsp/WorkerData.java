package io.horn.bsp;

import io.horn.bsp.io.SampleWritable;
import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import io.horn.core.data.ArrayDataset;
import io.horn.core.data.Dataset;
import io.horn.core.data.Datasets;
import io.horn.core.model.NetworkSpec;
import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hama.bsp.BSPPeer;

/**
 * A worker's training data: the records of its Hama input split (SequenceFile input), or, for
 * other formats (MNIST idx files), its slice of the dataset (contiguous or interleaved, {@code
 * horn.data.slices}), read through horn-core's dataset formats.
 */
final class WorkerData {
  /** Job key: {@code splits} when Hama hands each worker an input split, else {@code slice}. */
  static final String INPUT_MODE = "horn.bsp.input";

  private WorkerData() {}

  /** What a worker's {@link #load} read: its data, and the bytes behind it. */
  static final class Loaded {
    final ArrayDataset data;
    final ReadStats read;

    Loaded(ArrayDataset data, ReadStats read) {
      this.data = data;
      this.read = read;
    }
  }

  static Loaded load(
      BSPPeer<LongWritable, SampleWritable, NullWritable, NullWritable, SetupMessage>
      peer, HornConfiguration conf, NetworkSpec spec, JobLayout layout, int worker)
      throws IOException {
    String path = conf.get(HornOptions.TRAINING_PATH);
    ArrayDataset d;
    ReadStats before = ReadStats.ofThisThread();
    if ("splits".equals(peer.getConfiguration().get(INPUT_MODE))) {
      d = readSplit(peer, path, worker);
    } else {
      Dataset all = Datasets.open(path, InputCheck.shape(spec));
      boolean interleaved = conf.get(HornOptions.DATA_SLICES).equals("interleaved");
      // Model-parallel members all train on the whole mini-batch: each keeps the whole set as
      // it was read (a copy would double the data on heaps sized for a slice of the model).
      d = layout.modelParallel ? (all instanceof ArrayDataset ? (ArrayDataset) all
          : copy(all, slice(all.size(), 0, 1, interleaved)))
          : conf.get(HornOptions.DATA_GROUPS).equals("whole")
          ? copy(all, slice(all.size(), layout.memberOf(worker), layout.groupSize, interleaved))
          : copy(all, slice(all.size(), worker, layout.workers, interleaved));
    }
    if (d.size() == 0) {
      throw new IOException("worker " + worker + " got no training samples from " + path
          + " (more workers than data?)");
    }
    if (d.featureCount() != spec.inputSize()) {
      throw new IOException("training data " + path + " has " + d.featureCount()
          + " features per sample but the input layer has " + spec.inputSize() + " neurons");
    }
    if (d.targetCount() != spec.outputSize()) {
      throw new IOException("training data " + path + " has " + d.targetCount()
          + " targets per sample but the output layer has " + spec.outputSize() + " neurons");
    }
    return new Loaded(d, ReadStats.ofThisThread().since(before));
  }

  /** The sample indices worker {@code w} of {@code workers} trains on. */
  static int[] slice(int size, int w, int workers, boolean interleaved) {
    if (interleaved) {
      int[] order = new int[Math.max(0, (size - w + workers - 1) / workers)];
      for (int i = 0; i < order.length; i++) {
        order[i] = w + i * workers;
      }
      return order;
    }
    int from = (int) ((long) size * w / workers);
    int to = (int) ((long) size * (w + 1) / workers);
    int[] order = new int[to - from];
    for (int i = 0; i < order.length; i++) {
      order[i] = from + i;
    }
    return order;
  }

  private static ArrayDataset copy(Dataset all, int[] order) {
    int n = order.length;
    float[] x = new float[n * all.featureCount()];
    float[] y = new float[n * all.targetCount()];
    if (n > 0) {
      all.fill(order, 0, n, x, all.featureCount(), y);
    }
    return ArrayDataset.ofTargets(x, all.featureCount(), y, all.targetCount());
  }

  private static ArrayDataset readSplit(BSPPeer<LongWritable, SampleWritable, NullWritable,
      NullWritable, SetupMessage> peer, String path, int worker) throws IOException {
    LongWritable key = new LongWritable();
    SampleWritable value = new SampleWritable();
    float[] x = new float[1 << 16];
    float[] y = new float[1 << 12];
    int n = 0;
    int fc = -1;
    int tc = -1;
    while (peer.readNext(key, value)) {
      float[] f = value.features();
      float[] t = value.targets();
      if (fc < 0) {
        fc = f.length;
        tc = t.length;
      } else if (f.length != fc || t.length != tc) {
        throw new IOException(path + ": record " + key.get() + " has " + f.length + " features"
            + " and " + t.length + " targets, earlier records " + fc + " and " + tc);
      }
      if ((long) (n + 1) * fc > x.length) {
        x = Arrays.copyOf(x, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) x.length * 2,
            (long) (n + 1) * fc)));
      }
      if ((long) (n + 1) * tc > y.length) {
        y = Arrays.copyOf(y, Math.max(y.length * 2, (n + 1) * tc));
      }
      System.arraycopy(f, 0, x, n * fc, fc);
      System.arraycopy(t, 0, y, n * tc, tc);
      n++;
    }
    if (n == 0) {
      throw new IOException("worker " + worker + "'s input split of " + path + " is empty");
    }
    return ArrayDataset.ofTargets(Arrays.copyOf(x, n * fc), fc, Arrays.copyOf(y, n * tc), tc);
  }
}
