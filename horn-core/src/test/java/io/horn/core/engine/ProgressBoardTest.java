package io.horn.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {

  @Test
  void plainLinesPerGroupWithoutCursorMovement() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ProgressBoard b = new ProgressBoard(out, false, 1000, 100, 1)) {
      b.update(1, 2, 300, 0.25, 1234);
      b.update(0, 1, 200, 0.5, 4321);
      b.accuracy(0, 0.9712);
      String[] lines = b.lines();
      assertEquals(2, lines.length);
      assertTrue(lines[0].startsWith("group 0  epoch 1  step 200  cost 0.5000  4,321 samples/s"
          + "  test 97.12%  ETA "), lines[0]);
      assertTrue(lines[1].contains("group 1") && !lines[1].contains("test"), lines[1]);
      b.summary(Map.of("steps", "500"));
    }
    String s = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(s.contains("\033["), "no terminal escapes off a terminal");
    assertTrue(s.contains("steps                500"), s);
    assertTrue(s.contains("97.12%"), s);
  }

  @Test
  void terminalModeRedrawsInPlaceWithABar() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ProgressBoard b = new ProgressBoard(out, true, 100, 10_000, 1);
    b.update(0, 1, 50, 0.1, 10);
    assertTrue(b.lines()[0].startsWith("[##########          ] group 0"), b.lines()[0]);
    b.close();
    b.update(0, 1, 100, 0.1, 10);
    assertTrue(b.lines()[0].startsWith("[####################] group 0"), b.lines()[0]);
  }

  @Test
  void theFinalTableIsTheLastThingPrinted() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ProgressBoard b = new ProgressBoard(out, false, 60_000, 60_000, 60);
    b.update(0, 1, 10, 0.5, 100);
    b.summary(java.util.Map.of("steps", "10"));
    b.update(0, 2, 11, 0.4, 100); // a late record, read after the job
    b.close();
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.trim().endsWith("steps                10"), text);
  }

  @Test
  void etaFormats() {
    assertEquals("1m05s", ProgressBoard.formatSeconds(65));
    assertEquals("2h01m", ProgressBoard.formatSeconds(7260));
  }
}
