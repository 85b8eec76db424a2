package io.horn.examples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.model.HistoryRecord;
import org.junit.jupiter.api.Test;

class GroupHistoryTest {
  @Test
  void parsesRecordsWithAndWithoutAccuracy() {
    GroupHistory h = GroupHistory.parse("1.06:100:0.51551:;3.77:469:0.13174:0.9628");
    assertEquals(2, h.points().size());
    HistoryRecord first = h.points().get(0);
    assertEquals(1.06, first.seconds(), 1e-12);
    assertEquals(100, first.step());
    assertEquals(0.51551, first.cost(), 1e-12);
    assertFalse(first.hasAccuracy());
    assertEquals(0.9628, h.lastEvaluated().accuracy(), 1e-12);
    assertEquals(1, h.evaluated().size());
    assertEquals(469, h.last().step());
    assertEquals(0, h.skipped());
  }

  @Test
  void skipsMalformedAndNonFiniteRecords() {
    GroupHistory h = GroupHistory.parse("garbage;;1:2;2.0:x:0.1:;NaN:5:0.1:;3.0:6:Infinity:;"
        + "4.0:7:0.2:NaN;5.0:8:0.1:0.5:9;6.0:9:0.3");
    assertEquals(2, h.points().size());
    assertEquals(6, h.skipped(), "empty records between ';;' are not counted");
    assertFalse(h.points().get(0).hasAccuracy(), "NaN accuracy reads as not evaluated");
    assertEquals(9, h.last().step());
  }

  @Test
  void emptyAndMissingHistories() {
    for (String v : new String[] {null, "", "  "}) {
      GroupHistory h = GroupHistory.parse(v);
      assertTrue(h.isEmpty());
      assertNull(h.last());
      assertNull(h.lastEvaluated());
    }
  }
}
