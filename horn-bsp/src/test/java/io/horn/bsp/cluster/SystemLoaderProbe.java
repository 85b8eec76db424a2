package io.horn.bsp.cluster;

import java.net.URLClassLoader;
import org.apache.hama.HamaConfiguration;
import org.apache.hama.pipes.util.DistributedCacheUtil;

/** Run in a child JVM by {@link HornClassLoaderTest}: prints what the system class loader is. */
public final class SystemLoaderProbe {

  private SystemLoaderProbe() {}

  public static void main(String[] args) {
    ClassLoader system = ClassLoader.getSystemClassLoader();
    System.out.println("system=" + system.getClass().getName());
    System.out.println("url=" + (system instanceof URLClassLoader));
    System.out.println("probe-loader=" + SystemLoaderProbe.class.getClassLoader().getClass().getName());
    try {
      // What Hama's task runner does first in every task (BSPPeerImpl).
      DistributedCacheUtil.addJarsToJobClasspath(new HamaConfiguration());
      System.out.println("hama=ok");
    } catch (ClassCastException e) {
      System.out.println("hama=" + e);
    }
  }
}
