package io.horn.bsp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HornClassLoaderTest {

  @Test
  void isTheSystemLoaderOfAChildJvmAndHamaAcceptsIt() throws Exception {
    String out = runProbe(true);
    assertTrue(out.contains("system=io.horn.bsp.cluster.HornClassLoader"), out);
    assertTrue(out.contains("url=true"), out);
    assertTrue(out.contains("hama=ok"), out);
  }

  @Test
  void withoutTheFlagHamaFailsOnThisJdk() throws Exception {
    // Documents why the flag is needed (JDK 9+: the application loader is no URLClassLoader).
    String out = runProbe(false);
    assertTrue(out.contains("url=false"), out);
    assertTrue(out.contains("hama=java.lang.ClassCastException"), out);
  }

  @Test
  void ensureUrlContextLoaderIsIdempotentAndReturnsThePreviousLoader() {
    Thread t = Thread.currentThread();
    ClassLoader original = t.getContextClassLoader();
    ClassLoader plain = new ClassLoader(original) {};
    try {
      t.setContextClassLoader(plain);
      ClassLoader prev = ClassLoaders.ensureUrlContextLoader();
      assertSame(plain, prev);
      ClassLoader now = t.getContextClassLoader();
      assertTrue(now instanceof URLClassLoader);
      assertSame(plain, now.getParent());
      assertEquals(0, ((URLClassLoader) now).getURLs().length);

      ClassLoader again = ClassLoaders.ensureUrlContextLoader();
      assertSame(now, again);
      assertSame(now, t.getContextClassLoader());

      t.setContextClassLoader(null);
      assertEquals(null, ClassLoaders.ensureUrlContextLoader());
      assertSame(ClassLoader.getSystemClassLoader(), t.getContextClassLoader().getParent());
    } finally {
      t.setContextClassLoader(original);
    }
  }

  @Test
  void currentClasspathIsAbsoluteAndHoldsTheTestClasses() {
    List<String> cp = LocalCluster.currentClasspath();
    assertFalse(cp.isEmpty());
    for (String e : cp) {
      assertTrue(new File(e).isAbsolute(), e);
    }
    String testClasses = Paths.get("target", "test-classes").toAbsolutePath().toString();
    assertTrue(cp.contains(testClasses), () -> "no " + testClasses + " in " + cp);
    assertNotSame(null, System.getProperty("java.home"));
  }

  private static String runProbe(boolean flag) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (flag) {
      cmd.add(ClassLoaders.SYSTEM_LOADER_FLAG);
    }
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, LocalCluster.currentClasspath()));
    cmd.add(SystemLoaderProbe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not exit");
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
