package io.horn.examples.report;

import static io.horn.examples.report.TestModels.coloured;
import static io.horn.examples.report.TestModels.nonWhite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {
  @TempDir Path tmp;

  private static BufferedImage png(Path p) throws IOException {
    assertTrue(Files.isRegularFile(p), p + " missing");
    BufferedImage img = ImageIO.read(p.toFile());
    assertNotNull(img, p + " is not an image ImageIO can read");
    assertEquals(ReportCharts.WIDTH, img.getWidth());
    assertEquals(ReportCharts.HEIGHT, img.getHeight());
    assertTrue(nonWhite(img) > 1000, p + " is blank");
    return img;
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  @Test
  void writesChartsAndPageForTwoGroups() throws IOException {
    Path dir = tmp.resolve("report");
    Path index = TrainingReport.write(TestModels.model(TestModels.twoGroups()), dir);
    assertEquals(dir.resolve("index.html"), index);

    assertTrue(coloured(png(dir.resolve("loss.png"))) > 500, "no series drawn in loss.png");
    assertTrue(coloured(png(dir.resolve("accuracy.png"))) > 200, "no series in accuracy.png");

    String html = read(index);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("91.37 %"), "final accuracy");
    assertTrue(html.contains("group 0") && html.contains("group 1"), "group names");
    for (String figure : List.of("670", "12000", "2000", "2026-01-02 03:04:05 UTC",
        "2 group(s) x 2 peer(s) + parameter server", "hdfs://nn/mnist/train", "40", "27",
        "compute 2.25 ms/step, barrier 0.30 ms/step", "backend")) {
      assertTrue(html.contains(figure), "missing " + figure);
    }
    for (String key : List.of("horn.learning.rate", "horn.groups", "horn.note")) {
      assertTrue(html.contains("<td>" + key + "</td>"), "configuration key " + key);
    }
    assertFalse(html.contains("<script"), "markup from the metadata must be escaped");
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x &amp; y&#39;)&lt;/script&gt;"), html);
    // The network: every layer, the cost and the parameter count (5*3 + 4*2 = 23).
    assertTrue(html.contains("SoftMax") && html.contains("ReLU") && html.contains("0.25"));
    assertTrue(html.contains("io.horn.core.cost.CrossEntropy") && html.contains("23 parameters"));
    assertTrue(html.contains("src=\"loss.png\"") && html.contains("src=\"accuracy.png\""));
    // Self-contained: no external scripts, styles or images.
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<link"));
  }

  @Test
  void modelWithoutHistoryStillGivesAReport() throws IOException {
    Path dir = tmp.resolve("bare");
    TrainingReport.write(TestModels.model(Map.of()), dir);
    BufferedImage loss = png(dir.resolve("loss.png"));
    BufferedImage acc = png(dir.resolve("accuracy.png"));
    assertEquals(0, coloured(loss), "nothing to plot, yet a series was drawn");
    assertEquals(0, coloured(acc));
    String html = read(dir.resolve("index.html"));
    assertTrue(html.contains("No training history was recorded"), html);
    assertTrue(html.contains("No configuration recorded."), html);
    assertTrue(html.contains("StandardNeuron"), html);
  }

  @Test
  void historyWithoutAccuracyOrWithOneRecordStillDraws() throws IOException {
    Path dir = tmp.resolve("sparse");
    TrainingReport.write(TestModels.model(Map.of(
        "history.group.0", "0.50:10:0.70000:",
        "history.group.3", "bogus;1.0:x:0.5:;0.75:20:0.6:")), dir);
    assertTrue(coloured(png(dir.resolve("loss.png"))) > 50);
    assertEquals(0, coloured(png(dir.resolve("accuracy.png"))));
    String html = read(dir.resolve("index.html"));
    assertTrue(html.contains("group 3") && html.contains("2 malformed"), html);
  }

  @Test
  void replacesAnEarlierReportAndLeavesNoTemporaryFiles() throws IOException {
    Path dir = tmp.resolve("again");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    TrainingReport.write(TestModels.model(Map.of("test.accuracy", "0.5")), dir);
    TrainingReport.write(TestModels.model(TestModels.twoGroups()), dir);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("accuracy.png", "index.html", "loss.png", "notes.txt"),
          files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
    assertTrue(read(dir.resolve("index.html")).contains("91.37 %"));
    assertEquals("mine", read(dir.resolve("notes.txt")));
  }

  @Test
  void failsWithoutTouchingAFileInTheWay() throws IOException {
    Path file = tmp.resolve("plain-file");
    Files.writeString(file, "keep");
    assertThrows(IOException.class,
        () -> TrainingReport.write(TestModels.model(TestModels.twoGroups()), file));
    assertEquals("keep", read(file));
  }

  @Test
  void escapesEverythingHtmlCares() {
    assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;",
        HtmlReport.escape("<a href=\"x\">&'</a>"));
    assertEquals("", HtmlReport.escape(null));
    assertEquals("a\uFFFDb", HtmlReport.escape("a\u0001b"));
  }

  @Test
  void axisBoundsAreRoundAndCoverTheData() {
    assertArrayEquals(new double[] {0, 7}, ReportCharts.niceBounds(0, 6.29), 1e-9);
    assertArrayEquals(new double[] {96.2, 97.4}, ReportCharts.niceBounds(96.28, 97.35), 1e-9);
    double[] one = ReportCharts.niceBounds(96.5, 96.5);
    assertTrue(one[0] < 96.5 && one[1] > 96.5, one[0] + ".." + one[1]);
    double[] zero = ReportCharts.niceBounds(0, 0);
    assertTrue(zero[0] < 0 && zero[1] > 0, zero[0] + ".." + zero[1]);
  }
}
