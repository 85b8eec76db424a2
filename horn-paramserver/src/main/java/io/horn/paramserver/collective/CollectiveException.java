package io.horn.paramserver.collective;

import java.io.IOException;

/**
 * A collective failed: a member died, stalled past the deadline, sent something the protocol does
 * not allow, or reported a failure of its own. The message names the member and the operation.
 * Once thrown, the group is unusable; every later call fails with the same cause.
 */
public final class CollectiveException extends IOException {
  private static final long serialVersionUID = 1L;

  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
