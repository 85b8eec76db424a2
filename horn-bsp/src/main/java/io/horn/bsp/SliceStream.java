package io.horn.bsp;

import io.horn.core.model.ParameterStream;
import io.horn.core.parallel.NeuronSlices;
import io.horn.paramserver.collective.GroupCollective;
import java.io.IOException;

/**
 * A model-parallel group's final parameters in the model's flat order: for each layer, each
 * member's run of neurons in member order, each broadcast by its owner in turn. The leader
 * writes them as they arrive; every other member takes part in the same broadcasts (sending its
 * own runs) and drops what it receives. So the leader holds one run at a time, never the whole
 * vector.
 *
 * <p>Every member must go through the broadcasts exactly once: the leader by writing the model
 * ({@link #writeTo}) or, when it writes none, by {@link #drain}; the others by {@code
 * writeTo(null)}. Confined to the member's training thread.
 */
final class SliceStream implements ParameterStream {
  private final NeuronSlices slices;
  private final GroupCollective collective;
  private final int member;
  private final float[] mine;
  private boolean done;

  SliceStream(NeuronSlices slices, GroupCollective collective, int member, float[] mine) {
    this.slices = slices;
    this.collective = collective;
    this.member = member;
    this.mine = mine;
  }

  /** Goes through the broadcasts, handing every run to {@code sink} unless it is null. */
  @Override
  public void writeTo(Sink sink) throws IOException {
    if (done) {
      throw new IllegalStateException("the group's parameters were streamed already");
    }
    done = true;
    int spec = slices.spec().depth();
    float[] run = new float[largestRun()];
    for (int l = 1; l < spec; l++) {
      int k = slices.spec().size(l - 1) + 1;
      for (int m = 0; m < slices.members(); m++) {
        int len = slices.owned(l, m) * k;
        if (m == member) {
          System.arraycopy(mine, slices.offset(l, m), run, 0, len);
        }
        collective.broadcast(run, 0, len, m);
        if (sink != null) {
          sink.accept(run, 0, len);
        }
      }
    }
  }

  /** Takes part in the broadcasts without writing anything, if they have not run yet. */
  void drain() throws IOException {
    if (!done) {
      writeTo(null);
    }
  }

  private int largestRun() {
    int largest = 0;
    for (int l = 1; l < slices.spec().depth(); l++) {
      int k = slices.spec().size(l - 1) + 1;
      for (int m = 0; m < slices.members(); m++) {
        largest = Math.max(largest, slices.owned(l, m) * k);
      }
    }
    return largest;
  }
}
