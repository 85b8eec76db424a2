package io.horn.bsp.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** This JVM's class path, as the class path of the cluster's child JVMs. */
final class Classpaths {

  private Classpaths() {}

  /** See {@link LocalCluster#currentClasspath()}. */
  static List<String> current() {
    Set<String> out = new LinkedHashSet<>();
    String cp = System.getProperty("java.class.path", "");
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      File f = new File(entry).getAbsoluteFile();
      if (f.isFile() && f.getName().endsWith(".jar")) {
        List<String> listed = pathingJarEntries(f);
        if (listed != null) {
          out.addAll(listed);
          continue;
        }
      }
      out.add(f.getPath());
    }
    return new ArrayList<>(out);
  }

  /**
   * The existing files a pathing jar's manifest {@code Class-Path} lists, or null when {@code jar}
   * is not a pathing jar (no such attribute, or classes of its own).
   */
  private static List<String> pathingJarEntries(File jar) {
    try (JarFile jf = new JarFile(jar)) {
      Manifest m = jf.getManifest();
      if (m == null) {
        return null;
      }
      String attr = m.getMainAttributes().getValue("Class-Path");
      if (attr == null || attr.isBlank()) {
        return null;
      }
      if (jf.stream().anyMatch(e -> e.getName().endsWith(".class"))) {
        return null;
      }
      URL base = jar.toURI().toURL();
      List<String> out = new ArrayList<>();
      for (String token : attr.trim().split("\\s+")) {
        try {
          File f = new File(new URL(base, token).toURI()).getAbsoluteFile();
          if (f.exists()) {
            out.add(f.getPath());
          }
        } catch (Exception e) {
          // skip entries that are not files
        }
      }
      return out;
    } catch (IOException e) {
      return null;
    }
  }
}
