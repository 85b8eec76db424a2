package io.horn.examples.report;

import io.horn.core.model.HistoryRecord;
import io.horn.core.model.LayerSpec;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.NetworkSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a report's {@code index.html}: one self-contained page (inline CSS, no scripts) that
 * refers only to {@code loss.png} and {@code accuracy.png} beside it. Every value from the model
 * is escaped.
 */
final class HtmlReport {
  private static final String DASH = "\u2014";
  private static final DateTimeFormatter DATE = DateTimeFormatter
      .ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final String CSS = String.join("\n",
      "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;",
      "  margin:2em auto;max-width:60em;padding:0 1em;color:#222;line-height:1.4}",
      "h1{margin-bottom:.2em}",
      ".sub{color:#666;margin-top:0}",
      "table{border-collapse:collapse;margin:.5em 0 1.5em}",
      "th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}",
      "th{background:#f4f4f4}",
      "td.num{text-align:right;font-variant-numeric:tabular-nums}",
      "td.val{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}",
      ".big{font-size:1.3em;font-weight:bold}",
      "img{max-width:100%;height:auto;display:block;margin:.5em 0 1em;border:1px solid #eee}",
      "footer{color:#888;font-size:.85em;margin-top:2em}");

  private final ReportData data;
  private final StringBuilder out = new StringBuilder(16 * 1024);

  private HtmlReport(ReportData data) {
    this.data = data;
  }

