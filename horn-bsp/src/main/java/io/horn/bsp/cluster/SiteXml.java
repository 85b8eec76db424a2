package io.horn.bsp.cluster;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Reads and writes Hadoop-style {@code *-site.xml} files (one {@code <configuration>}). */
final class SiteXml {

  private SiteXml() {}

  /**
   * The properties a site file sets, with {@code ${var}} references expanded, in file order.
   *
   * @throws IOException when the file is missing or not a Hadoop configuration file
   */
  static Map<String, String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such configuration file: " + file);
    }
    Configuration conf = new Configuration(false);
    conf.addResource(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()));
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String> e : conf) {
        out.put(e.getKey(), conf.get(e.getKey()));
      }
    } catch (RuntimeException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Writes {@code props} as a site file. Keys whose value is null are left out. {@code header} goes
   * into an XML comment at the top.
   */
  static void write(Path file, String header, Map<String, String> props) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(render(header, props));
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The text of a site file with {@code props}, as {@link #write} writes it. */
  static String render(String header, Map<String, String> props) {
    StringBuilder w = new StringBuilder();
    w.append("<?xml version=\"1.0\"?>\n");
    if (header != null && !header.isEmpty()) {
      w.append("<!--\n");
      for (String line : header.split("\n", -1)) {
        w.append("  ").append(line.replace("--", "- -")).append('\n');
      }
      w.append("-->\n");
    }
    w.append("<configuration>\n");
    for (Map.Entry<String, String> e : props.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      w.append("  <property>\n");
      w.append("    <name>").append(escape(e.getKey())).append("</name>\n");
      w.append("    <value>").append(escape(e.getValue())).append("</value>\n");
      w.append("  </property>\n");
    }
    w.append("</configuration>\n");
    return w.toString();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
