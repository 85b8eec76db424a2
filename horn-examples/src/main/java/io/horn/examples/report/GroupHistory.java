package io.horn.examples.report;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;

/**
 * The training history of one task group, as recorded in a model's {@code history.group.<g>}
 * metadata entry: records joined by {@code ';'}, each {@code seconds:step:cost:accuracy}
 * (seconds since the group started; the step; the mean training cost over the interval; the
 * held-out accuracy in [0, 1], or empty when the record was not evaluated).
 *
 * <p>Parsing is lenient: a record that is malformed, or whose seconds or cost are not finite, is
 * skipped and counted in {@link #skipped()}, so a damaged entry still gives a report. Immutable.
 */
public final class GroupHistory {
  /**
   * One record.
   *
   * @param seconds seconds since the group started
   * @param step the group's step count at the record
   * @param cost mean training cost over the interval ending here
   * @param accuracy held-out accuracy in [0, 1], or {@code NaN} when not evaluated
   */
  public record Point(double seconds, long step, double cost, double accuracy) {
    /** Whether the record carries a held-out accuracy. */
    public boolean hasAccuracy() {
      return !Double.isNaN(accuracy);
    }
  }

  private static final GroupHistory EMPTY = new GroupHistory(ImmutableList.of(), 0);

  private final ImmutableList<Point> points;
  private final int skipped;

  private GroupHistory(List<Point> points, int skipped) {
    this.points = ImmutableList.copyOf(points);
    this.skipped = skipped;
  }

  /** A history with no records. */
  public static GroupHistory empty() {
    return EMPTY;
  }

  /** Parses a {@code history.group.<g>} value; {@code null} or blank gives an empty history. */
  public static GroupHistory parse(String value) {
    if (value == null || value.isBlank()) {
      return EMPTY;
    }
    List<Point> points = new ArrayList<>();
    int skipped = 0;
    for (String record : value.split(";")) {
      if (record.isBlank()) {
        continue;
      }
      Point p = parseRecord(record.trim());
      if (p == null) {
        skipped++;
      } else {
        points.add(p);
      }
    }
    // Records of weights evaluated after training come after the live ones: step order.
    points.sort(java.util.Comparator.comparingLong(Point::step));
    return new GroupHistory(points, skipped);
  }

  private static Point parseRecord(String record) {
    String[] f = record.split(":", -1);
    if (f.length < 3 || f.length > 4) {
      return null;
    }
    try {
      double seconds = Double.parseDouble(f[0].trim());
      long step = Long.parseLong(f[1].trim());
      double cost = Double.parseDouble(f[2].trim());
      double accuracy =
          f.length == 4 && !f[3].isBlank() ? Double.parseDouble(f[3].trim()) : Double.NaN;
      if (!Double.isFinite(seconds) || !Double.isFinite(cost)) {
        return null;
      }
      if (!Double.isFinite(accuracy)) {
        accuracy = Double.NaN;
      }
      return new Point(seconds, step, cost, accuracy);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The records, in step order. */
  public ImmutableList<Point> points() {
    return points;
  }

  /** The records that carry an accuracy. */
  public ImmutableList<Point> evaluated() {
    ImmutableList.Builder<Point> b = ImmutableList.builder();
    for (Point p : points) {
      if (p.hasAccuracy()) {
        b.add(p);
      }
    }
    return b.build();
  }

  public boolean isEmpty() {
    return points.isEmpty();
  }

  /** Malformed records left out. */
  public int skipped() {
    return skipped;
  }

  /** The last record, or {@code null} when empty. */
  public Point last() {
    return points.isEmpty() ? null : points.get(points.size() - 1);
  }

  /** The last record with an accuracy, or {@code null} when none has one. */
  public Point lastEvaluated() {
    for (int i = points.size() - 1; i >= 0; i--) {
      if (points.get(i).hasAccuracy()) {
        return points.get(i);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return points.size() + " record(s)" + (skipped > 0 ? ", " + skipped + " skipped" : "");
  }
}
