package io.horn.core.engine;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a person watching a training job sees: one line per task group with epoch, step, cost,
 * samples/s and ETA. On a terminal the lines are redrawn in place with a progress bar; otherwise
 * (a pipe, a log file, CI) a plain line per group is printed every {@code plainEverySeconds}.
 * At the end, {@link #summary} prints a table.
 *
 * <p>Thread-safe: workers {@link #update} from their threads, a printer thread renders.
 */
public final class ProgressBoard implements AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private volatile long totalSteps;
  private final long start = System.nanoTime();
  private final Map<Integer, Row> rows = new TreeMap<>();
  private final Thread printer;
  private volatile boolean closed;
  /** Set once the final table is printed: the board is not drawn again after it. */
  private boolean summarized; // guarded by this
  private int drawn;

  /** One group's latest state. */
  private static final class Row {
    int epoch;
    long step;
    double cost = Double.NaN;
    double samplesPerSecond;
    double accuracy = Double.NaN;
  }

  /**
   * @param totalSteps the job's step budget over all groups (for the bar and the ETA); 0 if
   *     unknown
   * @param refreshMillis how often the board is redrawn on a terminal
   * @param plainEverySeconds how often plain lines are printed when not on a terminal
   */
  public ProgressBoard(PrintStream out, boolean terminal, long totalSteps, long refreshMillis,
      long plainEverySeconds) {
    checkArgument(refreshMillis > 0 && plainEverySeconds > 0, "intervals must be positive");
    this.out = out;
    this.terminal = terminal;
    this.totalSteps = totalSteps;
    long period = terminal ? refreshMillis : plainEverySeconds * 1000;
    printer = new Thread(() -> {
      while (!closed) {
        try {
          Thread.sleep(period);
        } catch (InterruptedException e) {
          return;
        }
        render();
      }
    }, "horn-progress");
    printer.setDaemon(true);
    printer.start();
  }

  /**
   * Whether standard output looks like a person's terminal: a console, a TERM that can move the
   * cursor, and no CI variable.
   */
  public static boolean isInteractive() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.equals("dumb")
        && System.getenv("CI") == null;
  }

  /** The job's step budget, once it is known (for the bar and the ETA). */
  public void setTotalSteps(long steps) {
    this.totalSteps = steps;
  }

  public synchronized void update(int group, int epoch, long step, double cost,
      double samplesPerSecond) {
    Row r = rows.computeIfAbsent(group, g -> new Row());
    r.epoch = epoch;
    r.step = step;
    r.cost = cost;
    r.samplesPerSecond = samplesPerSecond;
  }

  public synchronized void accuracy(int group, double accuracy) {
    rows.computeIfAbsent(group, g -> new Row()).accuracy = accuracy;
  }

  synchronized String[] lines() {
    long done = 0;
    double rate = 0;
    for (Row r : rows.values()) {
      done += r.step;
      rate += r.step / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    }
    String[] lines = new String[rows.size()];
    int i = 0;
    for (Map.Entry<Integer, Row> e : rows.entrySet()) {
      Row r = e.getValue();
      String eta = totalSteps > 0 && rate > 0
          ? formatSeconds(Math.max(0, totalSteps - done) / rate) : "?";
      String bar = terminal && totalSteps > 0 ? bar((double) done / totalSteps) + " " : "";
      lines[i++] = String.format(Locale.ROOT,
          "%sgroup %d  epoch %d  step %d  cost %.4f  %,.0f samples/s%s  ETA %s", bar, e.getKey(),
          r.epoch, r.step, r.cost, r.samplesPerSecond,
          Double.isNaN(r.accuracy) ? "" : String.format(Locale.ROOT, "  test %.2f%%",
              100 * r.accuracy), eta);
    }
    return lines;
  }

  private synchronized void render() {
    if (summarized) {
      return; // the final table has the last word
    }
    String[] lines = lines();
    if (lines.length == 0) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    if (terminal && drawn > 0) {
      sb.append("\033[").append(drawn).append('F');
    }
    for (String l : lines) {
      sb.append(l);
      if (terminal) {
        sb.append("\033[K");
      }
      sb.append('\n');
    }
    drawn = lines.length;
    out.print(sb);
    out.flush();
  }

  private static String bar(double fraction) {
    int width = 20;
    int full = (int) Math.round(Math.min(1, fraction) * width);
    return "[" + "#".repeat(full) + " ".repeat(width - full) + "]";
  }

  static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
        : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
  }

  /**
   * Prints {@code line} once (an attempt that failed, a resume), above the next drawing of the
   * board, which starts afresh below it.
   */
  public synchronized void message(String line) {
    out.println(line);
    out.flush();
    drawn = 0;
  }

  /** Prints the final table: a row per group, and the job's totals. */
  public synchronized void summary(Map<String, String> totals) {
    summarized = true;
    out.println();
    out.println(String.format(Locale.ROOT, "%-8s %10s %10s %14s %10s", "group", "steps",
        "cost", "samples/s", "test acc"));
    for (Map.Entry<Integer, Row> e : rows.entrySet()) {
      Row r = e.getValue();
      out.println(String.format(Locale.ROOT, "%-8d %10d %10.4f %,14.0f %10s", e.getKey(), r.step,
          r.cost, r.samplesPerSecond, Double.isNaN(r.accuracy) ? "-"
              : String.format(Locale.ROOT, "%.2f%%", 100 * r.accuracy)));
    }
    for (Map.Entry<String, String> t : totals.entrySet()) {
      out.println(String.format(Locale.ROOT, "%-20s %s", t.getKey(), t.getValue()));
    }
    out.flush();
  }

  @Override
  public void close() {
    closed = true;
    printer.interrupt();
    try {
      printer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    render();
  }
}
