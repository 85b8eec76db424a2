package io.horn.examples.tools;

import io.horn.bsp.cli.Cli;
import io.horn.bsp.cli.HelpOptions;
import io.horn.core.model.HistoryRecord;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.ModelFile;
import io.horn.core.model.ModelHeader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code horn info <model>}: what a model file says about its model, read with {@link
 * ModelFile#readHeader} so that no class it names is loaded (it works on a machine without the
 * job's jar): the file's size and format version, the layers, the cost function, the parameter
 * count, and the training provenance from the metadata. Of the {@code conf.*} entries only
 * {@code conf.horn.*} are listed; {@code history.*} values (progress records) are counted, not
 * printed. The model may be local or on a Hadoop file system ({@code hdfs://...}, see {@link
 * HadoopFiles}).
 */
@Command(name = "info", description = "Layers, cost, parameter count, file format and training "
    + "provenance of a model file (loads none of its classes).")
public final class InfoCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<model>",
      description = "The model file, local or hdfs://...")
  String model;

  @Mixin HelpOptions help;

  private final PrintStream out;

  /** A command that writes its report to {@code out}. */
  InfoCommand(PrintStream out) {
    this.out = out;
  }

  /** Provenance keys shown first, in this order, with their labels. */
  private static final Map<String, String> PROVENANCE = new LinkedHashMap<>();

  static {
    PROVENANCE.put(MetadataKeys.TRAINED_AT, "date");
    PROVENANCE.put(MetadataKeys.DATA_TRAINING, "training data");
    PROVENANCE.put(MetadataKeys.DATA_TEST, "test data");
    PROVENANCE.put(MetadataKeys.TEST_ACCURACY, "test accuracy");
    PROVENANCE.put(MetadataKeys.TEST_SAMPLES, "test samples");
    PROVENANCE.put(MetadataKeys.TRAINED_STEPS, "steps");
    PROVENANCE.put(MetadataKeys.TRAINED_EPOCHS, "epochs");
    PROVENANCE.put(MetadataKeys.TRAINED_SAMPLES, "training samples");
    PROVENANCE.put(MetadataKeys.LAYOUT, "layout");
    PROVENANCE.put(MetadataKeys.RUNNER, "runner");
    PROVENANCE.put(MetadataKeys.BACKEND, "backend");
  }

  @Override
  public Integer call() throws Exception {
    print(out, model, Inference.header(model));
    return Cli.OK;
  }

  /** The report. */
  static void print(PrintStream out, String path, ModelHeader h) {
    out.printf("model:      %s%n", path);
    out.printf(Locale.ROOT, "file:       %d bytes (%s), format version %d%n", h.fileSize(),
        humanBytes(h.fileSize()), h.formatVersion());
    out.printf("layers:     %d (%s)%n", h.depth(), shape(h));
    TextTable layers = new TextTable("rrllrr");
    layers.row("#", "size", "activation", "neuron", "drop", "parameters");
    for (int l = 0; l < h.depth(); l++) {
      String params = l == 0 ? "-"
          : TextTable.number((h.layerSizes().get(l - 1) + 1L) * h.layerSizes().get(l));
      layers.row(Integer.toString(l), Integer.toString(h.layerSizes().get(l)),
          shortName(h.activations().get(l)), shortName(h.neurons().get(l)),
          dropRate(h.dropRates().get(l)), params);
    }
    layers.print(out, "  ");
    out.printf("cost:       %s%n", shortName(h.cost()));
    out.printf("parameters: %d%n", h.parameterCount());

    Map<String, String> meta = h.metadata();
    Map<String, String> conf = new LinkedHashMap<>();
    Map<String, String> cluster = new LinkedHashMap<>();
    Map<String, String> other = new LinkedHashMap<>();
    Map<String, Integer> history = new LinkedHashMap<>();
    int otherConf = 0;
    for (Map.Entry<String, String> e : meta.entrySet()) {
      String k = e.getKey();
      if (PROVENANCE.containsKey(k)) {
        continue;
      } else if (k.startsWith(MetadataKeys.conf("horn."))) {
        conf.put(k.substring(MetadataKeys.CONF_PREFIX.length()), e.getValue());
      } else if (k.startsWith(MetadataKeys.CONF_PREFIX)) {
        otherConf++;
      } else if (k.startsWith(MetadataKeys.HISTORY_PREFIX)) {
        history.put(k, HistoryRecord.count(e.getValue()));
      } else if (k.startsWith(MetadataKeys.PS_PREFIX)
          || k.startsWith(MetadataKeys.GROUP_PREFIX)) {
        cluster.put(k, e.getValue());
      } else {
        other.put(k, e.getValue());
      }
    }

    out.println();
    out.println("training:");
    TextTable training = new TextTable("ll");
    for (Map.Entry<String, String> p : PROVENANCE.entrySet()) {
      String v = meta.get(p.getKey());
      if (v == null && p.getKey().equals(MetadataKeys.TRAINED_STEPS)
          && meta.containsKey(MetadataKeys.PS_STEPS)) {
        // Older hybrid runs recorded only these.
        v = meta.get(MetadataKeys.PS_STEPS) + " (" + MetadataKeys.PS_STEPS + ")";
      }
      if (v != null) {
        training.row(p.getValue() + ":", oneLine(v));
      }
    }
    for (Map.Entry<String, String> e : sorted(other)) {
      training.row(e.getKey() + ":", oneLine(e.getValue()));
    }
    if (meta.isEmpty()) {
      training.row("(no metadata)");
    }
    training.print(out, "  ");
    section(out, "configuration (conf.horn.*):", conf,
        otherConf == 0 ? null : "(" + otherConf + " other conf.* entries not shown)");
    section(out, "parameter server and groups (ps.*, group.*):", cluster, null);
    if (!history.isEmpty()) {
      out.println();
      out.println("history (progress records, not shown):");
      TextTable t = new TextTable("lr");
      for (Map.Entry<String, Integer> e : sortedCounts(history)) {
        t.row(e.getKey() + ":", e.getValue() + (e.getValue() == 1 ? " record" : " records"));
      }
      t.print(out, "  ");
    }
  }

  private static void section(PrintStream out, String title, Map<String, String> entries,
      String note) {
    if (entries.isEmpty() && note == null) {
      return;
    }
    out.println();
    out.println(title);
    TextTable t = new TextTable("lll");
    for (Map.Entry<String, String> e : sorted(entries)) {
      t.row(e.getKey(), "=", oneLine(e.getValue()));
    }
    t.print(out, "  ");
    if (note != null) {
      out.println("  " + note);
    }
  }

  private static List<Map.Entry<String, String>> sorted(Map<String, String> m) {
    List<Map.Entry<String, String>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.comparingByKey(NaturalOrder.INSTANCE));
    return l;
  }

  private static List<Map.Entry<String, Integer>> sortedCounts(Map<String, Integer> m) {
    List<Map.Entry<String, Integer>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.comparingByKey(NaturalOrder.INSTANCE));
    return l;
  }

  /** {@code 784-500-10}. */
  static String shape(ModelHeader h) {
    StringBuilder sb = new StringBuilder();
    for (int size : h.layerSizes()) {
      sb.append(sb.length() > 0 ? "-" : "").append(size);
    }
    return sb.toString();
  }

  /** Horn's own classes by simple name, others (user code) in full. */
  static String shortName(String className) {
    if (className.startsWith("io.horn.core.")) {
      return className.substring(className.lastIndexOf('.') + 1);
    }
    return className;
  }

  private static String dropRate(float rate) {
    return rate == 0f ? "0" : Float.toString(rate);
  }

  /** A value on one line: line breaks shown as {@code \n}. */
  private static String oneLine(String v) {
    return v.replace("\r", "\\r").replace("\n", "\\n");
  }

  static String humanBytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
