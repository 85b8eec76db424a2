package io.horn.core.model;

import io.horn.core.data.DataFormatException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Length-prefixed fields of a model file, each read with its length checked against the file. */
final class ModelFields {
  private ModelFields() {}

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** A string, its length bounded by the file's so a bad field cannot cause a huge allocation. */
  static String readString(Path p, DataInputStream in, long size) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > size) {
      throw new DataFormatException(p + " is corrupt: a string of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static int readCount(Path p, DataInputStream in, long size, String what)
      throws IOException {
    int n = in.readInt();
    if (n < 0 || n > size) {
      throw new DataFormatException(p + " is corrupt: " + what + " count " + n);
    }
    return n;
  }
}
