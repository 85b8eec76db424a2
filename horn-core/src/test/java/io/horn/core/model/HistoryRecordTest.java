package io.horn.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training-history codec: the text form every model file holds, both ways. */
class HistoryRecordTest {
  @Test
  void roundTripsKeepingTheFileFormat() {
    List<HistoryRecord> records = List.of(HistoryRecord.unevaluated(1.06, 100, 0.51551),
        new HistoryRecord(3.77, 469, 0.13174, 0.9628));
    String text = HistoryRecord.encode(records);
    // The form model files written before the codec hold, byte for byte.
    assertEquals("1.06:100:0.51551:;3.77:469:0.13174:0.9628", text);
    assertEquals(records, HistoryRecord.decode(text));
    assertEquals(2, HistoryRecord.count(text));
  }

  @Test
  void encodesWithTheRecordedPrecision() {
    assertEquals("12.35:7:0.12346:0.5000",
        new HistoryRecord(12.3456, 7, 0.123456789, 0.5).encode());
    assertEquals("0.00:0:NaN:", HistoryRecord.unevaluated(0, 0, Double.NaN).encode(),
        "a diverged cost is kept, not refused");
    HistoryRecord diverged = HistoryRecord.decode("0.00:0:NaN:").get(0);
    assertTrue(Double.isNaN(diverged.cost()));
  }

  @Test
  void emptyHistoryHasNoRecords() {
    assertEquals("", HistoryRecord.encode(List.of()));
    for (String empty : new String[] {null, "", "  "}) {
      assertEquals(ImmutableList.of(), HistoryRecord.decode(empty));
      assertEquals(0, HistoryRecord.count(empty));
    }
  }

  @Test
  void missingAccuracyReadsAsNotEvaluated() {
    for (String text : new String[] {"2.5:10:0.3:", "2.5:10:0.3", "2.5:10:0.3:NaN"}) {
      HistoryRecord r = HistoryRecord.decode(text).get(0);
      assertFalse(r.hasAccuracy(), text);
      assertEquals(10, r.step());
      assertEquals(2.5, r.seconds(), 0);
      assertEquals(0.3, r.cost(), 0);
      assertEquals("2.50:10:0.30000:", r.encode());
    }
  }

  @Test
  void malformedRecordIsNamedWithItsPosition() {
    String[][] cases = {
      {"1:2:3:;garbage", "history record 2 of 2: 'garbage' is not seconds:step:cost:accuracy"},
      {"1.0:x:0.1:", "history record 1 of 1: '1.0:x:0.1:': step 'x' is not a whole number"},
      {"1.0:2:cheap:", "'1.0:2:cheap:': cost 'cheap' is not a number"},
      {"1.0:2:0.1:0.5:9", "(5 fields)"},
      {"1.0:2:0.1:;;3.0:4:0.1:", "history record 2 of 3: '' is not"},
      {"NaN:5:0.1:", "seconds must be finite and not negative, not NaN"},
      {"1.0:-5:0.1:", "step must not be negative, not -5"},
      {"1.0:5:0.1:1.5", "'1.0:5:0.1:1.5': accuracy must be in [0, 1]"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HistoryRecord.decode(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
    }
  }

  @Test
  void constructorRefusesImpossibleValues() {
    assertThrows(IllegalArgumentException.class, () -> new HistoryRecord(-1, 0, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new HistoryRecord(1, 0, 0, -0.1));
    assertThrows(IllegalArgumentException.class,
        () -> HistoryRecord.unevaluated(Double.POSITIVE_INFINITY, 0, 0));
  }
}
