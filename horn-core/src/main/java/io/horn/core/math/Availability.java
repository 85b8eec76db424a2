package io.horn.core.math;

import static com.google.common.base.Preconditions.checkNotNull;

/** Whether a backend can run here, and if not, why (immutable). */
public final class Availability {
  private final boolean usable;
  private final String reason;

  private Availability(boolean usable, String reason) {
    this.usable = usable;
    this.reason = checkNotNull(reason, "reason");
  }

  public static Availability usable(String description) {
    return new Availability(true, description);
  }

  public static Availability unusable(String reason) {
    return new Availability(false, reason);
  }

  public boolean isUsable() {
    return usable;
  }

  /** What the backend runs on when usable, or why it cannot run. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return (usable ? "usable: " : "unusable: ") + reason;
  }
}
