package io.horn.examples.report;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.model.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The report of a training run, written from a trained {@link Model}'s metadata into a directory:
 *
 * <ul>
 *   <li>{@code loss.png}: training cost against seconds since each group started, one series per
 *       group ({@code history.group.<g>});
 *   <li>{@code accuracy.png}: test accuracy against the same seconds, one series per group, from
 *       the records that were evaluated;
 *   <li>{@code index.html}: the final figures (test accuracy, steps, samples, epochs, layout,
 *       date), a table per group (steps, pushes, leader timing), the network's layers, the job
 *       configuration ({@code conf.*}) and the two charts.
 * </ul>
 *
 * <p>Any metadata entry may be missing; a model without history gives charts that say "no history
 * recorded". Everything is rendered in memory first, then written to temporary files in the
 * directory and moved over the old ones (atomically where the file system can), HTML last: a run
 * that fails leaves the previous report as it was. Charts are drawn headless ({@code
 * java.awt.headless=true} unless set otherwise).
 */
public final class TrainingReport {
  /** Name of the page in the report directory. */
  public static final String INDEX = "index.html";
  /** Name of the training-cost chart. */
  public static final String LOSS_PNG = "loss.png";
  /** Name of the test-accuracy chart. */
  public static final String ACCURACY_PNG = "accuracy.png";

  private TrainingReport() {}

  /**
   * Writes the report of {@code model} into {@code dir} (created if missing), replacing the
   * three files of an earlier report there and leaving other files alone.
   *
   * @return the path of {@code index.html}
   * @throws IOException if the directory or a file cannot be written; the earlier report's files
   *     are then left unchanged
   */
  public static Path write(Model model, Path dir) throws IOException {
    checkNotNull(model, "model");
    checkNotNull(dir, "dir");
    ReportData data = new ReportData(model);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(LOSS_PNG, ReportCharts.loss(data.histories()));
    files.put(ACCURACY_PNG, ReportCharts.accuracy(data.histories()));
    String html = HtmlReport.render(data, LOSS_PNG, ACCURACY_PNG);
    files.put(INDEX, html.getBytes(StandardCharsets.UTF_8));

    Files.createDirectories(dir);
    List<Path> temps = new ArrayList<>();
    try {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        // Not Files.createTempFile: its owner-only permissions would stick to the report.
        Path tmp = dir.resolve("." + e.getKey() + "." + UUID.randomUUID() + ".tmp");
        Files.write(tmp, e.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        temps.add(tmp);
      }
      int i = 0;
      for (String name : files.keySet()) {
        move(temps.get(i++), dir.resolve(name));
      }
    } finally {
      for (Path t : temps) {
        Files.deleteIfExists(t);
      }
    }
    return dir.resolve(INDEX);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
