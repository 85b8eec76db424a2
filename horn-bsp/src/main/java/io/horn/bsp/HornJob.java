package io.horn.bsp;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.HornConfiguration;
import java.util.Map;
import org.apache.hama.HamaConfiguration;

/**
 * A {@link io.horn.core.HornJob} declared from a {@link HamaConfiguration}, as Apache Horn's
 * (2016) {@code new HornJob(HamaConfiguration, Class)} was: a Horn 2016 program changes its
 * imports to this class and keeps the rest of its declaration (see docs/porting.md).
 *
 * <p>The job starts from {@code horn-site.xml} on the class path ({@link
 * HornConfiguration#withDefaults()}) and takes every entry of the given configuration that a
 * user set: those whose value differs from a fresh {@code HamaConfiguration} (Hama's and
 * Hadoop's defaults stay out of the model's metadata), and every {@code horn.*} key. Hama keys
 * such as {@code bsp.master.address} reach the Hama job that the runner submits. Later changes
 * to {@code conf} do not reach the job: set them on {@link #getConfiguration()}.
 *
 * <p>Not thread-safe, like its superclass.
 */
public class HornJob extends io.horn.core.HornJob {

  /**
   * @param conf the job's Hama settings, copied in at once
   * @param jobClass a class of the user's job, used to find its jar and class loader
   */
  public HornJob(HamaConfiguration conf, Class<?> jobClass) {
    super(fromHama(checkNotNull(conf, "conf")), jobClass);
  }

  /** A Horn job's own configuration, for programs that already have one. */
  public HornJob(HornConfiguration conf, Class<?> jobClass) {
    super(conf, jobClass);
  }

  /**
   * {@code horn-site.xml}, then the entries of {@code hama} that a user set (see the class
   * comment).
   */
  static HornConfiguration fromHama(HamaConfiguration hama) {
    HornConfiguration horn = HornConfiguration.withDefaults();
    HamaConfiguration defaults = new HamaConfiguration();
    for (Map.Entry<String, String> e : hama) {
      String key = e.getKey();
      // The raw value: ${...} references stay for Hama to expand where the job runs.
      String value = hama.getRaw(key);
      if (key.startsWith("horn.") || !value.equals(defaults.getRaw(key))) {
        horn.set(key, value);
      }
    }
    return horn;
  }
}
