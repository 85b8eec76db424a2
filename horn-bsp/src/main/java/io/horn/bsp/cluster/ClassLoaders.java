package io.horn.bsp.cluster;

import java.net.URLClassLoader;

/** Class-loader fixes that Hama 0.7.1 needs on JDK 9+. */
public final class ClassLoaders {

  /** The JVM option that makes {@link HornClassLoader} the system class loader of a child JVM. */
  public static final String SYSTEM_LOADER_FLAG =
      "-Djava.system.class.loader=io.horn.bsp.cluster.HornClassLoader";

  private ClassLoaders() {}

  /**
   * Makes the current thread's context class loader a {@link URLClassLoader}, which Hama casts it
   * to when it runs tasks ({@code DistributedCacheUtil.addJarsToJobClasspath}). Call it before the
   * first {@code HamaConfiguration} is made on this thread (a configuration keeps the context loader
   * it saw when it was made). Idempotent: when the context loader already is a {@code
   * URLClassLoader}, nothing changes.
   *
   * <p>The new loader has no URLs of its own and delegates everything to the previous context loader
   * (or to the system loader when there was none).
   *
   * @return the context class loader before the call (pass it to {@link
   *     Thread#setContextClassLoader} to undo); may be null when the thread had none
   */
  public static ClassLoader ensureUrlContextLoader() {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    if (previous instanceof URLClassLoader) {
      return previous;
    }
    ClassLoader parent = previous != null ? previous : ClassLoader.getSystemClassLoader();
    thread.setContextClassLoader(new HornClassLoader(parent));
    return previous;
  }
}
