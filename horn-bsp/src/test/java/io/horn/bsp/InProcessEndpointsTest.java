package io.horn.bsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horn.core.engine.ProgressBoard;
import io.horn.paramserver.collective.CollectiveOptions;
import io.horn.paramserver.collective.LocalGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The typed registry through which local-mode tasks share the board, servers and groups. */
class InProcessEndpointsTest {
  private static ProgressBoard board() {
    return new ProgressBoard(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), false, 100, 500, 10);
  }

  @Test
  void givesBackWhatWasPutUnderItsKeyPerJob() {
    ProgressBoard board = board();
    LocalGroup group = new LocalGroup(3, 2, CollectiveOptions.of(1000));
    InProcessEndpoints.put("job-a", InProcessEndpoints.Key.BOARD, board);
    InProcessEndpoints.put("job-a", InProcessEndpoints.Key.group(3), group);
    try {
      assertSame(board, InProcessEndpoints.get("job-a", InProcessEndpoints.Key.BOARD));
      assertSame(group, InProcessEndpoints.get("job-a", InProcessEndpoints.Key.group(3)));
      assertNull(InProcessEndpoints.find("job-b", InProcessEndpoints.Key.BOARD));
      assertNull(InProcessEndpoints.find("job-a", InProcessEndpoints.Key.group(4)));
    } finally {
      InProcessEndpoints.remove("job-a", InProcessEndpoints.Key.BOARD);
      InProcessEndpoints.remove("job-a", InProcessEndpoints.Key.group(3));
    }
    assertNull(InProcessEndpoints.find("job-a", InProcessEndpoints.Key.BOARD));
  }

  @Test
  void missingEntryIsNamedWithItsJob() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> InProcessEndpoints.get("job-c", InProcessEndpoints.Key.server(2)));
    assertEquals("no in-process endpoint ps2 (ParameterServer) for job job-c", e.getMessage());
  }

  @Test
  void entryOfAnotherTypeIsRefusedOnGet() {
    // Two keys of one name and different types: what a mistaken key would read.
    InProcessEndpoints.Key<String> wrong = new InProcessEndpoints.Key<>("board", String.class);
    InProcessEndpoints.put("job-d", InProcessEndpoints.Key.BOARD, board());
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> InProcessEndpoints.get("job-d", wrong));
      assertTrue(e.getMessage().contains("board for job job-d is a "
          + ProgressBoard.class.getName() + ", not a java.lang.String"), e.getMessage());
    } finally {
      InProcessEndpoints.remove("job-d", InProcessEndpoints.Key.BOARD);
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void entryOfAnotherTypeIsRefusedOnPut() {
    InProcessEndpoints.Key raw = InProcessEndpoints.Key.BOARD;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InProcessEndpoints.put("job-e", raw, "not a board"));
    assertTrue(e.getMessage().contains("a java.lang.String is not a "
        + ProgressBoard.class.getName()), e.getMessage());
    assertNull(InProcessEndpoints.find("job-e", InProcessEndpoints.Key.BOARD));
  }
}
