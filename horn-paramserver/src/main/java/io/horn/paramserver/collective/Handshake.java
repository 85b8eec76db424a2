package io.horn.paramserver.collective;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may connect: a connection is accepted only from a task that proves it knows the job's
 * secret, by an HMAC-SHA256 over a fresh random challenge and the identity it claims (purpose,
 * group, member). A task of another job, a stray client or a replayed conversation is refused
 * before it can send a single value.
 *
 * <p>The exchange, connector C to acceptor A: C sends HELLO (magic, version, purpose, group,
 * member); A sends a 16-byte challenge; C sends the HMAC; A answers with one status byte.
 * It is split into steps so that every member of a ring can first connect to its right
 * neighbour, then accept its left one, without waiting on anyone in a cycle.
 *
 * <p>Stateless apart from the key; thread-safe.
 */
public final class Handshake {
  static final int MAGIC = 0x484f524e; // "HORN"
  static final int VERSION = 1;
  /** Purposes a connection can claim; part of the signed identity. */
  public static final byte RING = 1;
  public static final byte PARAMSERVER = 2;
  private static final byte OK = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;

  /** @param secret the job's secret; every task of the job holds the same */
  public Handshake(String secret) {
    checkArgument(secret != null && secret.length() >= 16,
        "the job secret must hold at least 16 characters");
    this.key = secret.getBytes(StandardCharsets.UTF_8);
  }

  /** Who a connection says it is: its purpose, group and member (a client's member is 0). */
  public record Identity(byte purpose, int group, int member) {
    @Override
    public String toString() {
      return purpose == RING ? "group " + group + " member " + member
          : "group " + group + "'s parameter-server client";
    }
  }

  /** What the acceptor read and sent in its first step. */
  public record Challenge(Identity claim, byte[] nonce) {}

  /** Connector, step 1: announce who we are. */
  public void hello(SocketChannel ch, Identity me, Watchdog.Guard guard) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(VERSION).put(me.purpose()).putInt(me.group()).putInt(me.member())
        .flip();
    Io.writeFully(ch, b, guard);
  }

  /** Acceptor, step 1: read the claim and send a fresh challenge. */
  public Challenge challenge(SocketChannel ch, Watchdog.Guard guard) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN);
    Io.readFully(ch, b, guard);
    b.flip();
    int magic = b.getInt();
    int version = b.getInt();
    if (magic != MAGIC) {
      throw new IOException("not a Horn task (bad magic 0x" + Integer.toHexString(magic) + ")");
    }
    if (version != VERSION) {
      throw new IOException("protocol version " + version + ", this task speaks " + VERSION);
    }
    Identity claim = new Identity(b.get(), b.getInt(), b.getInt());
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    Io.writeFully(ch, ByteBuffer.wrap(nonce), guard);
    return new Challenge(claim, nonce);
  }

  /** Connector, step 2: answer the challenge. */
  public void prove(SocketChannel ch, Identity me, Watchdog.Guard guard) throws IOException {
    ByteBuffer nonce = ByteBuffer.allocate(16);
    Io.readFully(ch, nonce, guard);
    Io.writeFully(ch, ByteBuffer.wrap(mac(nonce.array(), me)), guard);
  }

  /** Acceptor, step 2: check the proof; on success confirm, else close and throw. */
  public void verify(SocketChannel ch, Identity claim, byte[] nonce, Watchdog.Guard guard)
      throws IOException {
    ByteBuffer proof = ByteBuffer.allocate(32);
    Io.readFully(ch, proof, guard);
    if (!MessageDigest.isEqual(proof.array(), mac(nonce, claim))) {
      throw new IOException("it claimed to be " + claim
          + " but does not hold this job's secret (a task of another job?)");
    }
    Io.writeFully(ch, ByteBuffer.wrap(new byte[] {OK}), guard);
  }

  /** Connector, step 3: wait for the acceptor's confirmation. */
  public void confirmed(SocketChannel ch, Watchdog.Guard guard) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    Io.readFully(ch, b, guard);
    if (b.get(0) != OK) {
      throw new IOException("the other side refused the connection");
    }
  }

  private byte[] mac(byte[] nonce, Identity id) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      m.update(nonce);
      m.update(ByteBuffer.allocate(9).put(id.purpose()).putInt(id.group()).putInt(id.member())
          .array());
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
