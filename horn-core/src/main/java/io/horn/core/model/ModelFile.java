package io.horn.core.model;

import static com.google.common.base.Preconditions.checkNotNull;

import io.horn.core.data.DataFormatException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Reads and writes {@link Model}s in Horn's versioned binary model format.
 *
 * <p>Layout, big-endian; a string is an int byte count and that many UTF-8 bytes:
 *
 * <pre>
 *   int    magic 0x484F524E ("HORN")
 *   int    format version (1)
 *   long   length of the whole file in bytes
 *   string the network spec, {@link NetworkSpec#toConfString()}
 *   int    layer count; per layer: int size, string activation class, string neuron class,
 *          float drop rate
 *   string cost function class
 *   int    metadata entry count; per entry: string key, string value
 *   int    parameter count, then that many floats in {@link NetworkSpec}'s flat layout
 *   int    CRC-32 of every byte before it
 * </pre>
 *
 * <p>The per-layer fields repeat what the spec string says so that {@link #readHeader} can
 * describe a model without loading its classes; {@link #load} checks that the two agree. The
 * length field lets a reader tell a truncated file from a corrupt one before trusting any other
 * field, and the checksum is verified before anything past the length is parsed.
 *
 * <p>{@link #save} is atomic: the model is written to a temporary file beside the target, forced
 * to disk, then renamed over it, so a reader sees the old model or the new one, never a mix, and
 * a failed save leaves the old file as it was.
 *
 * <p>Stateless and thread-safe; concurrent saves to one path leave one of the models intact.
 */
public final class ModelFile {
  /** The first four bytes of every model file: "HORN" in ASCII. */
  public static final int MAGIC = 0x484F524E;
  /** The format version this class writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;

  /** Magic, version and length. */
  private static final int PREFIX_BYTES = 16;
  private static final int CRC_BYTES = 4;
  private static final int CHUNK = 1 << 16;

  /** Runs between writing the temporary file and renaming it; lets tests make a save fail late. */
  interface BeforeMove {
    void run(Path temporary) throws IOException;
  }

  private ModelFile() {}

  /**
   * Writes {@code m} to {@code p} atomically, creating missing parent directories; an existing
   * file at {@code p} is replaced.
   *
   * @throws IOException if {@code p} is a directory or the file cannot be written; any file
   *     already at {@code p} is then untouched and no temporary file remains
   */
  public static void save(Model m, Path p) throws IOException {
    save(m, p, null);
  }

  static void save(Model m, Path p, BeforeMove beforeMove) throws IOException {
    checkNotNull(m, "model");
    checkNotNull(p, "model path");
    Path target = p.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw new IOException("cannot save the model to " + p + ": it is a directory");
    }
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(
        target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      try (FileChannel ch = FileChannel.open(
          tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        write(m, ch);
        ch.force(true);
      }
      if (beforeMove != null) {
        beforeMove.run(tmp);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (Throwable t) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException d) {
        t.addSuppressed(d);
      }
      throw t;
    }
    syncDirectory(dir);
  }

  private static void write(Model m, FileChannel ch) throws IOException {
    NetworkSpec spec = m.spec();
    ByteArrayOutputStream headerBytes = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(headerBytes);
    ModelFields.writeString(h, spec.toConfString());
    h.writeInt(spec.depth());
    for (LayerSpec l : spec.layers()) {
      h.writeInt(l.size());
      ModelFields.writeString(h, l.activation().getName());
      ModelFields.writeString(h, l.neuron().getName());
      h.writeFloat(l.dropRate());
    }
    ModelFields.writeString(h, spec.cost().getName());
    h.writeInt(m.metadata().size());
    for (Map.Entry<String, String> e : m.metadata().entrySet()) {
      ModelFields.writeString(h, e.getKey());
      ModelFields.writeString(h, e.getValue());
    }
    float[] params = m.parameters();
    h.writeInt(params.length);
    h.flush();

    CRC32 crc = new CRC32();
    // Not closed: closing would close the channel before the caller forces it to disk.
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        new CheckedOutputStream(Channels.newOutputStream(ch), crc), CHUNK));
    out.writeInt(MAGIC);
    out.writeInt(FORMAT_VERSION);
    out.writeLong(PREFIX_BYTES + (long) headerBytes.size() + 4L * params.length + CRC_BYTES);
    headerBytes.writeTo(out);
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    FloatBuffer floats = buf.asFloatBuffer();
    for (int off = 0; off < params.length; off += CHUNK / 4) {
      int k = Math.min(CHUNK / 4, params.length - off);
      floats.clear();
      floats.put(params, off, k);
      out.write(buf.array(), 0, 4 * k);
    }
    out.flush();
    // The checksum must not cover itself: write it past the CRC-updating stream.
    ByteBuffer trailer = ByteBuffer.allocate(CRC_BYTES).putInt((int) crc.getValue());
    trailer.flip();
    while (trailer.hasRemaining()) {
      ch.write(trailer);
    }
  }

  /** Makes the rename itself durable; some platforms cannot open a directory, and lose nothing. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | RuntimeException e) {
      // Best effort only: the file is complete and renamed either way.
    }
  }

  /**
   * Reads the model at {@code p}, loading the classes it names through {@code loader} (Horn's
   * own class loader when null).
   *
   * @throws FileNotFoundException if there is no file at {@code p}
   * @throws DataFormatException if the file is not a Horn model, is of a newer format, is
   *     truncated or corrupt
   * @throws IOException if a class it names cannot be loaded, naming the file and the class
   */
  public static Model load(Path p, ClassLoader loader) throws IOException {
    checkNotNull(p, "model path");
    Parsed f = read(p, true);
    NetworkSpec spec;
    try {
      spec = NetworkSpec.parse(f.header.specString(), loader);
    } catch (IllegalArgumentException e) {
      throw new IOException(p + ": " + e.getMessage(), e);
    }
    for (int l = 0; l < spec.depth(); l++) {
      LayerSpec s = spec.layer(l);
      if (s.size() != f.header.layerSizes().get(l)
          || !s.activation().getName().equals(f.header.activations().get(l))
          || !s.neuron().getName().equals(f.header.neurons().get(l))
          || Float.compare(s.dropRate(), f.header.dropRates().get(l)) != 0) {
        throw new DataFormatException(p + " is corrupt: layer " + l + " is '" + s
            + "' in the network spec but " + f.header.layerSizes().get(l) + " "
            + f.header.activations().get(l) + " " + f.header.neurons().get(l) + " drop="
            + f.header.dropRates().get(l) + " in the layer table");
      }
    }
    if (!spec.cost().getName().equals(f.header.cost())) {
      throw new DataFormatException(p + " is corrupt: the network spec's cost "
          + spec.cost().getName() + " differs from the header's " + f.header.cost());
    }
    return new Model(spec, f.parameters, f.header.metadata());
  }

  /**
   * Reads what {@code p} says about its model without loading any class or keeping the
   * parameters. The whole file is still read once, to verify its checksum.
   *
   * @throws FileNotFoundException if there is no file at {@code p}
   * @throws DataFormatException if the file is not a Horn model, is of a newer format, is
   *     truncated or corrupt
   */
  public static ModelHeader readHeader(Path p) throws IOException {
    checkNotNull(p, "model path");
    return read(p, false).header;
  }

  private static final class Parsed {
    final ModelHeader header;
    final float[] parameters;

    Parsed(ModelHeader header, float[] parameters) {
      this.header = header;
      this.parameters = parameters;
    }
  }

  private static Parsed read(Path p, boolean withParameters) throws IOException {
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
        return parseBody(p, in, size, version, withParameters);
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
    if (prefix.remaining() < 4 || prefix.getInt() != MAGIC) {
      throw new DataFormatException(p + " is not a Horn model file");
    }
    if (prefix.remaining() < 4) {
      throw new DataFormatException(p + " is truncated: it ends inside the header");
    }
    int version = prefix.getInt();
    if (version > FORMAT_VERSION) {
      throw new DataFormatException(p + ": model format version " + version
          + " is newer than this Horn (supports " + FORMAT_VERSION + ")");
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
      boolean withParameters) throws IOException {
    String specString = ModelFields.readString(p, in, size);
    int depth = ModelFields.readCount(p, in, size, "layer");
    if (depth < 2) {
      throw new DataFormatException(p + " is corrupt: it has " + depth + " layer(s)");
    }
    List<Integer> sizes = new ArrayList<>(depth);
    List<String> activations = new ArrayList<>(depth);
    List<String> neurons = new ArrayList<>(depth);
    List<Float> drops = new ArrayList<>(depth);
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
    int entries = ModelFields.readCount(p, in, size, "metadata entry");
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
    float[] params = null;
    if (withParameters) {
      params = new float[count];
      byte[] bytes = new byte[CHUNK];
      FloatBuffer floats = ByteBuffer.wrap(bytes).asFloatBuffer();
      for (int off = 0; off < count; off += CHUNK / 4) {
        int k = Math.min(CHUNK / 4, count - off);
        in.readFully(bytes, 0, 4 * k);
        floats.clear();
        floats.get(params, off, k);
      }
    } else {
      in.skipNBytes(4L * count);
    }
    in.readInt(); // the checksum, verified already
    if (in.read() >= 0) {
      throw new DataFormatException(p + " is corrupt: unexpected bytes after the checksum");
    }
    ModelHeader header = new ModelHeader(version, size, specString, sizes, activations, neurons,
        drops, cost, metadata, count);
    return new Parsed(header, params);
  }
}
