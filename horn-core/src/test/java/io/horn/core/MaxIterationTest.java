package io.horn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.horn.core.conf.HornConfiguration;
import io.horn.core.conf.HornOptions;
import org.junit.jupiter.api.Test;

/** {@code setMaxIteration} keeps Apache Horn's meaning: alone, the steps bound the run. */
class MaxIterationTest {
  @Test
  void maxIterationAloneBoundsTheRunAsInApacheHorn() {
    HornJob alone = new HornJob(new HornConfiguration(), MaxIterationTest.class);
    alone.setMaxIteration(5000);
    assertEquals(0, alone.getConfiguration().get(HornOptions.EPOCHS), "no epoch bound");
    HornJob both = new HornJob(new HornConfiguration(), MaxIterationTest.class);
    both.setEpochs(3).setMaxIteration(5000);
    assertEquals(3, both.getConfiguration().get(HornOptions.EPOCHS));
    HornJob later = new HornJob(new HornConfiguration(), MaxIterationTest.class);
    later.setMaxIteration(5000).setEpochs(2);
    assertEquals(2, later.getConfiguration().get(HornOptions.EPOCHS));
  }
}
