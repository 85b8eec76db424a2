package io.horn.core.engine;

import io.horn.core.lanes.LaneLayerRunner;

/** Constants the widening tests size their batches by. */
final class LayerPathsTestSupport {
  static final int LANES = LaneLayerRunner.LANES;

  private LayerPathsTestSupport() {}
}
