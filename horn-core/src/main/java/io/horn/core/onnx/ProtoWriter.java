package io.horn.core.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One protocol-buffers message being encoded (the wire format of
 * https://protobuf.dev/programming-guides/encoding/), just the field kinds that ONNX's
 * {@code onnx.proto} messages need: varints, 32-bit floats, strings, bytes and nested messages.
 *
 * <p>Why not generated classes: Hadoop 2.10 (horn-bsp, the command-line tools) puts
 * protobuf-java 2.5 on the class path, while ONNX's generated classes need protobuf 3 or later;
 * two runtimes of one library cannot share a class path. Writing the few messages of an
 * inference graph by hand needs no runtime at all; ONNX Runtime reads the result in the tests.
 *
 * <p>Fields are appended in call order. Not thread-safe; one per message.
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int FIXED32 = 5;
  private static final int LENGTH_DELIMITED = 2;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An int32, int64 or enum field. */
  ProtoWriter varint(int field, long value) {
    tag(field, VARINT);
    rawVarint(value);
    return this;
  }

  /** A float field. */
  ProtoWriter float32(int field, float value) {
    tag(field, FIXED32);
    int bits = Float.floatToIntBits(value);
    for (int i = 0; i < 4; i++) {
      out.write(bits >>> (8 * i));
    }
    return this;
  }

  /** A string field, UTF-8. */
  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bytes field. */
  ProtoWriter bytes(int field, byte[] value) {
    tag(field, LENGTH_DELIMITED);
    rawVarint(value.length);
    out.write(value, 0, value.length);
    return this;
  }

  /** A field holding a nested message. */
  ProtoWriter message(int field, ProtoWriter value) {
    return bytes(field, value.toByteArray());
  }

  /** The encoded message. */
  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int field, int wireType) {
    rawVarint(((long) field << 3) | wireType);
  }

  /** Base-128, least significant group first; negative values take ten bytes, as protobuf says. */
  private void rawVarint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
