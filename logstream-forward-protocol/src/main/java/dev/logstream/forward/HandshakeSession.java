package dev.logstream.forward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The server side of the secure-forward handshake on one connection, independent of the transport:
 * the server writes {@link #helo()}, hands the client's next msgpack value to {@link #onPing}, and
 * writes the returned PONG. Not thread-safe; one instance per connection.
 *
 * <pre>
 * state          call        outcome                                 next state
 * NEW            helo()      HELO bytes                              AWAITING_PING
 * AWAITING_PING  onPing(..)  PONG true                               ESTABLISHED (transport)
 *                            PONG false, closeAfterWrite()           FAILED
 *                            MalformedFrameException, no PONG        FAILED
 * </pre>
 *
 * <p>Wire forms (SPEC1 "Handshake Messages"; digests are lower-case hex SHA-512 of the concatenated
 * raw bytes, strings hashed as UTF-8):
 *
 * <pre>
 * HELO  ["HELO", {"nonce": bin(16), "auth": bin(16) | bin(0), "keepalive": bool}]
 * PING  ["PING", client_hostname, shared_key_salt, sha512_hex(salt + client_hostname + nonce + key),
 *        username, sha512_hex(auth + username + password)]
 * PONG  ["PONG", true, "", self_hostname, sha512_hex(salt + self_hostname + nonce + key)]
 *       ["PONG", false, reason, "", ""]
 * </pre>
 *
 * <p>Choices, with the reasons:
 *
 * <ul>
 *   <li><b>{@code nonce} and {@code auth} are msgpack {@code bin}</b>, 16 bytes from the injected
 *       random source, as Fluentd's {@code in_forward} sends them (Ruby binary strings). Fluentd's
 *       {@code out_forward} and Fluent Bit's {@code out_forward} read either type. {@code auth} is
 *       an empty {@code bin} when no user is configured, which the spec defines as "user auth not
 *       required" (Fluentd sends a salt whenever {@code <security>} is present).
 *   <li><b>{@code keepalive} is always sent</b> ({@link ForwardSecurity#keepalive()}); Fluent Bit
 *       omits it and clients default it to {@code true}.
 *   <li><b>PING fields may be {@code str} or {@code bin}</b>: Fluentd compares Ruby strings and
 *       accepts both, Fluent Bit's server accepts only {@code str}; we take Fluentd's side since a
 *       digest over raw bytes does not depend on the type. Any other type (nil, int, map...) in any
 *       of the six places is an {@code 'invalid ping message'}. The salt is opaque bytes: Fluentd
 *       sends 32 hex characters, Fluent Bit 16 raw bytes.
 *   <li><b>Username and password are ignored without user auth</b> (Fluent Bit sends its configured
 *       ones anyway), but must still be strings.
 *   <li><b>A client whose hostname equals our self hostname is accepted</b>, as Fluentd's server
 *       does. Fluentd's {@code out_forward} then refuses our PONG ("same hostname between input and
 *       output: invalid configuration"), while Fluent Bit (whose default {@code self_hostname} is
 *       {@code localhost} on both sides) does not check; rejecting here would break the latter for
 *       no gain. {@link Result#clientUsesOurHostname()} lets the server log the misconfiguration.
 *   <li><b>Digests are compared in constant time</b> ({@link MessageDigest#isEqual}) and exactly:
 *       an upper-case hex digest does not match, as in Fluentd. An unknown user costs the same
 *       digest work as a wrong password and gets the same reason.
 *   <li><b>Bytes that are not exactly one msgpack value</b> (truncated, trailing bytes, a reserved
 *       byte, a length beyond the frame) throw {@link MalformedFrameException}: the stream cannot
 *       be trusted and is closed without a PONG, as Fluentd and Fluent Bit do on syntax errors. A
 *       well-formed value of the wrong shape gets a {@code 'invalid ping message'} PONG.
 * </ul>
 */
final class HandshakeSession {

  /** Bytes of random nonce and auth salt, as Fluentd. */
  static final int SALT_LENGTH = 16;

  /** Fluentd's reason for a PING of the wrong shape. */
  static final String INVALID_PING = "invalid ping message";

  /** Fluentd's reason for a wrong shared key digest. */
  static final String SHARED_KEY_MISMATCH = "shared_key mismatch";

  /** Fluentd's reason for an unknown user or a wrong password digest. */
  static final String USER_MISMATCH = "username/password mismatch";

  private static final byte[] PING = {'P', 'I', 'N', 'G'};
  private static final byte[] EMPTY = {};
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int PING_FIELDS = 6;

  /** Where the handshake of this connection stands. */
  enum State {
    /** {@link #helo()} was not called yet. */
    NEW,
    /** The HELO was produced; the next client value must be a PING. */
    AWAITING_PING,
    /** The client authenticated; the connection is in the transport phase. */
    ESTABLISHED,
    /** The client failed; the connection must be closed (after writing the PONG, if any). */
    FAILED
  }

  /**
   * What to do after a PING.
   *
   * @param authenticated {@code true} if the client proved the shared key (and user, if required)
   * @param pong the msgpack PONG to write to the client; owned by the caller
   * @param reason empty on success, else Fluentd's reason as sent in the PONG
   * @param clientHostname the client's hostname from the PING (UTF-8, malformed bytes replaced), or
   *     empty when the PING had the wrong shape; for logs
   * @param clientUsesOurHostname {@code true} if the client's hostname equals our self hostname: a
   *     Fluentd client will refuse the PONG, log it as a misconfiguration
   */
  record Result(
      boolean authenticated,
      byte[] pong,
      String reason,
      String clientHostname,
      boolean clientUsesOurHostname) {

    /**
     * Returns whether the server must close the connection once the PONG is written; the spec says
     * "If auth_result is false, server will disconnect".
     */
    boolean closeAfterWrite() {
      return !authenticated;
    }
  }

  private final ForwardSecurity security;
  private final byte[] nonce;
  private final byte[] authSalt;
  private State state = State.NEW;

  /**
   * Creates the session and draws its nonce (and auth salt when users are configured).
   *
   * @param security the server's settings
   * @param random the source of the nonce and salt; a {@link java.security.SecureRandom} in
   *     production
   */
  HandshakeSession(ForwardSecurity security, RandomGenerator random) {
    this.security = Objects.requireNonNull(security, "security");
    Objects.requireNonNull(random, "random");
    this.nonce = new byte[SALT_LENGTH];
    random.nextBytes(nonce);
    if (security.userAuth()) {
      this.authSalt = new byte[SALT_LENGTH];
      random.nextBytes(authSalt);
    } else {
      this.authSalt = EMPTY;
    }
  }

  /** Returns where the handshake stands. */
  State state() {
    return state;
  }

  /**
   * Returns the HELO to write first on the connection.
   *
   * @throws IllegalStateException if called twice
   */
  byte[] helo() {
    if (state != State.NEW) {
      throw new IllegalStateException("helo() was already called (state " + state + ")");
    }
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(2);
      packer.packString("HELO");
      packer.packMapHeader(3);
      packer.packString("nonce");
      packer.packBinaryHeader(nonce.length);
      packer.writePayload(nonce);
      packer.packString("auth");
      packer.packBinaryHeader(authSalt.length);
      packer.writePayload(authSalt);
      packer.packString("keepalive");
      packer.packBoolean(security.keepalive());
      state = State.AWAITING_PING;
      return packer.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("packing into memory failed", e);
    }
  }

  /**
   * Checks the client's PING and returns the PONG to write.
   *
   * @param frame holds exactly one complete msgpack value at {@code offset}
   * @param offset where the value starts
   * @param length the value's length in bytes
   * @return the PONG and whether to close after writing it
   * @throws MalformedFrameException if the bytes are not exactly one msgpack value; the session is
   *     then {@link State#FAILED} and the connection must be closed without a PONG
   * @throws IllegalStateException if {@link #helo()} was not called or the handshake is over
   */
  Result onPing(byte[] frame, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, frame.length);
    if (state != State.AWAITING_PING) {
      throw new IllegalStateException(
          "onPing() needs state AWAITING_PING, the session is " + state);
    }
    state = State.FAILED;
    byte[][] fields = readPing(frame, offset, length);
    if (fields == null || !Arrays.equals(fields[0], PING)) {
      return failure(INVALID_PING, "", false);
    }
    byte[] hostname = fields[1];
    byte[] salt = fields[2];
    String clientHostname = new String(hostname, StandardCharsets.UTF_8);
    boolean ourHostname = Arrays.equals(hostname, security.selfHostnameBytes());

    byte[] expectedKeyDigest = sha512Hex(salt, hostname, nonce, security.sharedKeyBytes());
    if (!MessageDigest.isEqual(expectedKeyDigest, fields[3])) {
      return failure(SHARED_KEY_MISMATCH, clientHostname, ourHostname);
    }
    if (security.userAuth()) {
      byte[] username = fields[4];
      byte[] password = security.passwordFor(username);
      boolean known = password != null;
      // an unknown user costs the same hashing as a wrong password
      byte[] expected = sha512Hex(authSalt, username, known ? password : EMPTY);
      boolean match = MessageDigest.isEqual(expected, fields[5]);
      if (!(known && match)) {
        return failure(USER_MISMATCH, clientHostname, ourHostname);
      }
    }
    byte[] pongDigest =
        sha512Hex(salt, security.selfHostnameBytes(), nonce, security.sharedKeyBytes());
    state = State.ESTABLISHED;
    return new Result(
        true,
        pong(true, EMPTY, security.selfHostnameBytes(), pongDigest),
        "",
        clientHostname,
        ourHostname);
  }

  /**
   * Reads the six PING fields as raw bytes, or returns {@code null} when the value is well-formed
   * msgpack of the wrong shape (not an array, not six elements, an element that is not str or bin).
   */
  private static byte[][] readPing(byte[] frame, int offset, int length) {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(frame, offset, length)) {
      if (!unpacker.hasNext()) {
        throw new MalformedFrameException("PING frame is empty");
      }
      byte[][] fields = null;
      if (valueType(unpacker) != ValueType.ARRAY) {
        unpacker.skipValue();
      } else {
        int size = unpacker.unpackArrayHeader();
        if (size != PING_FIELDS) {
          unpacker.skipValue(size);
        } else {
          fields = new byte[PING_FIELDS][];
          for (int i = 0; i < PING_FIELDS; i++) {
            fields[i] = readRaw(unpacker, i, length);
            if (fields[i] == null) {
              fields = null;
              unpacker.skipValue(PING_FIELDS - i);
              break;
            }
          }
        }
      }
      if (unpacker.hasNext()) {
        throw new MalformedFrameException(
            "PING frame continues after its msgpack value: "
                + (length - unpacker.getTotalReadBytes())
                + " of "
                + length
                + " bytes left over");
      }
      return fields;
    } catch (MessageInsufficientBufferException e) {
      throw new MalformedFrameException(
          "PING frame is truncated: its msgpack value needs more than " + length + " bytes", e);
    } catch (MessagePackException e) {
      throw new MalformedFrameException("PING frame is not valid msgpack: " + e.getMessage(), e);
    } catch (IOException e) {
      // reading from an array does not fail with I/O errors; keep the contract anyway
      throw new MalformedFrameException("PING frame could not be read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads element {@code index} when it is str or bin, checking its declared length against the
   * bytes left before allocating; returns {@code null} without consuming anything for other types.
   */
  private static byte[] readRaw(MessageUnpacker unpacker, int index, int length)
      throws IOException {
    ValueType type = valueType(unpacker);
    int size;
    if (type == ValueType.STRING) {
      size = unpacker.unpackRawStringHeader();
    } else if (type == ValueType.BINARY) {
      size = unpacker.unpackBinaryHeader();
    } else {
      return null;
    }
    long left = length - unpacker.getTotalReadBytes();
    if (size > left) {
      throw new MalformedFrameException(
          "PING element "
              + index
              + " declares "
              + Integer.toUnsignedLong(size)
              + " bytes but only "
              + left
              + " are left in the frame");
    }
    return unpacker.readPayload(size);
  }

  /** Returns the type of the next value, naming the reserved byte 0xc1 where msgpack does not. */
  private static ValueType valueType(MessageUnpacker unpacker) throws IOException {
    MessageFormat format = unpacker.getNextFormat();
    if (format == MessageFormat.NEVER_USED) {
      throw new MalformedFrameException(
          "PING frame has the reserved msgpack byte 0xc1 at offset "
              + unpacker.getTotalReadBytes());
    }
    return format.getValueType();
  }

  private Result failure(String reason, String clientHostname, boolean ourHostname) {
    byte[] pong = pong(false, reason.getBytes(StandardCharsets.UTF_8), EMPTY, EMPTY);
    return new Result(false, pong, reason, clientHostname, ourHostname);
  }

  private static byte[] pong(boolean ok, byte[] reason, byte[] hostname, byte[] digest) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(5);
      packer.packString("PONG");
      packer.packBoolean(ok);
      packer.packRawStringHeader(reason.length);
      packer.writePayload(reason);
      packer.packRawStringHeader(hostname.length);
      packer.writePayload(hostname);
      packer.packRawStringHeader(digest.length);
      packer.writePayload(digest);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("packing into memory failed", e);
    }
  }

  /**
   * Returns the lower-case hex SHA-512 of the concatenated parts as 128 ASCII bytes.
   *
   * @param parts the byte strings to hash, in order
   */
  static byte[] sha512Hex(byte[]... parts) {
    MessageDigest sha512;
    try {
      sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-512
      throw new IllegalStateException("SHA-512 is not available", e);
    }
    for (byte[] part : parts) {
      sha512.update(part);
    }
    byte[] hash = sha512.digest();
    byte[] hex = new byte[hash.length * 2];
    for (int i = 0; i < hash.length; i++) {
      hex[2 * i] = HEX[(hash[i] >> 4) & 0xf];
      hex[2 * i + 1] = HEX[hash[i] & 0xf];
    }
    return hex;
  }
}
