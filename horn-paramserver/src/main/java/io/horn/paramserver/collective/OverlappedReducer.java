package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.horn.core.math.GradientListener;

/**
 * Sums a step's gradients across the group while the engine is still computing them: the engine
 * reports each layer's block as backward finishes it ({@link GradientListener}), and a
 * communication thread all-reduces that block at once, so the transfer of layer L overlaps the
 * computation of the layers below it. The step's header (samples, cost, flags) goes last.
 *
 * <p>The blocks, and so the bits of the sum, are the engine's layer blocks on every member, since
 * every member runs the same network.
 *
 * <p>Lifecycle per step: {@link #begin}, the engine's {@link #ready} calls, {@link #finish}.
 * Thread-safety: {@code begin}, {@code ready} and {@code finish} come from one thread (the
 * worker's); the group's operations run on the communication thread only.
 */
public final class OverlappedReducer implements GradientListener, AutoCloseable {
  private static final int SLOTS = 256;

  private final GroupCollective group;
  private final int[] offsets = new int[SLOTS];
  private final int[] lengths = new int[SLOTS];
  private final Thread thread;
  private float[] buffer;
  private double[] header;
  private long queued;
  private long done;
  private boolean headerQueued;
  private boolean closed;
  private CollectiveException failure;

  public OverlappedReducer(GroupCollective group, String name) {
    this.group = checkNotNull(group, "group");
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts a step whose gradient sums live in {@code sums}. */
  public synchronized void begin(float[] sums) {
    checkState(queued == done && !headerQueued, "the previous step has not finished");
    buffer = sums;
  }

  @Override
  public synchronized void ready(int offset, int length) {
    while (queued - done == SLOTS && failure == null) {
      waitUninterruptibly();
    }
    int s = (int) (queued % SLOTS);
    offsets[s] = offset;
    lengths[s] = length;
    queued++;
    notifyAll();
  }

  /**
   * Queues the header's all-reduce after the blocks and waits until everything is summed;
   * {@code values} then holds the group's header sums.
   */
  public synchronized void finish(double[] values) throws CollectiveException {
    header = values;
    headerQueued = true;
    notifyAll();
    while ((headerQueued || done < queued) && failure == null) {
      waitUninterruptibly();
    }
    if (failure != null) {
      throw new CollectiveException(failure.getMessage(), failure);
    }
  }

  private void run() {
    while (true) {
      int s = -1;
      double[] h = null;
      float[] buf;
      synchronized (this) {
        while (!closed && done == queued && !headerQueued) {
          waitUninterruptibly();
        }
        if (closed) {
          return;
        }
        buf = buffer;
        if (done < queued) {
          s = (int) (done % SLOTS);
        } else {
          h = header;
        }
      }
      try {
        if (s >= 0) {
          group.allReduce(buf, offsets[s], lengths[s]);
        } else {
          group.allReduce(h);
        }
      } catch (CollectiveException e) {
        synchronized (this) {
          failure = e;
          notifyAll();
        }
        return;
      }
      synchronized (this) {
        if (s >= 0) {
          done++;
        } else {
          headerQueued = false;
        }
        notifyAll();
      }
    }
  }

  private void waitUninterruptibly() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the group summed gradients", e);
    }
  }

  /** Stops the communication thread (after failing the group, if it is blocked in it). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      thread.join(2000);
      if (thread.isAlive()) {
        group.abort("closed while an operation was in flight");
        thread.join(5000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
