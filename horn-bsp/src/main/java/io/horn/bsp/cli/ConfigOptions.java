package io.horn.bsp.cli;

import io.horn.core.conf.HornConfiguration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/**
 * {@code -D key=value} and {@code --conf FILE}, mixed in with {@code @Mixin} by every command
 * that runs with a configuration: they set any key (Horn's {@code horn.*} options, Hama's and
 * Hadoop's) on top of the site files. The {@code --conf} files apply in the order given, then
 * the {@code -D} settings, so a {@code -D} wins over a file.
 */
public final class ConfigOptions {
  @Option(names = "-D", paramLabel = "KEY=VALUE",
      description = "Set a configuration key (any horn.*, Hama or Hadoop key); repeatable; "
          + "wins over --conf.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--conf", paramLabel = "FILE", converter = ConfFile.Converter.class,
      description = "Read configuration keys from FILE: Hadoop XML when it ends in .xml (as "
          + "conf/horn-site.xml), a Java properties file otherwise; repeatable.")
  List<ConfFile> files = new ArrayList<>();

  /** The settings of the command line: the {@code --conf} files in order, then {@code -D}. */
  public Map<String, String> entries() {
    Map<String, String> all = new LinkedHashMap<>();
    for (ConfFile f : files) {
      all.putAll(f.entries());
    }
    all.putAll(properties);
    return Collections.unmodifiableMap(all);
  }

  /** Writes {@link #entries()} into {@code conf}; returns it. */
  public HornConfiguration applyTo(HornConfiguration conf) {
    entries().forEach(conf::set);
    return conf;
  }

  /** Writes {@link #entries()} into a Hadoop or Hama {@code conf}; returns it. */
  public <C extends Configuration> C applyTo(C conf) {
    entries().forEach(conf::set);
    return conf;
  }
}
