package io.horn.cuda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What an engine holds on the device (context, stream, module, buffers, cuBLAS handle), released
 * in the reverse order of acquisition, all of it even when some releases fail. An engine whose
 * constructor fails part-way releases what it had taken so far with {@link #closeAfter}, so a
 * failed construction leaks neither device memory nor the retained primary context.
 *
 * <p>Not thread-safe: owned by one engine.
 */
final class Resources implements AutoCloseable {
  private final Deque<AutoCloseable> held = new ArrayDeque<>();

  /** Registers {@code r} for release and returns it. */
  <T extends AutoCloseable> T add(T r) {
    held.push(r);
    return r;
  }

  /** How many resources are held. */
  int size() {
    return held.size();
  }

  /**
   * Releases everything, newest first; the first failure is thrown after all were tried, the
   * later ones suppressed into it.
   */
  @Override
  public void close() {
    RuntimeException first = null;
    while (!held.isEmpty()) {
      try {
        held.pop().close();
      } catch (Exception | LinkageError e) {
        RuntimeException r = e instanceof RuntimeException ? (RuntimeException) e
            : new IllegalStateException("releasing a CUDA resource failed: " + e, e);
        if (first == null) {
          first = r;
        } else {
          first.addSuppressed(r);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Releases everything after {@code cause} (a constructor's failure), attaching release
   * failures to it as suppressed, and returns {@code cause} for rethrowing.
   */
  <T extends Throwable> T closeAfter(T cause) {
    try {
      close();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    return cause;
  }
}
