package io.horn.bsp;

import io.horn.paramserver.ParamsWritable;
import java.io.IOException;
import org.apache.hama.ipc.VersionedProtocol;

/**
 * The region barrier of a task group, served by the group's leader over Hama's IPC: only the
 * members of one group ever wait on it.
 */
public interface GroupProtocol extends VersionedProtocol {
  long VERSION = 1L;

  /**
   * Contributes member {@code member}'s gradient sums for {@code step} and waits until every
   * member of the group has; returns the group's sum (added in member order, so every member
   * applies the same bits) and whether the group stops after this step.
   */
  StepReply reduce(int member, long step, ParamsWritable gradients) throws IOException;

  /** Waits until the leader has published the weights it pulled after {@code step}. */
  ParamsWritable fetch(int member, long step) throws IOException;
}
