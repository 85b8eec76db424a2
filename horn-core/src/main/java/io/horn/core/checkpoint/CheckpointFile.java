package io.horn.core.checkpoint;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.DataFormatException;
import io.horn.core.model.MetadataKeys;
import io.horn.core.model.Model;
import io.horn.core.model.ModelFile;
import io.horn.core.optimizer.OptimizerState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Checkpoint} in Horn's model file format ({@link ModelFile}): the weights and
 * metadata as in any model, the groups' places as metadata entries under {@code checkpoint.},
 * their optimizer states as sections {@code group.<g>.prev}, {@code group.<g>.adam.m} and
 * {@code group.<g>.adam.v}. {@code bin/horn info|eval|predict} read a checkpoint as the model it
 * holds.
 *
 * <p>Stateless and thread-safe.
 */
public final class CheckpointFile {
  /** Marks a model file as a checkpoint; the value is its sequence number. */
  public static final String SEQUENCE = MetadataKeys.CHECKPOINT_SEQUENCE;
  static final String TOTAL_STEPS = MetadataKeys.CHECKPOINT_STEPS;
  static final String GROUPS = MetadataKeys.CHECKPOINT_GROUPS;

  private CheckpointFile() {}

  /** Writes {@code c} to {@code out} (flushed, not closed); see {@link ModelFile#write}. */
  public static void write(Checkpoint c, OutputStream out) throws IOException {
    checkNotNull(c, "checkpoint");
    Map<String, String> meta = new LinkedHashMap<>(c.model().metadata());
    meta.put(SEQUENCE, Long.toString(c.sequence()));
    meta.put(TOTAL_STEPS, Long.toString(c.totalSteps()));
    meta.put(GROUPS, Integer.toString(c.groups().size()));
    Map<String, float[]> sections = new LinkedHashMap<>();
    for (GroupState s : c.groups()) {
      String k = MetadataKeys.checkpointGroupPrefix(s.group());
      meta.put(k + "steps", Long.toString(s.steps()));
      meta.put(k + "finished", Boolean.toString(s.finished()));
      if (!s.finished()) {
        meta.put(k + "epoch", Integer.toString(s.epoch()));
        meta.put(k + "cursor", Integer.toString(s.cursor()));
        OptimizerState o = s.optimizer();
        meta.put(k + "updates", Long.toString(o.updates()));
        sections.put(sectionName(s.group(), "prev"), o.prev());
        if (o.hasMoments()) {
          sections.put(sectionName(s.group(), "adam.m"), o.adamM());
          sections.put(sectionName(s.group(), "adam.v"), o.adamV());
        }
      }
    }
    ModelFile.write(c.model().withMetadata(meta), sections, out);
  }

  /** Whether the model file at {@code p} is a checkpoint (reads only its header). */
  public static boolean isCheckpoint(Path p) throws IOException {
    return ModelFile.readHeader(p).metadata().containsKey(SEQUENCE);
  }

  /**
   * Reads the checkpoint at {@code p}, loading the classes it names through {@code loader}.
   *
   * @throws DataFormatException if {@code p} is a model but not a checkpoint, or its checkpoint
   *     entries are missing or inconsistent
   */
  public static Checkpoint read(Path p, ClassLoader loader) throws IOException {
    Model m = ModelFile.load(p, loader);
    Map<String, float[]> sections = ModelFile.loadSections(p);
    Map<String, String> meta = m.metadata();
    if (!meta.containsKey(SEQUENCE)) {
      throw new DataFormatException(p + " is a model but not a checkpoint (no " + SEQUENCE
          + ")");
    }
    try {
      long sequence = number(p, meta, SEQUENCE);
      long total = number(p, meta, TOTAL_STEPS);
      int groups = Math.toIntExact(number(p, meta, GROUPS));
      if (groups <= 0 || groups > 1 << 20) {
        throw new DataFormatException(p + ": a checkpoint of " + groups + " groups");
      }
      // Not sized by the count: a corrupt count of 2^20 would cost megabytes for a tiny file.
      List<GroupState> states = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        String k = MetadataKeys.checkpointGroupPrefix(g);
        long steps = number(p, meta, k + "steps");
        if (Boolean.parseBoolean(meta.get(k + "finished"))) {
          states.add(GroupState.finished(g, steps));
          continue;
        }
        float[] prev = section(p, sections, sectionName(g, "prev"));
        float[] am = sections.get(sectionName(g, "adam.m"));
        float[] av = sections.get(sectionName(g, "adam.v"));
        OptimizerState o = new OptimizerState(number(p, meta, k + "updates"), prev, am, av);
        states.add(new GroupState(g, steps, Math.toIntExact(number(p, meta, k + "epoch")),
            Math.toIntExact(number(p, meta, k + "cursor")), o));
      }
      return new Checkpoint(sequence, total, m, states);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new DataFormatException(p + " is not a consistent checkpoint: " + e.getMessage(), e);
    }
  }

  private static long number(Path p, Map<String, String> meta, String key)
      throws DataFormatException {
    String v = meta.get(key);
    if (v == null) {
      throw new DataFormatException(p + " is not a complete checkpoint: it lacks " + key);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new DataFormatException(p + ": " + key + " is '" + v + "', not a number");
    }
  }

  private static float[] section(Path p, Map<String, float[]> sections, String name)
      throws DataFormatException {
    float[] s = sections.get(name);
    if (s == null) {
      throw new DataFormatException(p + " is not a complete checkpoint: it lacks section "
          + name);
    }
    return s;
  }

  /** Group {@code g}'s optimizer-state section {@code part}: {@code group.<g>.<part>}. */
  private static String sectionName(int g, String part) {
    return "group." + g + "." + part;
  }
}
