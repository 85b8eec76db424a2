package io.horn.core.checkpoint;

import io.horn.core.model.ModelFile;
import io.horn.core.model.ModelFileFuzzMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A checkpoint file's fields as {@link ModelFile} documents them, decoded from the bytes
 * {@link CheckpointFile#write} produced so that the fuzz can edit one field (of the metadata or of
 * the version-2 part) and encode the file again with a right length and CRC-32. The model's part
 * before the metadata is kept as raw bytes: {@code ModelFileFuzzMain} edits those fields.
 */
final class CheckpointFuzzFields {
  /** Values that a reader must not trust as a count or a length. */
  static final int[] HOSTILE = {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE - 8,
      1 << 20, 1 << 24, 1 << 28, 0x10000};
  /** Metadata values a checkpoint field may hold that are not what it needs. */
  static final String[] GARBAGE = {"", "x", "-1", "0", "-0", "1", "+3", " 2", "2 ", "1e3", "0x10",
      "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "1048576", "1048577", "NaN", "true", "\u0663", "\0", "3.0"};

  /** One section: its name as bytes, its two length fields (as written) and its floats. */
  static final class Section {
    byte[] name;
    int nameLength;
    int count;
    float[] values;

    Section(byte[] name, float[] values) {
      this.name = name;
      this.values = values;
      this.nameLength = name.length;
      this.count = values.length;
    }

    Section copy() {
      Section s = new Section(name.clone(), values.clone());
      s.nameLength = nameLength;
      s.count = count;
      return s;
    }

    String name() {
      return new String(name, StandardCharsets.UTF_8);
    }
  }

  int version;
  /** From the spec string to the cost class, as written. */
  byte[] head;
  /** Written as the metadata entry count; normally meta.size(). */
  int entries;
  List<String[]> meta = new ArrayList<>();
  /** Written as the parameter count. */
  int count;
  byte[] params;
  /** Whether the section count and the sections are written (version 2). */
  boolean sectionPart;
  /** Written as the section count; normally sections.size(). */
  int sectionCount;
  List<Section> sections = new ArrayList<>();

  /** The fields of {@code b}, a valid file. */
  static CheckpointFuzzFields decode(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    CheckpointFuzzFields f = new CheckpointFuzzFields();
    in.readInt();
    f.version = in.readInt();
    in.readLong();
    int at = 16;
    ByteBuffer bb = ByteBuffer.wrap(b);
    at += 4 + bb.getInt(at); // spec string
    int depth = bb.getInt(at);
    at += 4;
    for (int l = 0; l < depth; l++) {
      at += 4;
      at += 4 + bb.getInt(at);
      at += 4 + bb.getInt(at);
      at += 4;
    }
    at += 4 + bb.getInt(at); // cost
    f.head = Arrays.copyOfRange(b, 16, at);
    in.skipNBytes(at - 16L);
    f.entries = in.readInt();
    for (int i = 0; i < f.entries; i++) {
      f.meta.add(new String[] {string(in), string(in)});
    }
    f.count = in.readInt();
    f.params = in.readNBytes(4 * f.count);
    f.sectionPart = f.version >= 2;
    if (f.sectionPart) {
      f.sectionCount = in.readInt();
      for (int i = 0; i < f.sectionCount; i++) {
        byte[] name = in.readNBytes(in.readInt());
        float[] v = new float[in.readInt()];
        for (int k = 0; k < v.length; k++) {
          v[k] = in.readFloat();
        }
        f.sections.add(new Section(name, v));
      }
    }
    in.readInt();
    if (in.read() >= 0) {
      throw new IOException("bytes after the checksum");
    }
    return f;
  }

  private static String string(DataInputStream in) throws IOException {
    return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
  }

  /** The file's bytes, length and CRC-32 made right. */
  byte[] encode() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64 + head.length + params.length);
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(ModelFile.MAGIC);
    out.writeInt(version);
    out.writeLong(0);
    out.write(head);
    out.writeInt(entries);
    for (String[] e : meta) {
      string(out, e[0]);
      string(out, e[1]);
    }
    out.writeInt(count);
    out.write(params);
    if (sectionPart) {
      out.writeInt(sectionCount);
      for (Section s : sections) {
        out.writeInt(s.nameLength);
        out.write(s.name);
        out.writeInt(s.count);
        ByteBuffer floats = ByteBuffer.allocate(4 * s.values.length);
        floats.asFloatBuffer().put(s.values);
        out.write(floats.array());
      }
    }
    out.writeInt(0);
    out.flush();
    return ModelFileFuzzMain.reseal(b.toByteArray());
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] a = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(a.length);
    out.write(a);
  }

  /** The metadata entry of {@code key}, or null. */
  String[] entry(String key) {
    for (String[] e : meta) {
      if (e[0].equals(key)) {
        return e;
      }
    }
    return null;
  }

  private static int pick(Random r, int... values) {
    return values[r.nextInt(values.length)];
  }

  /** A random key of the entries CheckpointFile writes ({@code checkpoint.*}). */
  private String checkpointKey(Random r) {
    List<String> keys = new ArrayList<>();
    for (String[] e : meta) {
      if (e[0].startsWith("checkpoint.")) {
        keys.add(e[0]);
      }
    }
    return keys.get(r.nextInt(keys.size()));
  }

  /** One edit of the metadata or the version-2 part, chosen by {@code r}. */
  void edit(Random r) {
    int n = sections.size();
    int kind = r.nextInt(16);
    if (n == 0 && kind <= 7) {
      kind = 8 + r.nextInt(8); // all groups finished: no section to edit
    }
    Section s = n == 0 ? null : sections.get(r.nextInt(n));
    switch (kind) {
      case 0: // the section count
        sectionCount = r.nextBoolean() ? pick(r, HOSTILE)
            : pick(r, 0, n - 1, n + 1, n + 2, 4 * n + 1);
        break;
      case 1: // a section's name length
        s.nameLength = r.nextBoolean() ? pick(r, HOSTILE)
            : pick(r, 0, s.name.length - 1, s.name.length + 1, s.name.length + 4);
        break;
      case 2: // a section's float count, the floats left as they are
        s.count = r.nextBoolean() ? pick(r, HOSTILE)
            : pick(r, 0, s.count - 1, s.count + 1, s.count / 2, 2 * s.count);
        break;
      case 3: // a section's floats and count, in agreement but of the wrong size
        s.values = Arrays.copyOf(s.values, pick(r, 0, 1, s.values.length - 1,
            s.values.length + 1, 2 * s.values.length));
        s.count = s.values.length;
        break;
      case 4: { // a section name repeated
        Section t = sections.get(r.nextInt(n));
        if (r.nextBoolean() || t == s) {
          t = s.copy();
          sections.add(r.nextInt(sections.size() + 1), t);
          sectionCount++;
        } else {
          s.name = t.name.clone();
          s.nameLength = s.name.length;
        }
        break;
      }
      case 5: // a section missing
        sections.remove(s);
        sectionCount--;
        break;
      case 6: { // a section renamed: empty, unknown, another group's, not UTF-8
        int g = r.nextInt(4);
        String[] names = {"", "group." + g + ".prev", "group." + g + ".adam.m",
            "group." + g + ".adam.v", "group.-1.prev", "group.0.adam", "x"};
        s.name = r.nextInt(8) == 0 ? new byte[] {(byte) 0xff, (byte) 0xc3}
            : names[r.nextInt(names.length)].getBytes(StandardCharsets.UTF_8);
        s.nameLength = s.name.length;
        break;
      }
      case 7: { // many tiny sections of distinct names (each one a string, a count, a float)
        int k = 50 + r.nextInt(400);
        for (int i = 0; i < k; i++) {
          sections.add(new Section(("t" + i).getBytes(StandardCharsets.UTF_8),
              new float[r.nextInt(2)]));
        }
        sectionCount += k;
        break;
      }
      case 8: // a checkpoint entry's value
      case 9:
        entry(checkpointKey(r))[1] = GARBAGE[r.nextInt(GARBAGE.length)];
        break;
      case 10: { // one of the fields the reader parses as numbers, the group count above all
        String[] keys = {CheckpointFile.GROUPS, CheckpointFile.GROUPS, CheckpointFile.SEQUENCE,
            CheckpointFile.TOTAL_STEPS, "checkpoint.group.0.steps", "checkpoint.group.0.updates",
            "checkpoint.group.0.epoch", "checkpoint.group.0.cursor"};
        String[] e = entry(keys[r.nextInt(keys.length)]);
        if (e != null) {
          e[1] = GARBAGE[r.nextInt(GARBAGE.length)];
        }
        break;
      }
      case 11: // a checkpoint entry missing
        meta.remove(entry(checkpointKey(r)));
        entries--;
        break;
      case 12: // a group's finished flag turned
        for (String[] e : meta) {
          if (e[0].endsWith(".finished") && r.nextBoolean()) {
            e[1] = r.nextInt(4) == 0 ? "TRUE" : Boolean.toString(!Boolean.parseBoolean(e[1]));
          }
        }
        break;
      case 13: { // one group more, finished, as a writer that lost a section would have it
        String[] e = entry(CheckpointFile.GROUPS);
        if (e == null || !e[1].matches("[1-3]")) {
          break; // an earlier edit took it
        }
        int g = Integer.parseInt(e[1]);
        e[1] = Integer.toString(g + 1);
        if (r.nextBoolean()) {
          meta.add(new String[] {"checkpoint.group." + g + ".steps", "5"});
          meta.add(new String[] {"checkpoint.group." + g + ".finished", "true"});
          entries += 2;
        }
        break;
      }
      case 14: // the metadata entry count, or a key repeated
        if (r.nextBoolean()) {
          String[] e = meta.get(r.nextInt(meta.size()));
          meta.add(r.nextInt(meta.size() + 1), new String[] {e[0], e[1]});
          entries++;
        } else {
          entries = r.nextBoolean() ? pick(r, HOSTILE)
              : pick(r, 0, entries - 1, entries + 1);
        }
        break;
      default: // the version: 1 with or without the sections, or one this Horn does not know
        version = pick(r, 1, 1, 0, 3);
        sectionPart = r.nextBoolean();
        break;
    }
  }
}
