package io.horn.examples.report;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a report shows, read from a model's metadata: the groups and their histories, the
 * configuration ({@code conf.*} without the prefix) and the rest of the metadata. Every entry may
 * be missing; lookups then give {@code null}.
 */
final class ReportData {
  /** Entries shown in the final-figures table, in order, with their labels. */
  static final ImmutableMap<String, String> FINAL_KEYS = ImmutableMap.<String, String>builder()
      .put(MetadataKeys.TEST_ACCURACY, "test accuracy")
      .put(MetadataKeys.TEST_SAMPLES, "test samples")
      .put(MetadataKeys.TRAINED_STEPS, "steps")
      .put(MetadataKeys.TRAINED_EPOCHS, "epochs")
      .put(MetadataKeys.TRAINED_SAMPLES, "training samples")
      .put(MetadataKeys.LAYOUT, "layout")
      .put(MetadataKeys.RUNNER, "runner")
      .put(MetadataKeys.TRAINED_AT, "trained at")
      .put(MetadataKeys.DATA_TRAINING, "training data")
      .put(MetadataKeys.DATA_TEST, "test data")
      .build();

  private final Model model;
  private final ImmutableMap<String, String> meta;
  private final ImmutableSortedMap<Integer, GroupHistory> histories;
  private final ImmutableSortedMap<String, String> configuration;
  private final ImmutableSortedMap<String, String> other;

  ReportData(Model model) {
    this.model = checkNotNull(model, "model");
    this.meta = model.metadata();
    TreeSet<Integer> groups = new TreeSet<>();
    Map<String, String> conf = new TreeMap<>();
    Map<String, String> rest = new TreeMap<>();
    for (Map.Entry<String, String> e : meta.entrySet()) {
      String k = e.getKey();
      OptionalInt g = MetadataKeys.groupOf(k);
      if (g.isPresent()) {
        groups.add(g.getAsInt());
      } else if (k.startsWith(MetadataKeys.CONF_PREFIX)) {
        conf.put(k.substring(MetadataKeys.CONF_PREFIX.length()), e.getValue());
      } else if (!FINAL_KEYS.containsKey(k)) {
        rest.put(k, e.getValue());
      }
    }
    ImmutableSortedMap.Builder<Integer, GroupHistory> h = ImmutableSortedMap.naturalOrder();
    for (int g : groups) {
      h.put(g, GroupHistory.parse(meta.get(MetadataKeys.history(g))));
    }
    this.histories = h.build();
    this.configuration = ImmutableSortedMap.copyOf(conf);
    this.other = ImmutableSortedMap.copyOf(rest);
  }

  Model model() {
    return model;
  }

  /** A metadata entry, or {@code null}. */
  String get(String key) {
    return meta.get(key);
  }

  /** Every group that any metadata entry names, with its history (empty when not recorded). */
  ImmutableSortedMap<Integer, GroupHistory> histories() {
    return histories;
  }

  /** Whether any group recorded at least one history record. */
  boolean hasHistory() {
    return histories.values().stream().anyMatch(h -> !h.isEmpty());
  }

  /** The job configuration: {@code conf.<key>} entries under {@code <key>}, sorted. */
  ImmutableSortedMap<String, String> configuration() {
    return configuration;
  }

  /** Metadata shown neither in the final figures, the group table nor the configuration. */
  ImmutableSortedMap<String, String> other() {
    return other;
  }

  /** The group's steps: the parameter server's count, else the group's own, else its history's. */
  String groupSteps(int g) {
    String s = first(MetadataKeys.psGroupSteps(g), MetadataKeys.groupSteps(g));
    if (s == null) {
      HistoryRecord last = histories.getOrDefault(g, GroupHistory.empty()).last();
      s = last == null ? null : Long.toString(last.step());
    }
    return s;
  }

  /** Pushes of the group's deltas to the parameter server, or {@code null}. */
  String groupPushes(int g) {
    return first(MetadataKeys.psGroupPushes(g), MetadataKeys.groupPushes(g));
  }

  /** The group leader's time per step, or {@code null}. */
  String groupTiming(int g) {
    return meta.get(MetadataKeys.leaderTiming(g));
  }

  private String first(String... keys) {
    for (String k : keys) {
      String v = meta.get(k);
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
