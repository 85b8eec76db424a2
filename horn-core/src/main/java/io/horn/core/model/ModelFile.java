package io.horn.core.model;

import static com.google.common.base.Preconditions.checkArgument;
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
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
 *   (version 2 only) int section count; per section: string name, int float count, the floats
 *   int    CRC-32 of every byte before it
 * </pre>
 *
 * <p>Sections carry what a checkpoint holds beyond the model (an optimizer's state per task
 * group); a file is written in version 1 when it has none, so models stay readable by older
 * readers, and {@link #load} reads the model of either version.
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
  public static final int FORMAT_VERSION = 2;

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
    save(m, Map.of(), p, null);
  }

  /**
   * {@link #save(Model, Path)} with named float {@code sections} (a checkpoint's optimizer
   * states); names must be unique and non-empty.
   */
  public static void save(Model m, Map<String, float[]> sections, Path p) throws IOException {
    save(m, sections, p, null);
  }

  static void save(Model m, Path p, BeforeMove beforeMove) throws IOException {
    save(m, Map.of(), p, beforeMove);
  }

  static void save(Model m, Map<String, float[]> sections, Path p, BeforeMove beforeMove)
      throws IOException {
    checkNotNull(m, "model");
    checkNotNull(sections, "sections");
    save(out -> write(m, sections, out), p, beforeMove);
  }

  /**
   * Writes a model whose parameters come piece by piece from {@code parameters} (a trainer that
   * never holds the whole vector) to {@code p} atomically, as {@link #save(Model, Path)} does.
   *
   * @throws IOException as {@link #save(Model, Path)}, and when the stream hands more or fewer
   *     parameters than {@code spec} has
   */
  public static void save(NetworkSpec spec, Map<String, String> metadata,
      ParameterStream parameters, Path p) throws IOException {
    checkNotNull(spec, "spec");
    checkNotNull(metadata, "metadata");
    checkNotNull(parameters, "parameters");
    save(out -> write(spec, metadata, parameters, Map.of(), out), p, null);
  }

  /** What {@link #save} puts in the temporary file. */
  private interface Body {
    void writeTo(java.io.OutputStream out) throws IOException;
  }

  private static void save(Body body, Path p, BeforeMove beforeMove) throws IOException {
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
        // Not closed: closing would close the channel before it is forced to disk.
        body.writeTo(Channels.newOutputStream(ch));
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

  /**
   * Writes {@code m} and {@code sections} in the model format to {@code raw} (a stream to
   * another file system, say), flushing but not closing it. Not atomic by itself: write to a
   * temporary name and rename, as {@link #save} does.
   */
  public static void write(Model m, Map<String, float[]> sections, OutputStream raw)
      throws IOException {
    checkNotNull(m, "model");
    // Only read: a copy would double a large model.
    write(m.spec(), m.metadata(), ParameterStream.of(m.parametersUnsafe()), sections, raw);
  }

  /**
   * {@link #write(Model, Map, OutputStream)} for parameters that come piece by piece; fails
   * when the stream hands more or fewer than {@code spec} has.
   */
  public static void write(NetworkSpec spec, Map<String, String> metadata,
      ParameterStream parameters, Map<String, float[]> sections, OutputStream raw)
      throws IOException {
    checkNotNull(spec, "spec");
    checkNotNull(metadata, "metadata");
    checkNotNull(sections, "sections");
    checkNotNull(raw, "stream");
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
    h.writeInt(metadata.size());
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      ModelFields.writeString(h, e.getKey());
      ModelFields.writeString(h, e.getValue());
    }
    int count = spec.parameterCount();
    h.writeInt(count);
    h.flush();
    long sectionBytes = 0;
    for (Map.Entry<String, float[]> e : sections.entrySet()) {
      checkArgument(e.getKey() != null && !e.getKey().isEmpty(), "a section needs a name");
      checkNotNull(e.getValue(), "section %s", e.getKey());
      sectionBytes += 4 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4
          + 4L * e.getValue().length;
    }
    int version = sections.isEmpty() ? 1 : 2;

    CRC32 crc = new CRC32();
    // Not closed: closing would close the channel before the caller forces it to disk.
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        new CheckedOutputStream(raw, crc), CHUNK));
    out.writeInt(MAGIC);
    out.writeInt(version);
    out.writeLong(PREFIX_BYTES + (long) headerBytes.size() + 4L * count
        + (version == 2 ? 4 + sectionBytes : 0) + CRC_BYTES);
    headerBytes.writeTo(out);
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long[] written = {0};
    parameters.writeTo((values, off, len) -> {
      checkArgument(off >= 0 && len >= 0 && off + len <= values.length,
          "a piece [%s, %s) outside an array of %s", off, off + len, values.length);
      if (written[0] + len > count) {
        throw new IOException("the parameters outnumber the model's " + count);
      }
      writeFloats(out, values, off, len, buf);
      written[0] += len;
    });
    if (written[0] != count) {
      throw new IOException("the parameters stopped at " + written[0] + " of the model's "
          + count);
    }
    if (version == 2) {
      out.writeInt(sections.size());
      for (Map.Entry<String, float[]> e : sections.entrySet()) {
        ModelFields.writeString(out, e.getKey());
        out.writeInt(e.getValue().length);
        writeFloats(out, e.getValue(), 0, e.getValue().length, buf);
      }
    }
    out.flush();
    // The checksum must not cover itself: write it past the CRC-updating stream.
    new DataOutputStream(raw).writeInt((int) crc.getValue());
    raw.flush();
  }

  private static void writeFloats(DataOutputStream out, float[] values, int from, int len,
      ByteBuffer buf) throws IOException {
    FloatBuffer floats = buf.clear().asFloatBuffer();
    for (int off = from; off < from + len; off += CHUNK / 4) {
      int k = Math.min(CHUNK / 4, from + len - off);
      floats.clear();
      floats.put(values, off, k);
      out.write(buf.array(), 0, 4 * k);
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
    ModelFileReader.Parsed f = ModelFileReader.read(p, true, false);
    NetworkSpec spec;
    try {
      spec = NetworkSpec.parse(f.header.specString(), loader);
    } catch (IllegalArgumentException e) {
      throw new IOException(p + ": " + e.getMessage(), e);
    }
    if (spec.depth() != f.header.layerSizes().size()) {
      throw new DataFormatException(p + " is corrupt: the network spec has " + spec.depth()
          + " layers, the layer table " + f.header.layerSizes().size());
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
    return ModelFileReader.read(p, false, false).header;
  }

  /**
   * The named sections of the file at {@code p} (empty for a version-1 file), in the order they
   * were written.
   *
   * @throws FileNotFoundException if there is no file at {@code p}
   * @throws DataFormatException if the file is not a Horn model, is truncated or corrupt
   */
  public static Map<String, float[]> loadSections(Path p) throws IOException {
    checkNotNull(p, "model path");
    return ModelFileReader.read(p, false, true).sections;
  }
}
