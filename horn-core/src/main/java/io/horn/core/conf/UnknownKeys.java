package io.horn.core.conf;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds {@code horn.*} keys of a configuration that no part of Horn reads, so that a typo such as
 * {@code horn.learning.rat} is reported instead of silently leaving the option at its default.
 *
 * <p>Only keys starting with {@code horn.} are looked at: every other key (Hama's, Hadoop's, a
 * user's own) is passed on untouched and is none of Horn's business. A key is known when it is
 * the key of one of {@link HornOptions#all()}, one of {@link #INTERNAL}, or one of the caller's
 * extra keys.
 *
 * <p>Stateless and thread-safe.
 */
public final class UnknownKeys {
  /**
   * The internal keys ({@link ConfigOption#isInternal()}): test hooks, and keys that Horn's
   * runners set on a job's configuration for its tasks. A user does not set them, but they are
   * legitimately present in a task's (or a resubmitted job's) configuration, so they must not be
   * reported.
   */
  public static final Set<String> INTERNAL = HornOptions.all().stream()
      .filter(ConfigOption::isInternal).map(ConfigOption::key)
      .collect(java.util.stream.Collectors.collectingAndThen(
          java.util.stream.Collectors.toList(), ImmutableSet::copyOf));

  private static final String PREFIX = "horn.";

  private UnknownKeys() {}

  /**
   * One warning per unknown {@code horn.*} key of {@code conf}, in key order, such as {@code
   * unknown option horn.learning.rat (did you mean horn.learning.rate?)}. The suggestion is the
   * known key nearest by Damerau-Levenshtein distance (adjacent swaps count as one edit), given
   * only when that distance is at most {@code max(2, key length / 4)}: further off, a guess
   * would mislead more than help.
   *
   * @param conf the configuration to check; not changed
   * @param extraKnown further keys to accept, e.g. a plug-in's own options; may be empty
   * @return the warnings; empty when every {@code horn.*} key is known
   */
  public static List<String> check(HornConfiguration conf, Set<String> extraKnown) {
    checkNotNull(conf, "conf");
    checkNotNull(extraKnown, "extraKnown (pass Set.of() for none)");
    Set<String> known = new TreeSet<>(INTERNAL);
    for (ConfigOption<?> o : HornOptions.all()) {
      known.add(o.key());
    }
    known.addAll(extraKnown);
    List<String> warnings = new ArrayList<>();
    for (String key : conf.asMap().keySet()) {
      if (key.startsWith(PREFIX) && !known.contains(key)) {
        String near = nearest(key, known);
        warnings.add("unknown option " + key + (near != null
            ? " (did you mean " + near + "?)"
            : " (no Horn option is spelt like it; docs/configuration.md lists them all)"));
      }
    }
    return warnings;
  }

  /** The known key nearest to {@code key} if it is near enough, else null; ties go to the first. */
  private static String nearest(String key, Set<String> known) {
    int limit = Math.max(2, key.length() / 4);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      // Keys differing in length by more than the limit cannot be within it.
      if (Math.abs(k.length() - key.length()) > limit) {
        continue;
      }
      int d = distance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  /**
   * The optimal-string-alignment form of the Damerau-Levenshtein distance: insertions,
   * deletions, substitutions and swaps of two adjacent characters each cost one.
   */
  static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[][] d = new int[n + 1][m + 1];
    for (int i = 0; i <= n; i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= m; j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
}
