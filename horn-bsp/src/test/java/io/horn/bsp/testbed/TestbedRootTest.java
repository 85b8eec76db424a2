package io.horn.bsp.testbed;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Who may make a test bed, and what everyone else is told; runs anywhere. */
class TestbedRootTest {
  @Test
  void onlyRootMayAndOthersAreToldWhy() {
    IOException e = assertThrows(IOException.class, () -> Testbed.requireRoot("1000\n"));
    assertTrue(e.getMessage().contains("needs root") && e.getMessage().contains("uid 1000"),
        e.getMessage());
    e = assertThrows(IOException.class, () -> Testbed.requireRoot(null));
    assertTrue(e.getMessage().contains("uid ?"), e.getMessage());
    assertDoesNotThrow(() -> Testbed.requireRoot("0\n"));
    assertThrows(IllegalArgumentException.class, () -> Testbed.up(3, "fast"));
    assertThrows(IllegalArgumentException.class, () -> Testbed.up(0, "1gbit"));
  }
}