  /** The page for {@code data}; {@code lossPng} and {@code accuracyPng} are the images' names. */
  static String render(ReportData data, String lossPng, String accuracyPng) {
    return new HtmlReport(data).page(lossPng, accuracyPng);
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&': b.append("&amp;"); break;
        case '<': b.append("&lt;"); break;
        case '>': b.append("&gt;"); break;
        case '"': b.append("&quot;"); break;
        case '\'': b.append("&#39;"); break;
        default:
          // Control characters other than tab and newlines are not allowed in HTML text.
          b.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '\uFFFD' : c);
      }
    }
    return b.toString();
  }

  private String page(String lossPng, String accuracyPng) {
    String layout = data.get(MetadataKeys.LAYOUT);
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Horn training report")
        .append(layout == null ? "" : " \u2014 " + escape(layout))
        .append("</title>\n<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n")
        .append("<h1>Horn training report</h1>\n<p class=\"sub\">")
        .append(escape(summaryLine())).append("</p>\n");
    finalFigures();
    out.append("<h2>Training loss and test accuracy</h2>\n");
    if (!data.hasHistory()) {
      out.append("<p>No training history was recorded in this model.</p>\n");
    }
    image(lossPng, "Training cost against seconds since each group started, one line a group");
    image(accuracyPng, "Test accuracy against seconds since each group started, one line a group");
    groups();
    network();
    keyValues("Configuration", "configuration", data.configuration(),
        "No configuration recorded.");
    if (!data.other().isEmpty()) {
      keyValues("Other metadata", "other", data.other(), "");
    }
    out.append("<footer>Written by io.horn.examples.report.TrainingReport from the model's")
        .append(" metadata.</footer>\n</body>\n</html>\n");
    return out.toString();
  }

  private String summaryLine() {
    StringBuilder b = new StringBuilder();
    for (String v : new String[] {data.get(MetadataKeys.LAYOUT), runnerText(), dateText()}) {
      if (v != null) {
        b.append(b.length() > 0 ? " \u00b7 " : "").append(v);
      }
    }
    return b.length() > 0 ? b.toString() : "no provenance recorded";
  }

  private String runnerText() {
    String r = data.get(MetadataKeys.RUNNER);
    return r == null ? null : "runner " + r;
  }

  private String dateText() {
    String at = data.get(MetadataKeys.TRAINED_AT);
    if (at == null) {
      return null;
    }
    try {
      return DATE.format(Instant.parse(at.trim()));
    } catch (DateTimeParseException e) {
      return at;
    }
  }

  private void finalFigures() {
    out.append("<h2>Final figures</h2>\n<table class=\"final\">\n");
    for (Map.Entry<String, String> e : ReportData.FINAL_KEYS.entrySet()) {
      String key = e.getKey();
      String v = data.get(key);
      String shown;
      if (key.equals(MetadataKeys.TEST_ACCURACY)) {
        shown = v == null ? DASH : percent(v);
      } else if (key.equals(MetadataKeys.TRAINED_AT)) {
        shown = v == null ? DASH : dateText();
      } else {
        shown = v == null ? DASH : v;
      }
      out.append("<tr><th>").append(escape(e.getValue())).append("</th><td")
          .append(key.equals(MetadataKeys.TEST_ACCURACY) ? " class=\"big\"" : "").append('>')
          .append(escape(shown)).append("</td></tr>\n");
    }
    out.append("</table>\n");
  }

  private void image(String src, String alt) {
    out.append("<img src=\"").append(escape(src)).append("\" width=\"").append(ReportCharts.WIDTH)
        .append("\" height=\"").append(ReportCharts.HEIGHT).append("\" alt=\"")
        .append(escape(alt)).append("\">\n");
  }

  private void groups() {
    out.append("<h2>Groups</h2>\n");
    if (data.histories().isEmpty()) {
      out.append("<p>No per-group figures recorded.</p>\n");
      return;
    }
    out.append("<table class=\"groups\">\n<tr><th>group</th><th>steps</th><th>pushes</th>")
        .append("<th>records</th><th>last cost</th><th>last accuracy</th>")
        .append("<th>leader timing</th></tr>\n");
    for (Map.Entry<Integer, GroupHistory> e : data.histories().entrySet()) {
      int g = e.getKey();
      GroupHistory h = e.getValue();
      HistoryRecord last = h.last();
      HistoryRecord lastAcc = h.lastEvaluated();
      out.append("<tr><td>group ").append(g).append("</td>");
      num(data.groupSteps(g));
      num(data.groupPushes(g));
      num(h.points().size() + (h.skipped() > 0 ? " (" + h.skipped() + " malformed)" : ""));
      num(last == null ? null : String.format(Locale.ROOT, "%.5f", last.cost()));
      num(lastAcc == null ? null : String.format(Locale.ROOT, "%.2f %%", 100 * lastAcc.accuracy()));
      out.append("<td>").append(escape(orDash(data.groupTiming(g)))).append("</td></tr>\n");
    }
    out.append("</table>\n");
  }

  private void num(String v) {
    out.append("<td class=\"num\">").append(escape(orDash(v))).append("</td>");
  }

  private void network() {
    NetworkSpec spec = data.model().spec();
    out.append("<h2>Network</h2>\n<table class=\"network\">\n<tr><th>layer</th><th>units</th>")
        .append("<th>activation</th><th>neuron</th><th>drop rate</th></tr>\n");
    for (int l = 0; l < spec.depth(); l++) {
      LayerSpec layer = spec.layer(l);
      String role = l == 0 ? " (input)" : l == spec.depth() - 1 ? " (output)" : "";
      out.append("<tr><td>").append(l).append(escape(role)).append("</td>");
      num(Integer.toString(layer.size()));
      out.append("<td title=\"").append(escape(layer.activation().getName())).append("\">")
          .append(escape(layer.activation().getSimpleName())).append("</td><td title=\"")
          .append(escape(layer.neuron().getName())).append("\">")
          .append(escape(layer.neuron().getSimpleName())).append("</td>");
      num(layer.dropRate() > 0 ? Float.toString(layer.dropRate()) : "0");
      out.append("</tr>\n");
    }
    out.append("</table>\n<p>Cost function <code>").append(escape(spec.cost().getName()))
        .append("</code>; ").append(String.format(Locale.ROOT, "%,d", spec.parameterCount()))
        .append(" parameters.</p>\n");
  }

  private void keyValues(String title, String cls, Map<String, String> entries, String none) {
    out.append("<h2>").append(escape(title)).append("</h2>\n");
    if (entries.isEmpty()) {
      out.append("<p>").append(escape(none)).append("</p>\n");
      return;
    }
    out.append("<table class=\"").append(escape(cls))
        .append("\">\n<tr><th>key</th><th>value</th></tr>\n");
    for (Map.Entry<String, String> e : entries.entrySet()) {
      out.append("<tr><td>").append(escape(e.getKey())).append("</td><td class=\"val\">")
          .append(escape(e.getValue())).append("</td></tr>\n");
    }
    out.append("</table>\n");
  }

  private static String percent(String v) {
    try {
      double a = Double.parseDouble(v.trim());
      return Double.isFinite(a) ? String.format(Locale.ROOT, "%.2f %%", 100 * a) : v;
    } catch (NumberFormatException e) {
      return v;
    }
  }

  private static String orDash(String v) {
    return v == null || v.isEmpty() ? DASH : v;
  }
}
