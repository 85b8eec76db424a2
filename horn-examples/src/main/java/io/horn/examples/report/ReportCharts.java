package io.horn.examples.report;

import io.horn.core.model.HistoryRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders the report's two charts with XChart, headless, as PNG bytes: training cost and test
 * accuracy against seconds since each group started, one series per group. A chart with nothing
 * to plot says so in its plot area instead.
 */
final class ReportCharts {
  static final int WIDTH = 800;
  static final int HEIGHT = 450;
  static final String NO_HISTORY = "no history recorded";
  static final String NO_ACCURACY = "no accuracy recorded";

  /** Series this long or shorter get a marker on every record. */
  private static final int MARKER_LIMIT = 60;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private ReportCharts() {}

  /** Training cost vs seconds, one series per group with records. */
  static byte[] loss(Map<Integer, GroupHistory> histories) throws IOException {
    XYChart chart = chart("Training loss", "mean training cost", LegendPosition.InsideNE);
    boolean any = false;
    for (Map.Entry<Integer, GroupHistory> e : histories.entrySet()) {
      any |= addSeries(chart, e.getKey(), e.getValue().points(), HistoryRecord::cost);
    }
    if (!any) {
      empty(chart, NO_HISTORY);
    } else {
      axes(chart, 0, Double.POSITIVE_INFINITY, true);
    }
    return png(chart);
  }

  /** Test accuracy (in %) vs seconds, one series per group with evaluated records. */
  static byte[] accuracy(Map<Integer, GroupHistory> histories) throws IOException {
    XYChart chart = chart("Test accuracy", "test accuracy (%)", LegendPosition.InsideSE);
    boolean any = false;
    boolean anyRecord = false;
    for (Map.Entry<Integer, GroupHistory> e : histories.entrySet()) {
      anyRecord |= !e.getValue().isEmpty();
      any |= addSeries(chart, e.getKey(), e.getValue().evaluated(), p -> 100 * p.accuracy());
    }
    if (!any) {
      empty(chart, anyRecord ? NO_ACCURACY : NO_HISTORY);
    } else {
      axes(chart, 0, 100, false);
    }
    return png(chart);
  }

  private static XYChart chart(String title, String yTitle, LegendPosition legend) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle("seconds since the group started").yAxisTitle(yTitle).build();
    XYStyler st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE);
    st.setLegendPosition(legend);
    st.setLegendBorderColor(Color.LIGHT_GRAY);
    st.setMarkerSize(6);
    st.setAntiAlias(true);
    st.setPlotGridLinesColor(new Color(0xDD, 0xDD, 0xDD));
    return chart;
  }

  private static boolean addSeries(
      XYChart chart, int group, List<HistoryRecord> points, ToDoubleFunction<HistoryRecord> y) {
    if (points.isEmpty()) {
      return false;
    }
    double[] xs = new double[points.size()];
    double[] ys = new double[points.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = points.get(i).seconds();
      ys[i] = y.applyAsDouble(points.get(i));
    }
    XYSeries s = chart.addSeries("group " + group, xs, ys);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    s.setMarker(points.size() <= MARKER_LIMIT ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    return true;
  }

  /**
   * Sets both axes to round bounds around the data: x from 0, y within [{@code floor}, {@code
   * ceiling}] and from {@code floor} itself when {@code fromFloor}. XChart's own bounds are the
   * data's extremes, which gives ticks at odd values and collapses an axis for a single record.
   */
  private static void axes(XYChart chart, double floor, double ceiling, boolean fromFloor) {
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (XYSeries s : chart.getSeriesMap().values()) {
      xMax = Math.max(xMax, s.getXMax());
      yMin = Math.min(yMin, s.getYMin());
      yMax = Math.max(yMax, s.getYMax());
    }
    double[] x = niceBounds(0, Math.max(xMax, 0));
    chart.getStyler().setXAxisMin(x[0]);
    chart.getStyler().setXAxisMax(x[1]);
    double[] y = niceBounds(fromFloor ? Math.min(floor, yMin) : yMin, yMax);
    chart.getStyler().setYAxisMin(Math.max(y[0], Math.min(floor, yMin)));
    chart.getStyler().setYAxisMax(Math.min(y[1], Math.max(ceiling, yMax)));
  }

  /** {@code [lo, hi]} around {@code [min, max]}: about 8 steps of 1, 2 or 5 times a power of 10. */
  static double[] niceBounds(double min, double max) {
    double span = max - min;
    if (!(span > 1e-12)) {
      span = Math.abs(max) > 1e-12 ? Math.abs(max) * 0.1 : 1;
      min -= span / 2;
      max += span / 2;
    }
    double raw = span / 8;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / mag;
    double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    double lo = Math.floor(min / step + 1e-9) * step;
    double hi = Math.ceil(max / step - 1e-9) * step;
    return new double[] {lo, hi > lo ? hi : lo + step};
  }

  private static void empty(XYChart chart, String message) {
    XYStyler st = chart.getStyler();
    st.setAxisTicksVisible(false);
    st.setPlotGridLinesVisible(false);
    st.setLegendVisible(false);
    st.setXAxisMin(0.0);
    st.setXAxisMax(1.0);
    st.setYAxisMin(0.0);
    st.setYAxisMax(1.0);
    st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 20));
    st.setAnnotationTextFontColor(Color.GRAY);
    chart.addAnnotation(new AnnotationText(message, 0.5, 0.5, false));
  }

  private static byte[] png(XYChart chart) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
    return out.toByteArray();
  }
}
