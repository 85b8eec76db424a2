package io.horn.core.parallel;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.model.Initializer;
import io.horn.core.model.NetworkSpec;

/**
 * Which neurons of each layer every member of a model-parallel group owns: layer {@code l}'s
 * neurons {@code [from(l, m), to(l, m))} belong to member {@code m}, as balanced as the layer
 * allows (the first {@code n mod P} members get one more). A member's parameters are its slices
 * of every weight block, in layer order: in the flat layout of {@link NetworkSpec}, neuron
 * {@code j}'s column of block {@code l} is {@code (n[l-1] + 1)} contiguous floats, so a slice of
 * neurons is one contiguous run, and a member's vector is the concatenation of its runs.
 *
 * <p>Immutable and thread-safe; every member derives the same plan from the same network.
 */
public final class NeuronSlices {
  private final NetworkSpec spec;
  private final int members;
  // [layer][member]; layer 0's units hold no parameters, but a user-written input layer's
  // backward pass runs on its units, split the same way.
  private final int[][] from;
  private final int[][] memberOffset; // [member][layer]: where layer l's run starts in member's
  private final int[] memberCount;

  private NeuronSlices(NetworkSpec spec, int members) {
    this.spec = spec;
    this.members = members;
    int depth = spec.depth();
    from = new int[depth][members + 1];
    memberOffset = new int[members][depth];
    memberCount = new int[members];
    for (int l = 0; l < depth; l++) {
      int n = spec.size(l);
      for (int m = 0; m <= members; m++) {
        from[l][m] = (int) ((long) n * m / members);
      }
    }
    for (int m = 0; m < members; m++) {
      int off = 0;
      for (int l = 1; l < depth; l++) {
        memberOffset[m][l] = off;
        off += (to(l, m) - from(l, m)) * (spec.size(l - 1) + 1);
      }
      memberCount[m] = off;
    }
  }

  /**
   * The plan for {@code members} members.
   *
   * @throws IllegalArgumentException if a layer has fewer neurons than there are members
   */
  public static NeuronSlices of(NetworkSpec spec, int members) {
    checkNotNull(spec, "spec");
    checkArgument(members >= 1, "members must be >= 1, got %s", members);
    for (int l = 1; l < spec.depth(); l++) {
      checkArgument(spec.size(l) >= members, "layer %s has %s neurons, fewer than the %s "
          + "members of a model-parallel group", l, spec.size(l), members);
    }
    return new NeuronSlices(spec, members);
  }

  public NetworkSpec spec() {
    return spec;
  }

  public int members() {
    return members;
  }

  /** The first neuron of layer {@code l} that member {@code m} owns. */
  public int from(int l, int m) {
    return from[l][m];
  }

  /** One past the last neuron of layer {@code l} that member {@code m} owns. */
  public int to(int l, int m) {
    return from[l][m + 1];
  }

  /** How many neurons of layer {@code l} member {@code m} owns. */
  public int owned(int l, int m) {
    return to(l, m) - from(l, m);
  }

  /** The number of parameters member {@code m} holds. */
  public int parameterCount(int m) {
    return memberCount[m];
  }

  /** Where layer {@code l}'s run starts in member {@code m}'s vector. */
  public int offset(int l, int m) {
    return memberOffset[m][l];
  }

  /**
   * Member {@code m}'s initial parameters, the very values {@link Initializer#initialize} puts
   * in its places of the whole vector, drawn without ever holding the whole vector.
   */
  public float[] initial(int m, String method, long seed) {
    float[] mine = new float[memberCount[m]];
    for (int l = 1; l < spec.depth(); l++) {
      Initializer.initializeNeurons(spec, method, seed, l, from(l, m), to(l, m), mine,
          offset(l, m));
    }
    return mine;
  }

  /** Member {@code m}'s parameters out of the whole flat vector {@code full}. */
  public float[] slice(float[] full, int m) {
    checkArgument(full.length == spec.parameterCount(), "a vector of %s for a network of %s",
        full.length, spec.parameterCount());
    float[] mine = new float[memberCount[m]];
    for (int l = 1; l < spec.depth(); l++) {
      int k = spec.size(l - 1) + 1;
      System.arraycopy(full, spec.offset(l) + from(l, m) * k, mine, offset(l, m),
          owned(l, m) * k);
    }
    return mine;
  }

  /** Puts member {@code m}'s parameters {@code mine} into their places in {@code full}. */
  public void place(float[] mine, int m, float[] full) {
    checkArgument(mine.length == memberCount[m], "member %s holds %s parameters, got %s", m,
        memberCount[m], mine.length);
    checkArgument(full.length == spec.parameterCount(), "a vector of %s for a network of %s",
        full.length, spec.parameterCount());
    for (int l = 1; l < spec.depth(); l++) {
      int k = spec.size(l - 1) + 1;
      System.arraycopy(mine, offset(l, m), full, spec.offset(l) + from(l, m) * k,
          owned(l, m) * k);
    }
  }
}
