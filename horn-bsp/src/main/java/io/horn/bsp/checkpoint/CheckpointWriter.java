package io.horn.bsp.checkpoint;

import io.horn.core.checkpoint.Checkpoint;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes checkpoints on a thread of its own, so that training (or the parameter server's lock)
 * never waits for the file system. At most one checkpoint waits behind the one being written:
 * when the file system is slower than the interval, a newer cut replaces the waiting one, since
 * only the newest matters.
 *
 * <p>A failed write is logged and remembered ({@link #lastError}); the job trains on and the
 * earlier checkpoints stay intact. Lifecycle: {@link #start}, {@link #submit} any number of
 * times, {@link #close} (which finishes the write in progress and the waiting one). Thread-safe.
 */
public final class CheckpointWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
  private static final Supplier<Checkpoint> END = () -> null;

  private final CheckpointStore store;
  private final BlockingQueue<Supplier<Checkpoint>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile IOException lastError;
  private volatile long written;
  private int outstanding; // queued or being written; guarded by queue's monitor

  private CheckpointWriter(CheckpointStore store, String name) {
    this.store = store;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
  }

  public static CheckpointWriter start(CheckpointStore store, String name) {
    CheckpointWriter w = new CheckpointWriter(store, name);
    w.thread.start();
    return w;
  }

  /**
   * Queues a checkpoint, built on the writer's thread by {@code build} (so that assembling the
   * model file's metadata costs the caller nothing); replaces one still waiting.
   */
  public void submit(Supplier<Checkpoint> build) {
    synchronized (queue) {
      // Polled, not removed in bulk: each waiting one is either the writer's or ours, once.
      boolean ended = false;
      for (Supplier<Checkpoint> q = queue.poll(); q != null; q = queue.poll()) {
        if (q == END) {
          ended = true;
        } else {
          outstanding--;
        }
      }
      if (ended) {
        queue.add(END);
      }
      queue.add(build);
      outstanding++;
    }
  }

  /**
   * Waits until every checkpoint submitted so far is written (or failed): for a caller that
   * must not hold a second cut while one is still being written (a model-parallel leader, whose
   * cut is the whole model).
   */
  public void awaitIdle() throws InterruptedException {
    synchronized (queue) {
      while (outstanding > 0 && thread.isAlive()) {
        queue.wait(1000);
      }
    }
  }

  /** The last write's failure, or null. */
  public IOException lastError() {
    return lastError;
  }

  /** Checkpoints written so far. */
  public long written() {
    return written;
  }

  private void loop() {
    while (true) {
      Supplier<Checkpoint> next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (next == END) {
        return;
      }
      write(next);
      // Let go of the cut before saying it is done: a waiting caller may assemble the next one
      // (as large as the model) at once, and this thread's frame would keep the old one alive.
      next = null;
      synchronized (queue) {
        outstanding--;
        queue.notifyAll();
      }
    }
  }

  private void write(Supplier<Checkpoint> build) {
    long t0 = System.nanoTime();
    Checkpoint c = null;
    try {
      c = build.get();
      Path p = store.write(c);
      written++;
      LOG.info("{} written to {} in {} ms", c, p, (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException | RuntimeException | org.apache.hadoop.fs.FSError e) {
      // (Hadoop's local file system throws FSError, an Error, for a full disk.)
      lastError = e instanceof IOException ? (IOException) e : new IOException(e);
      LOG.error("could not write {} to {}: {}; training goes on, the earlier checkpoints are "
          + "intact", c == null ? "a checkpoint" : c, store.directory(), e.toString());
    }
  }

  /** Writes what is queued, then stops (waits up to {@code millis}). */
  public void close(long millis) {
    queue.add(END); // after a waiting checkpoint, which is written first
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("the checkpoint writer did not finish within {} ms", millis);
      thread.interrupt();
    }
  }

  @Override
  public void close() {
    close(60_000);
  }
}
