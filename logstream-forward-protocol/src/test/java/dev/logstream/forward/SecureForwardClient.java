package dev.logstream.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * The client side of the handshake, written from the spec and Fluentd's {@code out_forward} ({@code
 * handshake_protocol.rb}) independently of {@link HandshakeSession}: it reads a HELO, builds the
 * PING and checks the PONG the way {@code out_forward} does, with the same error texts.
 *
 * <p>Its shared key salt is {@code SecureRandom.hex(16)} as in {@code out_forward}: 16 random bytes
 * written as 32 lower-case hex characters, drawn once per client from the given random source.
 */
final class SecureForwardClient {

  /** What a HELO offered; {@code nonce} and {@code auth} are empty when missing, as Fluentd. */
  record Helo(byte[] nonce, byte[] auth, boolean keepalive) {}

  private final String hostname;
  private final String sharedKey;
  private final String username;
  private final String password;
  private final String sharedKeySalt;

  SecureForwardClient(
      String hostname, String sharedKey, String username, String password, RandomGenerator random) {
    this.hostname = hostname;
    this.sharedKey = sharedKey;
    this.username = username;
    this.password = password;
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    this.sharedKeySalt = HexFormat.of().formatHex(salt);
  }

  /** A client without user credentials. */
  SecureForwardClient(String hostname, String sharedKey, RandomGenerator random) {
    this(hostname, sharedKey, "", "", random);
  }

  String sharedKeySalt() {
    return sharedKeySalt;
  }

  /** Reads {@code ["HELO", {options}]}; throws {@link IllegalArgumentException} otherwise. */
  static Helo readHelo(byte[] bytes) {
    Value value = unpack(bytes);
    if (!value.isArrayValue()
        || value.asArrayValue().size() != 2
        || !"HELO".equals(text(value.asArrayValue().get(0)))) {
      throw new IllegalArgumentException("received invalid helo message");
    }
    Value options = value.asArrayValue().get(1);
    MapValue map = options.isNilValue() ? null : options.asMapValue();
    byte[] nonce = map == null ? new byte[0] : raw(map, "nonce");
    byte[] auth = map == null ? new byte[0] : raw(map, "auth");
    Value keepalive = map == null ? null : map.map().get(ValueFactory.newString("keepalive"));
    return new Helo(nonce, auth, keepalive == null || keepalive.asBooleanValue().getBoolean());
  }

  /**
   * Builds {@code ["PING", hostname, salt, sha512_hex(salt + hostname + nonce + key), username,
   * sha512_hex(auth + username + password)]}, sending empty user fields when {@code auth} is empty.
   */
  byte[] ping(Helo helo) {
    String keyDigest =
        sha512Hex(bytes(sharedKeySalt), bytes(hostname), helo.nonce(), bytes(sharedKey));
    String user = "";
    String passwordDigest = "";
    if (helo.auth().length > 0) {
      user = username;
      passwordDigest = sha512Hex(helo.auth(), bytes(username), bytes(password));
    }
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      packer.packArrayHeader(6);
      packer.packString("PING");
      packer.packString(hostname);
      packer.packString(sharedKeySalt);
      packer.packString(keyDigest);
      packer.packString(user);
      packer.packString(passwordDigest);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks a PONG as {@code out_forward}'s {@code check_pong} does.
   *
   * @return empty when the server is authenticated, else {@code out_forward}'s error text
   */
  Optional<String> checkPong(Helo helo, byte[] bytes) {
    Value value = unpack(bytes);
    if (!value.isArrayValue()
        || value.asArrayValue().size() != 5
        || !"PONG".equals(text(value.asArrayValue().get(0)))) {
      return Optional.of("invalid format for PONG message");
    }
    ArrayValue pong = value.asArrayValue();
    if (!pong.get(1).asBooleanValue().getBoolean()) {
      return Optional.of("authentication failed: " + text(pong.get(2)));
    }
    String serverHostname = text(pong.get(3));
    if (hostname.equals(serverHostname)) {
      return Optional.of("same hostname between input and output: invalid configuration");
    }
    String expected =
        sha512Hex(bytes(sharedKeySalt), bytes(serverHostname), helo.nonce(), bytes(sharedKey));
    if (!expected.equals(text(pong.get(4)))) {
      return Optional.of("shared key mismatch");
    }
    return Optional.empty();
  }

  /** Lower-case hex SHA-512 of the concatenated parts, via {@link HexFormat}. */
  static String sha512Hex(byte[]... parts) {
    try {
      MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
      for (byte[] part : parts) {
        sha512.update(part);
      }
      return HexFormat.of().formatHex(sha512.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Value unpack(byte[] bytes) {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
      return unpacker.unpackValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A str or bin as text, the way Ruby compares either with a string literal. */
  private static String text(Value value) {
    if (value.isStringValue()) {
      return value.asStringValue().asString();
    }
    if (value.isBinaryValue()) {
      return new String(value.asBinaryValue().asByteArray(), StandardCharsets.UTF_8);
    }
    return null;
  }

  private static byte[] raw(MapValue map, String key) {
    Value value = map.map().get(ValueFactory.newString(key));
    if (value == null || value.isNilValue()) {
      return new byte[0];
    }
    return value.isBinaryValue()
        ? value.asBinaryValue().asByteArray()
        : value.asStringValue().asByteArray();
  }
}
