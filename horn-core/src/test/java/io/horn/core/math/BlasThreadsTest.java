package io.horn.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * OpenBLAS's threads can be turned off and on from the JVM the tests run in (the build passes the
 * foreign-linker flags, as {@code bin/horn} and the cluster tasks do), and an engine that splits
 * its steps finds every call running on its caller.
 */
class BlasThreadsTest {

  @Test
  void openBlasThreadsAreReachableAndSettable() {
    Optional<String> why = BlasThreads.whyUnreachable();
    // Only a machine without OpenBLAS skips; a JVM started without the flags fails here.
    boolean noOpenBlas = why.isPresent()
        && (why.get().contains("pure-Java") || why.get().contains("not OpenBLAS"));
    assumeTrue(!noOpenBlas, "OpenBLAS is not this machine's BLAS: " + why.orElse(""));
    assertEquals(Optional.empty(), why, "OpenBLAS is here but cannot be reached");
    int before = BlasThreads.libraryThreads().orElseThrow();
    try {
      assertTrue(BlasThreads.setLibraryThreads(2));
      assertEquals(2, BlasThreads.libraryThreads().orElseThrow());
      assertTrue(!BlasThreads.callerOnly(), "two library threads: calls are not the caller's alone");
      assertTrue(BlasThreads.runOnCallers());
      assertEquals(1, BlasThreads.libraryThreads().orElseThrow());
      assertTrue(BlasThreads.callerOnly());
    } finally {
      BlasThreads.setLibraryThreads(before);
    }
  }

  @Test
  void aThreadCountBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> BlasThreads.setLibraryThreads(0));
  }
}
