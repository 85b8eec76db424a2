package io.horn.core.math;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.conf.TrainingSettings;
import io.horn.core.model.NetworkSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds {@link MathBackend}s with {@link ServiceLoader} and picks one for a job. */
public final class MathBackends {
  private static final Logger LOG = LoggerFactory.getLogger(MathBackends.class);

  private MathBackends() {}

  /** Every registered backend, highest priority first. */
  public static List<MathBackend> all() {
    List<MathBackend> list = new ArrayList<>();
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    for (MathBackend b : ServiceLoader.load(MathBackend.class,
        cl != null ? cl : MathBackends.class.getClassLoader())) {
      list.add(b);
    }
    if (list.isEmpty()) {
      for (MathBackend b : ServiceLoader.load(MathBackend.class,
          MathBackends.class.getClassLoader())) {
        list.add(b);
      }
    }
    list.sort(Comparator.comparingInt(MathBackend::priority).reversed());
    return list;
  }

  /**
   * The backend for {@code choice}: {@code auto} takes the highest-priority usable backend that
   * supports the network and logs in one line why each better one was passed over; a named
   * backend that cannot run fails with its reason.
   */
  public static MathBackend select(String choice, NetworkSpec spec, TrainingSettings settings) {
    checkNotNull(choice, "choice");
    String want = choice.trim().toLowerCase(Locale.ROOT);
    List<MathBackend> all = all();
    if (!want.equals("auto")) {
      List<String> names = new ArrayList<>();
      for (MathBackend b : all) {
        names.add(b.name());
        if (b.name().equalsIgnoreCase(want)) {
          Availability a = b.availability();
          if (!a.isUsable()) {
            throw new IllegalStateException("math backend '" + want + "' is not usable here: "
                + a.reason());
          }
          if (!b.supports(spec, settings)) {
            throw new IllegalStateException("math backend '" + want
                + "' cannot run this network: " + b.whyUnsupported(spec, settings));
          }
          LOG.info("math backend: {} ({})", b.name(), a.reason());
          return b;
        }
      }
      throw new IllegalArgumentException("unknown math backend '" + choice
          + "' for horn.math.backend; registered: " + names + " or auto");
    }
    StringBuilder passed = new StringBuilder();
    for (MathBackend b : all) {
      Availability a = b.availability();
      if (a.isUsable() && b.supports(spec, settings)) {
        if (passed.length() > 0) {
          LOG.info("math backend: {} ({}); passed over: {}", b.name(), a.reason(), passed);
        } else {
          LOG.info("math backend: {} ({})", b.name(), a.reason());
        }
        return b;
      }
      if (passed.length() > 0) {
        passed.append("; ");
      }
      passed.append(b.name()).append(": ")
          .append(a.isUsable() ? b.whyUnsupported(spec, settings) : a.reason());
    }
    throw new IllegalStateException("no usable math backend: " + passed);
  }
}
