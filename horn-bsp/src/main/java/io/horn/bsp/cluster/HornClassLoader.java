package io.horn.bsp.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * A {@link URLClassLoader} that adds nothing of its own: it makes Hama 0.7.1 work on JDK 9+.
 *
 * <p>Hama's task runner casts the configuration's class loader (the thread's context loader, by
 * default the system loader) to {@code URLClassLoader}; since JDK 9 the system loader is not one,
 * and every task fails with a {@code ClassCastException}. Start child JVMs with
 * {@value ClassLoaders#SYSTEM_LOADER_FLAG}: the JVM then makes this loader the system class loader,
 * with the built-in application loader (which still reads {@code -classpath}) as its parent. The
 * JVM prints a harmless warning that archived (CDS) classes are disabled.
 *
 * <p>In-process (local mode, tests) use {@link ClassLoaders#ensureUrlContextLoader()} instead.
 */
public class HornClassLoader extends URLClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  /**
   * The constructor the JVM calls for {@code -Djava.system.class.loader}.
   *
   * @param parent the loader to delegate to first (the application class loader)
   */
  public HornClassLoader(ClassLoader parent) {
    super(new URL[0], parent);
  }

  /**
   * A loader over {@code urls} that delegates to {@code parent} first.
   *
   * @param urls extra class path entries searched after the parent
   * @param parent the loader to delegate to first
   */
  public HornClassLoader(URL[] urls, ClassLoader parent) {
    super(urls, parent);
  }

  /**
   * Called by the JVM when a Java agent is loaded while this is the system class loader
   * ({@code Instrumentation.appendToSystemClassLoaderSearch}).
   */
  @SuppressWarnings("unused")
  void appendToClassPathForInstrumentation(String path) throws IOException {
    addURL(new File(path).toURI().toURL());
  }
}
