package io.horn.core.conf;

/**
 * Writes the configuration reference ({@code docs/configuration.md}) from {@link HornOptions}, so
 * the document cannot drift from the code: a test compares the two.
 */
public final class ConfigReference {
  private ConfigReference() {}

  /** The reference as Markdown. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration reference\n\n")
        .append("Generated from `io.horn.core.conf.HornOptions` (`bin/horn class ")
        .append("io.horn.core.conf.ConfigReference > docs/configuration.md`). Set keys in ")
        .append("`conf/horn-site.xml`, on a `HornConfiguration`, or through `HornJob`'s ")
        .append("setters.\n\n")
        .append("| key | type | default | allowed | meaning |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigOption<?> o : HornOptions.all()) {
      String def = o == HornOptions.THREADS ? "the number of cores"
          : String.valueOf(o.defaultValue());
      sb.append("| `").append(o.key()).append("` | ").append(o.type().getSimpleName())
          .append(" | ").append(def.isEmpty() ? "(empty)" : "`" + def + "`").append(" | ")
          .append(o.ruleText()).append(" | ").append(o.description().replace("|", "\\|"))
          .append(" |\n");
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    System.out.print(markdown());
  }
}
