package io.horn.core.data.text;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the lines of a text dataset are read: the kind ({@link Kind#CSV} or {@link Kind#LIBSVM})
 * and its options. Made with {@link #builder}, or from a path with options after a {@code #}
 * ({@link #forPath}), e.g. {@code /data/iris.csv#label=last,header=yes} or {@code
 * hdfs://nn/a9a.txt#format=libsvm,label-base=1}.
 *
 * <p>Options (keys of {@link #forPath}):
 *
 * <ul>
 *   <li>{@code format=csv|libsvm}: the kind, where the file name's extension does not tell it
 *       ({@code .csv} and {@code .tsv} are CSV, {@code .libsvm} and {@code .svm} LibSVM);
 *   <li>{@code label=N|first|last} (CSV): the label's column, counted from 0; default 0;
 *   <li>{@code header=auto|yes|no}, or just {@code header}: whether a file's first line names the
 *       columns; {@code auto} (the default) takes a first line with a field that is not a number
 *       for a header (CSV only; LibSVM files have none unless told);
 *   <li>{@code sep=comma|semicolon|tab|space}: the CSV separator; default comma, tab for
 *       {@code .tsv};
 *   <li>{@code zero-based} (LibSVM): feature indices start at 0 rather than LibSVM's 1;
 *   <li>{@code label-base=B}: the label of the first class (class id = label - B); default 0,
 *       1 for data labelled {@code 1..K};
 *   <li>{@code classes=K}, {@code features=F}: the shape, where no network gives it.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class TextFormat {
  /** The two text layouts. */
  public enum Kind { CSV, LIBSVM }

  /** Whether a file's first line is a header. */
  public enum Header { AUTO, PRESENT, ABSENT }

  /** {@link Builder#labelColumn} for the last column. */
  public static final int LAST_COLUMN = -1;

  private static final List<String> KEYS = Arrays.asList("format", "label", "header", "sep",
      "zero-based", "label-base", "classes", "features");
  private static final Pattern OPTIONS =
      Pattern.compile("[a-z-]+(=[^,=#]*)?(,[a-z-]+(=[^,=#]*)?)*");

  private final Kind kind;
  private final int labelColumn;
  private final Header header;
  private final char separator;
  private final boolean zeroBased;
  private final int labelBase;
  private final int classes;
  private final int features;

  private TextFormat(Builder b) {
    this.kind = b.kind;
    this.labelColumn = b.labelColumn;
    this.header = b.header;
    this.separator = b.separator;
    this.zeroBased = b.zeroBased;
    this.labelBase = b.labelBase;
    this.classes = b.classes;
    this.features = b.features;
  }

  public static Builder builder(Kind kind) {
    return new Builder(kind);
  }

  public Kind kind() {
    return kind;
  }

  /** The CSV label column, from 0, or {@link #LAST_COLUMN}. */
  public int labelColumn() {
    return labelColumn;
  }

  public Header header() {
    return header;
  }

  public char separator() {
    return separator;
  }

  /** Whether LibSVM feature indices start at 0. */
  public boolean zeroBased() {
    return zeroBased;
  }

  /** The label of class 0. */
  public int labelBase() {
    return labelBase;
  }

  /** The number of classes the options give, or 0. */
  public int classes() {
    return classes;
  }

  /** The number of features the options give, or 0. */
  public int features() {
    return features;
  }

  /** {@code path} without its {@code #options}, if it has any. */
  public static String location(String path) {
    checkNotNull(path, "path");
    int hash = optionsStart(path);
    return hash < 0 ? path : path.substring(0, hash);
  }

  /**
   * The kind {@code path} declares: its {@code format=} option, else its file name's extension;
   * null when it declares none (a directory, say, whose files then tell).
   *
   * @throws IllegalArgumentException if {@code format=} names no known kind
   */
  public static Kind declaredKind(String path) {
    checkNotNull(path, "path");
    int hash = optionsStart(path);
    if (hash >= 0) {
      for (String option : path.substring(hash + 1).split(",")) {
        if (option.startsWith("format=")) {
          return parseKind(option.substring("format=".length()), path);
        }
      }
    }
    return kindOfName(location(path));
  }

  /** The kind a file name's extension says ({@code .csv}, {@code .tsv}, {@code .libsvm}, {@code
   * .svm}), or null. */
  public static Kind kindOfName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".csv") || n.endsWith(".tsv")) {
      return Kind.CSV;
    }
    return n.endsWith(".libsvm") || n.endsWith(".svm") ? Kind.LIBSVM : null;
  }

  /**
   * The format of {@code path}'s data, of kind {@code kind}, with the path's options applied.
   *
   * @throws IllegalArgumentException naming the path and the option, if an option is unknown,
   *     malformed, or does not apply to {@code kind}
   */
  public static TextFormat forPath(String path, Kind kind) {
    checkNotNull(path, "path");
    Builder b = builder(kind);
    if (location(path).toLowerCase(Locale.ROOT).endsWith(".tsv")) {
      b.separator('\t');
    }
    int hash = optionsStart(path);
    if (hash < 0) {
      return b.build();
    }
    for (String option : path.substring(hash + 1).split(",")) {
      int eq = option.indexOf('=');
      String key = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? null : option.substring(eq + 1).trim();
      try {
        apply(b, kind, key, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("data path " + path + ": option '" + option + "': "
            + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static void apply(Builder b, Kind kind, String key, String value) {
    boolean csvOnly = key.equals("label") || key.equals("sep");
    checkArgument(!(csvOnly && kind != Kind.CSV), "applies to CSV only");
    checkArgument(!(key.equals("zero-based") && kind != Kind.LIBSVM), "applies to LibSVM only");
    boolean flag = key.equals("zero-based") || key.equals("header");
    checkArgument(value != null || flag, "needs a value (%s=...)", key);
    switch (key) {
      case "format":
        checkArgument(parseKind(value, "") == kind, "the data is read as %s",
            kind.name().toLowerCase(Locale.ROOT));
        break;
      case "label":
        b.labelColumn(value.equals("first") ? 0 : value.equals("last") ? LAST_COLUMN
            : nonNegative(value, "a column number from 0, 'first' or 'last'"));
        break;
      case "header":
        b.header(value == null || value.equals("yes") || value.equals("true") ? Header.PRESENT
            : value.equals("no") || value.equals("false") ? Header.ABSENT
            : value.equals("auto") ? Header.AUTO : TextFormat.<Header>fail("yes, no or auto"));
        break;
      case "sep":
        b.separator(separatorOf(value));
        break;
      case "zero-based":
        b.zeroBased(value == null || value.equals("yes") || value.equals("true"));
        break;
      case "label-base":
        try {
          b.labelBase(Integer.parseInt(value));
        } catch (NumberFormatException e) {
          fail("an integer");
        }
        break;
      case "classes":
        b.classes(positive(value));
        break;
      case "features":
        b.features(positive(value));
        break;
      default:
        fail("unknown option; known: " + String.join(", ", KEYS));
    }
  }

  private static <T> T fail(String expected) {
    throw new IllegalArgumentException("expected " + expected);
  }

  private static char separatorOf(String value) {
    switch (value) {
      case "comma":
      case ",":
        return ',';
      case "semicolon":
      case ";":
        return ';';
      case "tab":
        return '\t';
      case "space":
        return ' ';
      default:
        return TextFormat.<Character>fail("comma, semicolon, tab or space");
    }
  }

  private static int nonNegative(String v, String expected) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail(expected);
    return 0;
  }

  private static int positive(String v) {
    int n = nonNegative(v, "a positive integer");
    checkArgument(n > 0, "expected a positive integer");
    return n;
  }

  private static Kind parseKind(String v, String path) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "csv":
        return Kind.CSV;
      case "libsvm":
      case "svm":
        return Kind.LIBSVM;
      default:
        throw new IllegalArgumentException("unknown text format '" + v + "'"
            + (path.isEmpty() ? "" : " in " + path) + " (known: csv, libsvm)");
    }
  }

  /**
   * Where the options of {@code path} start (its last {@code #}), or -1: the part after it must
   * look like options and start with a known key, so that {@code dir#t10k} (an idx set) and a
   * {@code #} in a file name are not taken for options.
   */
  private static int optionsStart(String path) {
    int hash = path.lastIndexOf('#');
    if (hash <= 0) {
      return -1;
    }
    String tail = path.substring(hash + 1);
    if (!OPTIONS.matcher(tail).matches()) {
      return -1;
    }
    int end = tail.indexOf('=');
    int comma = tail.indexOf(',');
    end = end < 0 ? comma : comma < 0 ? end : Math.min(end, comma);
    return KEYS.contains(end < 0 ? tail : tail.substring(0, end)) ? hash : -1;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + "(label=" + labelColumn + ", header=" + header
        + ", sep='" + separator + "', zero-based=" + zeroBased + ", label-base=" + labelBase
        + ", classes=" + classes + ", features=" + features + ")";
  }

  /** Builds a {@link TextFormat}; defaults as in the class comment. Not thread-safe. */
  public static final class Builder {
    private final Kind kind;
    private int labelColumn;
    private Header header = Header.AUTO;
    private char separator = ',';
    private boolean zeroBased;
    private int labelBase;
    private int classes;
    private int features;

    private Builder(Kind kind) {
      this.kind = checkNotNull(kind, "kind");
    }

    public Builder labelColumn(int column) {
      checkArgument(column >= 0 || column == LAST_COLUMN, "label column must be >= 0 or "
          + "LAST_COLUMN, got %s", column);
      this.labelColumn = column;
      return this;
    }

    public Builder header(Header header) {
      this.header = checkNotNull(header, "header");
      return this;
    }

    public Builder separator(char separator) {
      checkArgument(separator != '"' && separator != '\n' && separator != '\r',
          "bad separator '%s'", separator);
      this.separator = separator;
      return this;
    }

    public Builder zeroBased(boolean zeroBased) {
      this.zeroBased = zeroBased;
      return this;
    }

    public Builder labelBase(int labelBase) {
      this.labelBase = labelBase;
      return this;
    }

    /** The number of classes, or 0 to take the network's (or the data's largest id + 1). */
    public Builder classes(int classes) {
      checkArgument(classes >= 0, "classes must not be negative, got %s", classes);
      this.classes = classes;
      return this;
    }

    /** The number of features, or 0 to take the network's (or the data's). */
    public Builder features(int features) {
      checkArgument(features >= 0, "features must not be negative, got %s", features);
      this.features = features;
      return this;
    }

    public TextFormat build() {
      return new TextFormat(this);
    }
  }
}
