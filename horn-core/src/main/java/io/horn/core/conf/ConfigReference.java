package io.horn.core.conf;

/**
 * Writes the configuration reference ({@code docs/configuration.md}) from {@link HornOptions}, so
 * the document cannot drift from the code: a test compares the two.
 */
public final class ConfigReference {
  private ConfigReference() {}

  /** The reference as Markdown: the user options, then the internal keys apart. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration reference\n\n")
        .append("Generated from `io.horn.core.conf.HornOptions` (`bin/horn class ")
        .append("io.horn.core.conf.ConfigReference > docs/configuration.md`). Set keys in ")
        .append("`conf/horn-site.xml`, on a `HornConfiguration`, through `HornJob`'s ")
        .append("setters, or on the command line of `bin/horn example mnist`, `bin/horn bench ")
        .append("...` and `bin/horn convert-mnist` with `-D key=value` or `--conf FILE` (Hadoop ")
        .append("XML when FILE ends in `.xml`, a Java properties file otherwise).\n\n");
    table(sb, false);
    sb.append("\n## Internal keys\n\n")
        .append("Test hooks and keys that Horn's runners set for their tasks. They are checked ")
        .append("like the options above and never reported as unknown, but they are not ")
        .append("settings: leave them unset.\n\n");
    table(sb, true);
    return sb.toString();
  }

  private static void table(StringBuilder sb, boolean internal) {
    sb.append("| key | type | default | allowed | meaning |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigOption<?> o : HornOptions.all()) {
      if (o.isInternal() != internal) {
        continue;
      }
      String def = o == HornOptions.THREADS ? "the number of cores"
          : String.valueOf(o.defaultValue());
      sb.append("| `").append(o.key()).append("` | ").append(o.type().getSimpleName())
          .append(" | ").append(def.isEmpty() ? "(empty)" : "`" + def + "`").append(" | ")
          .append(o.ruleText()).append(" | ").append(o.description().replace("|", "\\|"))
          .append(" |\n");
    }
  }

  public static void main(String[] args) {
    System.out.print(markdown());
  }
}
