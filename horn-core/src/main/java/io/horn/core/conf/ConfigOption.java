package io.horn.core.conf;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A typed configuration key: its name, type, default, a description for the reference docs, and
 * the rule its values must meet.
 *
 * <p>Immutable and thread-safe. Values are parsed and checked where they are read or set, and a
 * bad one fails with a message naming the key, the value and the rule.
 *
 * @param <T> the value type
 */
public final class ConfigOption<T> {
  private final String key;
  private final Class<T> type;
  private final T defaultValue;
  private final String description;
  private final Function<String, T> parser;
  private final Predicate<T> rule;
  private final String ruleText;
  private final boolean internal;

  private ConfigOption(String key, Class<T> type, T defaultValue, String description,
      Function<String, T> parser, Predicate<T> rule, String ruleText, boolean internal) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
    this.parser = parser;
    this.rule = rule;
    this.ruleText = ruleText;
    this.internal = internal;
  }

  public static ConfigOption<Integer> intOption(String key, int def, String description,
      Predicate<Integer> rule, String ruleText) {
    return of(key, Integer.class, def, description, Integer::valueOf, rule, ruleText);
  }

  public static ConfigOption<Long> longOption(String key, long def, String description,
      Predicate<Long> rule, String ruleText) {
    return of(key, Long.class, def, description, Long::valueOf, rule, ruleText);
  }

  public static ConfigOption<Float> floatOption(String key, float def, String description,
      Predicate<Float> rule, String ruleText) {
    return of(key, Float.class, def, description, Float::valueOf,
        rule.and(v -> Float.isFinite(v)), ruleText + ", finite");
  }

  public static ConfigOption<Boolean> booleanOption(String key, boolean def, String description) {
    return of(key, Boolean.class, def, description, ConfigOption::parseBoolean, v -> true,
        "true or false");
  }

  public static ConfigOption<String> stringOption(String key, String def, String description,
      Predicate<String> rule, String ruleText) {
    return of(key, String.class, def, description, s -> s, rule, ruleText);
  }

  public static <E extends Enum<E>> ConfigOption<E> enumOption(String key, Class<E> type, E def,
      String description) {
    StringBuilder names = new StringBuilder("one of");
    for (E e : type.getEnumConstants()) {
      names.append(' ').append(e.name());
    }
    return of(key, type, def, description,
        s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT).replace('-', '_')), v -> true,
        names.toString());
  }

  private static <T> ConfigOption<T> of(String key, Class<T> type, T def, String description,
      Function<String, T> parser, Predicate<T> rule, String ruleText) {
    checkArgument(key != null && !key.isEmpty(), "key");
    ConfigOption<T> o = new ConfigOption<>(key, type, def, checkNotNull(description), parser,
        rule, ruleText, false);
    if (def != null) {
      o.check(def);
    }
    return o;
  }

  private static Boolean parseBoolean(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.valueOf(v);
    }
    throw new IllegalArgumentException("not a boolean");
  }

  /**
   * This option marked internal: a test hook, or a key Horn's runners set for their tasks. It is
   * read and checked like any other, but listed apart from the user options in the reference,
   * so that no user takes it for a setting.
   */
  public ConfigOption<T> internal() {
    return new ConfigOption<>(key, type, defaultValue, description, parser, rule, ruleText, true);
  }

  /** Whether this is a test hook or a runner's key rather than a user option. */
  public boolean isInternal() {
    return internal;
  }

  public String key() {
    return key;
  }

  public Class<T> type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The rule values must meet, in words ("> 0", "one of CPU CUDA"). */
  public String ruleText() {
    return ruleText;
  }

  /** Parses and checks a textual value. */
  public T parse(String text) {
    checkNotNull(text, "value of %s", key);
    T v;
    try {
      v = parser.apply(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "bad value '" + text + "' for " + key + ": expected " + typeWords() + ", " + ruleText, e);
    }
    return check(v);
  }

  /** Checks a typed value against the rule. */
  public T check(T v) {
    checkNotNull(v, "value of %s", key);
    if (!rule.test(v)) {
      throw new IllegalArgumentException(
          "bad value '" + v + "' for " + key + ": must be " + ruleText);
    }
    return v;
  }

  private String typeWords() {
    return type.isEnum() ? "a name" : "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return key + " (" + type.getSimpleName() + ", default " + defaultValue + ")";
  }
}
