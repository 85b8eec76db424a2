package io.horn.examples.report;

import com.google.common.collect.ImmutableList;
import io.horn.core.model.HistoryRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The training history of one task group, as recorded in a model's {@code history.group.<g>}
 * metadata entry (the text form of {@link HistoryRecord}s).
 *
 * <p>Reading is lenient, unlike {@link HistoryRecord#decode}: a record that is malformed, or
 * whose cost is not finite, is skipped and counted in {@link #skipped()}, so a damaged entry
 * still gives a report. Immutable.
 */
public final class GroupHistory {
  private static final GroupHistory EMPTY = new GroupHistory(ImmutableList.of(), 0);

  private final ImmutableList<HistoryRecord> points;
  private final int skipped;

  private GroupHistory(List<HistoryRecord> points, int skipped) {
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
    List<HistoryRecord> points = new ArrayList<>();
    int skipped = 0;
    for (String record : value.split(String.valueOf(HistoryRecord.RECORD_SEPARATOR))) {
      if (record.isBlank()) {
        continue;
      }
      HistoryRecord p = parseRecord(record);
      if (p == null) {
        skipped++;
      } else {
        points.add(p);
      }
    }
    // Records of weights evaluated after training come after the live ones: step order.
    points.sort(java.util.Comparator.comparingLong(HistoryRecord::step));
    return new GroupHistory(points, skipped);
  }

  /** The record, or null when it cannot be drawn: malformed, or a diverged (non-finite) cost. */
  private static HistoryRecord parseRecord(String record) {
    try {
      HistoryRecord r = HistoryRecord.decodeRecord(record);
      return Double.isFinite(r.cost()) ? r : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The records, in step order. */
  public ImmutableList<HistoryRecord> points() {
    return points;
  }

  /** The records that carry an accuracy. */
  public ImmutableList<HistoryRecord> evaluated() {
    ImmutableList.Builder<HistoryRecord> b = ImmutableList.builder();
    for (HistoryRecord p : points) {
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
  public HistoryRecord last() {
    return points.isEmpty() ? null : points.get(points.size() - 1);
  }

  /** The last record with an accuracy, or {@code null} when none has one. */
  public HistoryRecord lastEvaluated() {
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
