package io.horn.bsp;

import io.horn.core.engine.ProgressBoard;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a cluster job's groups for its submitter: each group leader rewrites one small
 * file in the job's directory ({@link TaskFailures#directory}, next to the failures) at most once
 * a second, and the submitter's {@link JobWatch} reads them into its live board. A typed record:
 * group, epoch, step, cost, samples per second, accuracy (NaN when none yet), the step budget.
 */
final class ProgressFiles implements ProgressSink {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressFiles.class);
  private static final long EVERY_NANOS = 1_000_000_000L;

  private final Configuration conf;
  private final Path file;
  private int epoch;
  private long step;
  private double cost = Double.NaN;
  private double rate;
  private double accuracy = Double.NaN;
  private long total;
  private long lastWrite;
  private boolean failedOnce;

  private ProgressFiles(Configuration conf, Path file) {
    this.conf = conf;
    this.file = file;
  }

  /** The sink of {@code group}'s leader. */
  static ProgressSink writer(Configuration conf, String token, int group) {
    return new ProgressFiles(conf, new Path(progressDirectory(conf, token), "group-" + group));
  }

  static Path progressDirectory(Configuration conf, String token) {
    return new Path(TaskFailures.directory(conf, token), "progress");
  }

  @Override
  public void update(int group, int epoch, long step, double cost, double samplesPerSecond) {
    this.epoch = epoch;
    this.step = step;
    this.cost = cost;
    this.rate = samplesPerSecond;
    if (System.nanoTime() - lastWrite > EVERY_NANOS) {
      flush();
    }
  }

  @Override
  public void accuracy(int group, double accuracy) {
    this.accuracy = accuracy;
  }

  @Override
  public void totalSteps(long steps) {
    this.total = steps;
  }

  @Override
  public void flush() {
    lastWrite = System.nanoTime();
    try (FSDataOutputStream out = file.getFileSystem(conf).create(file, true)) {
      out.writeInt(Integer.parseInt(file.getName().substring("group-".length())));
      out.writeInt(epoch);
      out.writeLong(step);
      out.writeDouble(cost);
      out.writeDouble(rate);
      out.writeDouble(accuracy);
      out.writeLong(total);
    } catch (IOException | RuntimeException e) {
      if (!failedOnce) {
        failedOnce = true; // progress is a courtesy: training goes on without it
        LOG.warn("cannot leave progress for the submitter at {}: {}", file, e.toString());
      }
    }
  }

  /** The submitter's side: every group's latest record onto {@code board}. */
  static void readInto(Configuration conf, String token, ProgressBoard board) {
    Path dir = progressDirectory(conf, token);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return;
      }
      for (FileStatus s : fs.listStatus(dir)) {
        try (FSDataInputStream in = fs.open(s.getPath())) {
          int group = in.readInt();
          int epoch = in.readInt();
          long step = in.readLong();
          double cost = in.readDouble();
          double rate = in.readDouble();
          double accuracy = in.readDouble();
          long total = in.readLong();
          board.update(group, epoch, step, cost, rate);
          if (!Double.isNaN(accuracy)) {
            board.accuracy(group, accuracy);
          }
          if (total > 0) {
            board.setTotalSteps(total);
          }
        } catch (IOException e) {
          // being rewritten right now: the next look reads it
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read progress from {}: {}", dir, e.toString());
    }
  }
}
