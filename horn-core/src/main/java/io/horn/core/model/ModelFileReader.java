package io.horn.core.model;

import io.horn.core.data.DataFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads {@link ModelFile}'s format. Every count in a file is checked against the bytes the file
 * holds before anything is allocated from it, and the checksum is verified before anything past
 * the length is parsed, so a corrupt or hostile file costs at most about its own size and ends
 * in a {@link DataFormatException}.
 *
 * <p>Stateless and thread-safe.
 */
final class ModelFileReader {
  private static final int PREFIX_BYTES = 16;
  private static final int CRC_BYTES = 4;
  private static final int CHUNK = 1 << 16;
  /** The fewest bytes a layer's entry in the table takes: size, two empty strings, drop rate. */
  private static final int MIN_LAYER_BYTES = 16;
  /**
   * The most metadata entries, and the most sections, a file may hold: far beyond any model or
   * checkpoint (a few hundred entries; three sections a group), and low enough that a file made
   * of tiny entries cannot cost many times its size in objects.
   */
  private static final int MAX_ENTRIES = 1 << 16;

  private ModelFileReader() {}

  static final class Parsed {
    final ModelHeader header;
    final float[] parameters;
    final Map<String, float[]> sections;

    Parsed(ModelHeader header, float[] parameters, Map<String, float[]> sections) {
      this.header = header;
      this.parameters = parameters;
      this.sections = sections;
    }
  }

