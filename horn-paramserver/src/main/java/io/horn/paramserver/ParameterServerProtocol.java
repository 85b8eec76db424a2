package io.horn.paramserver;

import org.apache.hama.ipc.VersionedProtocol;

/**
 * What task groups ask of the parameter server, over Hama's IPC. Each group calls it from its
 * leader, on its own schedule: no call waits for another group.
 */
public interface ParameterServerProtocol extends VersionedProtocol {
  long VERSION = 1L;

  /** The current master weights (a group's starting point). */
  ParamsWritable pull(int group);

  /**
   * Adds {@code delta} (the group's weights minus those it last pulled) to the master weights,
   * records that the group ran {@code steps} more steps, and returns the new master weights.
   * A delta whose shape does not match is rejected, logged, and not applied.
   */
  PullReply pushAndPull(int group, int steps, ParamsWritable delta);

  /**
   * The group has finished after {@code totalSteps} steps; {@code timing} says where its leader's
   * time went and {@code history} holds its progress records ({@code seconds:step:cost:accuracy}
   * joined by {@code ;}). Returns true once every group has.
   */
  boolean done(int group, long totalSteps, String timing, String history);
}
