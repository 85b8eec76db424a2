package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Locale;

/**
 * One record of a task group's training history, and the one codec of the history's text form.
 *
 * <p>A model keeps each group's history in its {@link MetadataKeys#history(int)} entry, and the
 * parameter server receives it from group leaders, as records joined by {@code ';'}, each
 * {@code seconds:step:cost:accuracy}: seconds since the group started (2 decimals), the group's
 * step, the mean training cost over the interval ending there (5 decimals; {@code NaN} when
 * training diverged) and the held-out accuracy in [0, 1] (4 decimals), empty when the record was
 * not evaluated. Every model file written so far reads with {@link #decode}; a record without
 * its accuracy field, or with {@code NaN} there, also reads as not evaluated.
 *
 * @param seconds seconds since the group started; finite, not negative
 * @param step the group's step count at the record; not negative
 * @param cost mean training cost over the interval ending here; any value
 * @param accuracy held-out accuracy in [0, 1], or {@code NaN} when not evaluated
 */
public record HistoryRecord(double seconds, long step, double cost, double accuracy) {
  /** Between records. */
  public static final char RECORD_SEPARATOR = ';';
  /** Between a record's fields. */
  public static final char FIELD_SEPARATOR = ':';

  public HistoryRecord {
    checkArgument(Double.isFinite(seconds) && seconds >= 0,
        "seconds must be finite and not negative, not %s", seconds);
    checkArgument(step >= 0, "step must not be negative, not %s", step);
    checkArgument(Double.isNaN(accuracy) || (accuracy >= 0 && accuracy <= 1),
        "accuracy must be in [0, 1] or NaN (not evaluated), not %s", accuracy);
  }

  /** A record that was not evaluated on held-out data. */
  public static HistoryRecord unevaluated(double seconds, long step, double cost) {
    return new HistoryRecord(seconds, step, cost, Double.NaN);
  }

  /** Whether the record carries a held-out accuracy. */
  public boolean hasAccuracy() {
    return !Double.isNaN(accuracy);
  }

  /** This record's text form, {@code seconds:step:cost:accuracy}. */
  public String encode() {
    return String.format(Locale.ROOT, "%.2f:%d:%.5f:%s", seconds, step, cost,
        hasAccuracy() ? String.format(Locale.ROOT, "%.4f", accuracy) : "");
  }

  /** A history's text form: the records in order, joined by {@code ';'}; empty for none. */
  public static String encode(List<HistoryRecord> records) {
    StringBuilder b = new StringBuilder();
    for (HistoryRecord r : records) {
      b.append(b.length() == 0 ? "" : String.valueOf(RECORD_SEPARATOR)).append(r.encode());
    }
    return b.toString();
  }

  /**
   * The records of a history's text form, in their order; {@code null} or blank gives none.
   *
   * @throws IllegalArgumentException naming the first malformed record, its position and why
   */
  public static ImmutableList<HistoryRecord> decode(String history) {
    if (history == null || history.isBlank()) {
      return ImmutableList.of();
    }
    ImmutableList.Builder<HistoryRecord> b = ImmutableList.builder();
    String[] records = history.split(String.valueOf(RECORD_SEPARATOR), -1);
    for (int i = 0; i < records.length; i++) {
      try {
        b.add(decodeRecord(records[i]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("history record " + (i + 1) + " of "
            + records.length + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /**
   * One record's text form, {@code seconds:step:cost[:accuracy]}.
   *
   * @throws IllegalArgumentException quoting the record and saying what is wrong with it
   */
  public static HistoryRecord decodeRecord(String record) {
    checkArgument(record != null, "history record is missing");
    String[] f = record.trim().split(String.valueOf(FIELD_SEPARATOR), -1);
    checkArgument(f.length == 3 || f.length == 4,
        "'%s' is not seconds:step:cost:accuracy (%s fields)", record, f.length);
    double seconds = number(record, "seconds", f[0]);
    long step;
    try {
      step = Long.parseLong(f[1].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + record + "': step '" + f[1] + "' is not a whole number", e);
    }
    double cost = number(record, "cost", f[2]);
    String a = f.length == 4 ? f[3].trim() : "";
    double accuracy = a.isEmpty() ? Double.NaN : number(record, "accuracy", a);
    try {
      return new HistoryRecord(seconds, step, cost, accuracy);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + record + "': " + e.getMessage(), e);
    }
  }

  /** How many records a history's text form holds, without reading them. */
  public static int count(String history) {
    if (history == null || history.isBlank()) {
      return 0;
    }
    int n = 1;
    for (int i = 0; i < history.length(); i++) {
      n += history.charAt(i) == RECORD_SEPARATOR ? 1 : 0;
    }
    return n;
  }

  private static double number(String record, String field, String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + record + "': " + field + " '" + text + "' is not a number", e);
    }
  }
}
