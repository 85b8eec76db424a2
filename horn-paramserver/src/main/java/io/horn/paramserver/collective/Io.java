package io.horn.paramserver.collective;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Whole-buffer reads and writes on blocking channels, each wait under a watchdog guard. */
public final class Io {
  private Io() {}

  /** Reads until {@code buf} is full; EOF before that is an {@link EOFException}. */
  public static void readFully(SocketChannel ch, ByteBuffer buf, Watchdog.Guard guard)
      throws IOException {
    guard.begin();
    try {
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          throw new EOFException("the connection was closed by the other side");
        }
        guard.begin();
      }
    } finally {
      guard.end();
    }
  }

  public static void writeFully(SocketChannel ch, ByteBuffer buf, Watchdog.Guard guard)
      throws IOException {
    guard.begin();
    try {
      while (buf.hasRemaining()) {
        ch.write(buf);
        guard.begin();
      }
    } finally {
      guard.end();
    }
  }

  /** The other end's address, for messages. */
  public static String remote(SocketChannel c) {
    try {
      return String.valueOf(c.getRemoteAddress());
    } catch (IOException e) {
      return "an unknown address";
    }
  }
}