  static Parsed read(Path p, boolean withParameters, boolean withSections)
      throws IOException {
    if (!Files.exists(p)) {
      throw new FileNotFoundException("no such model file: " + p);
    }
    if (Files.isDirectory(p)) {
      throw new DataFormatException(p + " is a directory, not a Horn model file");
    }
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long size = ch.size();
      int version = verifyFrame(p, ch, size);
      ch.position(PREFIX_BYTES);
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), CHUNK));
      try {
        return parseBody(p, in, size, version, withParameters, withSections);
      } catch (EOFException e) {
        throw new DataFormatException(p + " is truncated", e);
      }
    }
  }

  /**
   * Checks magic, version, length and checksum, in that order: each check is only meaningful once
   * the ones before it have passed. Returns the format version.
   */
  private static int verifyFrame(Path p, FileChannel ch, long size) throws IOException {
    ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES);
    while (prefix.hasRemaining() && ch.read(prefix) >= 0) {
      // read until full or end of file
    }
    prefix.flip();
    if (prefix.remaining() < 4 || prefix.getInt() != ModelFile.MAGIC) {
      throw new DataFormatException(p + " is not a Horn model file");
    }
    if (prefix.remaining() < 4) {
      throw new DataFormatException(p + " is truncated: it ends inside the header");
    }
    int version = prefix.getInt();
    if (version > ModelFile.FORMAT_VERSION) {
      throw new DataFormatException(p + ": model format version " + version
          + " is newer than this Horn (supports " + ModelFile.FORMAT_VERSION + ")");
    }
    if (version < 1) {
      throw new DataFormatException(p + " is corrupt: invalid model format version " + version);
    }
    if (prefix.remaining() < 8) {
      throw new DataFormatException(p + " is truncated: it ends inside the header");
    }
    long length = prefix.getLong();
    if (size < length) {
      throw new DataFormatException(p + " is truncated: it holds " + size + " bytes of the "
          + length + " it was written with");
    }
    if (length < PREFIX_BYTES + CRC_BYTES) {
      throw new DataFormatException(p + " is corrupt: the header gives a length of " + length);
    }
    if (size > length) {
      throw new DataFormatException(p + " is corrupt: unexpected trailing bytes (the header says "
          + length + " bytes, the file holds " + size + ")");
    }
    CRC32 crc = new CRC32();
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long pos = 0;
    long end = size - CRC_BYTES;
    while (pos < end) {
      buf.clear().limit((int) Math.min(CHUNK, end - pos));
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new DataFormatException(p + " is truncated: it shrank while being read");
      }
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    ByteBuffer stored = ByteBuffer.allocate(CRC_BYTES);
    while (stored.hasRemaining() && ch.read(stored, end + stored.position()) >= 0) {
      // read the 4 checksum bytes
    }
    if (stored.hasRemaining() || stored.getInt(0) != (int) crc.getValue()) {
      throw new DataFormatException(p + " is corrupt: checksum mismatch");
    }
    return version;
  }

  private static Parsed parseBody(Path p, DataInputStream in, long size, int version,
      boolean withParameters, boolean withSections) throws IOException {
    String specString = ModelFields.readString(p, in, size);
    int depth = ModelFields.readCount(p, in, size / MIN_LAYER_BYTES, "layer");
    if (depth < 2) {
      throw new DataFormatException(p + " is corrupt: it has " + depth + " layer(s)");
    }
    List<Integer> sizes = new ArrayList<>();
    List<String> activations = new ArrayList<>();
    List<String> neurons = new ArrayList<>();
    List<Float> drops = new ArrayList<>();
    long expected = 0;
    for (int l = 0; l < depth; l++) {
      sizes.add(in.readInt());
      activations.add(ModelFields.readString(p, in, size));
      neurons.add(ModelFields.readString(p, in, size));
      drops.add(in.readFloat());
      if (sizes.get(l) <= 0) {
        throw new DataFormatException(p + " is corrupt: layer " + l + " has size " + sizes.get(l));
      }
      if (l > 0) {
        expected += (sizes.get(l - 1) + 1L) * sizes.get(l);
      }
    }
    String cost = ModelFields.readString(p, in, size);
    int entries = ModelFields.readCount(p, in, Math.min(size, MAX_ENTRIES), "metadata entry");
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < entries; i++) {
      String key = ModelFields.readString(p, in, size);
      if (metadata.put(key, ModelFields.readString(p, in, size)) != null) {
        throw new DataFormatException(p + " is corrupt: metadata key '" + key + "' repeats");
      }
    }
    int count = ModelFields.readCount(p, in, size, "parameter");
    if (count != expected) {
      throw new DataFormatException(p + " is corrupt: it holds " + count
          + " parameters but its layers " + sizes + " need " + expected);
    }
    float[] params = readFloats(p, in, size, count, withParameters);
    Map<String, float[]> sections = new LinkedHashMap<>();
    if (version >= 2) {
      int n = ModelFields.readCount(p, in, Math.min(size, MAX_ENTRIES), "section");
      for (int i = 0; i < n; i++) {
        String name = ModelFields.readString(p, in, size);
        int length = ModelFields.readCount(p, in, size / 4, "section float");
        float[] values = readFloats(p, in, size, length, withSections);
        if (withSections && sections.put(name, values) != null) {
          throw new DataFormatException(p + " is corrupt: section '" + name + "' repeats");
        }
      }
    }
    in.readInt(); // the checksum, verified already
    if (in.read() >= 0) {
      throw new DataFormatException(p + " is corrupt: unexpected bytes after the checksum");
    }
    ModelHeader header = new ModelHeader(version, size, specString, sizes, activations, neurons,
        drops, cost, metadata, count);
    return new Parsed(header, params, withSections ? sections : null);
  }

  /** Reads {@code count} floats (bounded by the file's size already), or skips them. */
  private static float[] readFloats(Path p, DataInputStream in, long size, int count,
      boolean keep) throws IOException {
    if (!keep) {
      in.skipNBytes(4L * count);
      return null;
    }
    if (4L * count > size) {
      throw new DataFormatException(p + " is corrupt: " + count + " floats in a file of " + size
          + " bytes");
    }
    float[] values = new float[count];
    // No bigger than the floats: a file of many tiny sections must not cost a chunk for each.
    byte[] bytes = new byte[(int) Math.min(CHUNK, 4L * count)];
    FloatBuffer floats = ByteBuffer.wrap(bytes).asFloatBuffer();
    for (int off = 0; off < count; off += CHUNK / 4) {
      int k = Math.min(CHUNK / 4, count - off);
      in.readFully(bytes, 0, 4 * k);
      floats.clear();
      floats.get(values, off, k);
    }
    return values;
  }
}
