package io.horn.bsp;

import static com.google.common.base.Preconditions.checkArgument;

import io.horn.paramserver.ParamsWritable;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The leader's side of a task group's region barrier and in-group reduction. Hama 0.7.1 only has
 * the job-wide {@code sync()}; this barrier involves the group's members alone, so groups run at
 * their own pace.
 *
 * <p>Each step is a round: members contribute their gradient sums, the last arrival adds them in
 * member order, and every member gets the same sum. A round is dropped once every member has
 * taken its reply, so a member may already contribute to the next step while a slower one is
 * still reading this one's.
 *
 * <p>Thread-safe: IPC handler threads and the leader's own thread call it; calls synchronise on
 * the object. A member that never arrives makes the others fail after {@code timeoutMillis}
 * with a message naming the missing members, instead of hanging the job.
 */
public final class GroupCoordinator implements GroupProtocol {
  private final int group;
  private final int size;
  private final long timeoutMillis;
  private final Map<Long, Round> rounds = new HashMap<>();
  private long publishedStep = -1;
  private ParamsWritable published;
  private boolean stopRequested;
  private String failure;
  private final float[][] buffers = new float[2][];
  private long sums;

  private static final class Round {
    final ParamsWritable[] parts;
    int arrived;
    int taken;
    StepReply reply;

    Round(int size) {
      parts = new ParamsWritable[size];
    }
  }

  public GroupCoordinator(int group, int size, long timeoutMillis) {
    checkArgument(size > 0, "group size must be positive");
    this.group = group;
    this.size = size;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public long getProtocolVersion(String protocol, long clientVersion) {
    return VERSION;
  }

  @Override
  public synchronized StepReply reduce(int member, long step, ParamsWritable gradients)
      throws IOException {
    checkMember(member);
    Round r = rounds.computeIfAbsent(step, s -> new Round(size));
    if (r.parts[member] != null) {
      throw new IOException("group " + group + ": member " + member + " sent step " + step
          + " twice");
    }
    int len = gradients.values().length;
    for (ParamsWritable p : r.parts) {
      if (p != null && p.values().length != len) {
        fail("group " + group + ": member " + member + " sent " + len + " gradients at step "
            + step + ", another member " + p.values().length + " (model shapes differ)");
      }
    }
    r.parts[member] = gradients;
    if (++r.arrived == size) {
      r.reply = new StepReply(sum(r.parts, step), stopRequested);
      sums++;
      notifyAll();
    }
    long end = System.currentTimeMillis() + timeoutMillis;
    while (r.reply == null && failure == null) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        fail("group " + group + " barrier timed out after " + timeoutMillis + " ms at step "
            + step + "; waiting for members " + missing(r));
      }
      waitUninterruptibly(left);
    }
    if (failure != null) {
      throw new IOException(failure);
    }
    if (++r.taken == size) {
      rounds.remove(step);
    }
    return r.reply;
  }

  /**
   * Adds the contributions in member order into one of two buffers, alternating by round: a
   * member contributes to round s+2 only after it applied round s's sum, so the buffer of round s
   * is free again by then. A group of one returns its member's own sums untouched.
   */
  private ParamsWritable sum(ParamsWritable[] parts, long step) {
    if (parts.length == 1) {
      return parts[0];
    }
    int len = parts[0].values().length;
    float[] s = buffers[(int) (sums & 1)];
    if (s == null || s.length != len) {
      s = new float[len];
      buffers[(int) (sums & 1)] = s;
    }
    System.arraycopy(parts[0].values(), 0, s, 0, len);
    int samples = parts[0].samples();
    double cost = parts[0].cost();
    for (int m = 1; m < parts.length; m++) {
      float[] v = parts[m].values();
      for (int i = 0; i < s.length; i++) {
        s[i] += v[i];
      }
      samples += parts[m].samples();
      cost += parts[m].cost();
    }
    return new ParamsWritable(step, samples, cost, s);
  }

  @Override
  public synchronized ParamsWritable fetch(int member, long step) throws IOException {
    checkMember(member);
    long end = System.currentTimeMillis() + timeoutMillis;
    while (publishedStep < step && failure == null) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        fail("group " + group + ": the leader published no weights for step " + step
            + " within " + timeoutMillis + " ms");
      }
      waitUninterruptibly(left);
    }
    if (failure != null) {
      throw new IOException(failure);
    }
    return published;
  }

  /** The leader publishes the weights it pulled after {@code step}. */
  public synchronized void publish(long step, float[] weights) {
    published = new ParamsWritable(step, 0, 0, weights.clone());
    publishedStep = step;
    notifyAll();
  }

  /** The group stops after the next completed round. */
  public synchronized void requestStop() {
    stopRequested = true;
  }

  /** Fails every waiting and future call with {@code reason} (a member died). */
  public synchronized void abort(String reason) {
    if (failure == null) {
      failure = reason;
    }
    notifyAll();
  }

  private void fail(String reason) throws IOException {
    abort(reason);
    throw new IOException(reason);
  }

  private String missing(Round r) {
    StringBuilder sb = new StringBuilder();
    for (int m = 0; m < size; m++) {
      if (r.parts[m] == null) {
        sb.append(sb.length() == 0 ? "" : ", ").append(m);
      }
    }
    return sb.toString();
  }

  private void checkMember(int member) {
    checkArgument(member >= 0 && member < size, "group %s has no member %s", group, member);
  }

  private void waitUninterruptibly(long millis) {
    try {
      wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort("group " + group + ": interrupted");
    }
  }
}
