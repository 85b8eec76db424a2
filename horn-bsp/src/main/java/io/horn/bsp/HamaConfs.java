package io.horn.bsp;

import io.horn.core.conf.HornConfiguration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Moves settings between a Horn configuration and a Hadoop/Hama one. */
final class HamaConfs {
  private HamaConfs() {}

  /** Every key of {@code horn} into {@code hadoop} (Hama keys a user set included). */
  static void copy(HornConfiguration horn, Configuration hadoop) {
    for (Map.Entry<String, String> e : horn.asMap().entrySet()) {
      hadoop.set(e.getKey(), e.getValue());
    }
  }

  /** The {@code horn.*} keys of a task's configuration. */
  static HornConfiguration toHorn(Configuration hadoop) {
    HornConfiguration c = new HornConfiguration();
    for (Map.Entry<String, String> e : hadoop) {
      if (e.getKey().startsWith("horn.")) {
        c.set(e.getKey(), e.getValue());
      }
    }
    return c;
  }
}
