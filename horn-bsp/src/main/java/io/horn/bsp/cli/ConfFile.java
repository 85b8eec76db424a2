package io.horn.bsp.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.horn.core.conf.HornConfiguration;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The settings of one {@code --conf FILE}, read when the command line is parsed: a file ending
 * in {@code .xml} is a Hadoop configuration file (the format of {@code conf/horn-site.xml} and
 * {@code hama-site.xml}), any other a Java properties file ({@code key=value} lines). Immutable.
 */
public final class ConfFile {
  private final Path path;
  private final ImmutableMap<String, String> entries;

  private ConfFile(Path path, Map<String, String> entries) {
    this.path = path;
    this.entries = ImmutableMap.copyOf(entries);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IOException naming the file: it is missing, unreadable or not well formed
   */
  public static ConfFile read(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file");
    }
    Map<String, String> entries = new TreeMap<>();
    if (file.getFileName().toString().endsWith(".xml")) {
      entries.putAll(new HornConfiguration().addResource(file).asMap());
    } else {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": not a properties file: " + e.getMessage(), e);
      }
      for (String key : p.stringPropertyNames()) {
        entries.put(key.trim(), p.getProperty(key).trim());
      }
    }
    return new ConfFile(file, entries);
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /** Its settings. */
  public ImmutableMap<String, String> entries() {
    return entries;
  }

  /** Parses an option value into a {@link ConfFile}, naming the problem when it cannot. */
  static final class Converter implements ITypeConverter<ConfFile> {
    @Override
    public ConfFile convert(String value) {
      try {
        return read(Paths.get(value));
      } catch (IOException | RuntimeException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
