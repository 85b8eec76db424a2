package io.horn.core.conf;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Key/value settings of a Horn job, readable from Hadoop-style XML files ({@code
 * <configuration><property><name/><value/></property></configuration>}, as {@code
 * conf/horn-site.xml}) and read through typed {@link ConfigOption}s.
 *
 * <p>Keys that are not Horn options are kept and passed on (horn-bsp hands them to Hama). Not
 * thread-safe: fill it on one thread, then share it read-only or {@link #copy()} it.
 */
public final class HornConfiguration {
  private final Map<String, String> values = new TreeMap<>();

  public HornConfiguration() {}

  /** A configuration with {@code horn-site.xml} from the class path, if there is one. */
  public static HornConfiguration withDefaults() {
    HornConfiguration c = new HornConfiguration();
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    try (InputStream in = (cl != null ? cl : HornConfiguration.class.getClassLoader())
        .getResourceAsStream("horn-site.xml")) {
      if (in != null) {
        c.addResource(in, "horn-site.xml (class path)");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read horn-site.xml from the class path: " + e, e);
    }
    return c;
  }

  public HornConfiguration copy() {
    HornConfiguration c = new HornConfiguration();
    c.values.putAll(values);
    return c;
  }

  /** Adds the properties of a Hadoop-style XML file; later values win. */
  public HornConfiguration addResource(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "configuration file not found");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return addResource(in, file.toString());
    }
  }

  /** Adds the properties of an XML stream; {@code name} is used in error messages. */
  public HornConfiguration addResource(InputStream in, String name) throws IOException {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setExpandEntityReferences(false);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc = f.newDocumentBuilder().parse(in);
    } catch (Exception e) {
      throw new IOException("cannot parse configuration " + name + ": " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    if (!"configuration".equals(root.getTagName())) {
      throw new IOException(name + ": root element must be <configuration>, not <"
          + root.getTagName() + ">");
    }
    NodeList props = root.getElementsByTagName("property");
    for (int i = 0; i < props.getLength(); i++) {
      Element p = (Element) props.item(i);
      String key = text(p, "name");
      String value = text(p, "value");
      if (key == null || key.trim().isEmpty()) {
        throw new IOException(name + ": property #" + (i + 1) + " has no <name>");
      }
      values.put(key.trim(), value == null ? "" : value.trim());
    }
    return this;
  }

  private static String text(Element e, String tag) {
    NodeList l = e.getElementsByTagName(tag);
    if (l.getLength() == 0) {
      return null;
    }
    Node n = l.item(0);
    return n.getTextContent();
  }

  /** The option's value, or its default; a malformed value fails naming the key. */
  public <T> T get(ConfigOption<T> option) {
    String v = values.get(option.key());
    return v == null ? option.defaultValue() : option.parse(v);
  }

  /** Sets a checked value; a bad one fails naming the key. */
  public <T> HornConfiguration set(ConfigOption<T> option, T value) {
    values.put(option.key(), String.valueOf(option.check(value)));
    return this;
  }

  /** Sets a raw value, unchecked until read (for keys horn-core does not know). */
  public HornConfiguration set(String key, String value) {
    values.put(checkNotNull(key, "key"), checkNotNull(value, "value of %s", key));
    return this;
  }

  public String getRaw(String key) {
    return values.get(key);
  }

  public boolean isSet(ConfigOption<?> option) {
    return values.containsKey(option.key());
  }

  public HornConfiguration unset(String key) {
    values.remove(key);
    return this;
  }

  /** All raw values, sorted by key. */
  public Map<String, String> asMap() {
    return Collections.unmodifiableMap(values);
  }

  /** Reads every known option once, so that a bad value fails now rather than mid-training. */
  public void validate() {
    for (ConfigOption<?> o : HornOptions.all()) {
      get(o);
    }
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
