package dev.logstream.forward;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * One complete handshake with every input fixed, for tests to check exact bytes. The three digests
 * were computed with coreutils {@code sha512sum} over the concatenated bytes, for example:
 *
 * <pre>
 * N='\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f'
 * A='\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f'
 * S='202122232425262728292a2b2c2d2e2f'
 * printf "${S}client.example${N}s3cr3t" | sha512sum    # PING_KEY_DIGEST
 * printf "${A}bobhunter2" | sha512sum                   # PASSWORD_DIGEST
 * printf "${S}server.example${N}s3cr3t" | sha512sum    # PONG_KEY_DIGEST
 * </pre>
 *
 * <p>{@link DigestCrossCheckTest} repeats the computation with {@code sha512sum} at test time.
 */
final class HandshakeVector {
  private HandshakeVector() {}

  /** The server's nonce: bytes 0x00 to 0x0f. */
  static final byte[] NONCE = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

  /** The server's auth salt: bytes 0x10 to 0x1f. */
  static final byte[] AUTH_SALT = HexFormat.of().parseHex("101112131415161718191a1b1c1d1e1f");

  /** The 16 random bytes behind the client's salt: 0x20 to 0x2f. */
  static final byte[] CLIENT_RANDOM = HexFormat.of().parseHex("202122232425262728292a2b2c2d2e2f");

  /** The client's shared key salt: {@link #CLIENT_RANDOM} as hex, as {@code SecureRandom.hex}. */
  static final String SHARED_KEY_SALT = "202122232425262728292a2b2c2d2e2f";

  static final String CLIENT_HOSTNAME = "client.example";
  static final String SERVER_HOSTNAME = "server.example";
  static final String SHARED_KEY = "s3cr3t";
  static final String USERNAME = "bob";
  static final String PASSWORD = "hunter2";

  /** sha512_hex(SHARED_KEY_SALT + CLIENT_HOSTNAME + NONCE + SHARED_KEY). */
  static final String PING_KEY_DIGEST =
      "464c3335245802fc47abf92724ec5f29663c4a96809ca0e2550978332c8b733e"
          + "37bf90bc2718a6b96ae902744412bfa37ab4d188e00115df0051d505e51291c0";

  /** sha512_hex(AUTH_SALT + USERNAME + PASSWORD). */
  static final String PASSWORD_DIGEST =
      "acb3a3a9fa7bee008c76a7d3aa74451d8c270fd3eadf5a59cc279de8b9a8991f"
          + "4c2fe8e030bccc5cee5495f3820744b1d611c12d50f3bd982fc57729edb1fc73";

  /** sha512_hex(SHARED_KEY_SALT + SERVER_HOSTNAME + NONCE + SHARED_KEY). */
  static final String PONG_KEY_DIGEST =
      "a24ae4d2645e9a7215d2ff23772e4adee1ac139b70bece7cd86afd9d23e4e2df"
          + "95cb734b662279f585e478f9d55fcdd08a470564ef222998488000ec014c74a5";

  /**
   * The HELO with users and keep-alive: {@code 92 a4 "HELO" 83 a5 "nonce" c4 10 <NONCE> a4 "auth"
   * c4 10 <AUTH_SALT> a9 "keepalive" c3}.
   */
  static final String HELO_HEX =
      "92a448454c4f83a56e6f6e6365c410000102030405060708090a0b0c0d0e0f"
          + "a461757468c410101112131415161718191a1b1c1d1e1fa96b656570616c697665c3";

  /** The PONG: {@code 95 a4 "PONG" c3 a0 ae "server.example" d9 80 <PONG_KEY_DIGEST>}. */
  static final String PONG_HEX =
      "95a4504f4e47c3a0ae7365727665722e6578616d706c65d980"
          + HexFormat.of().formatHex(PONG_KEY_DIGEST.getBytes(StandardCharsets.US_ASCII));

  /** The vector's server settings. */
  static ForwardSecurity security() {
    return ForwardSecurity.builder()
        .sharedKey(SHARED_KEY)
        .selfHostname(SERVER_HOSTNAME)
        .user(USERNAME, PASSWORD)
        .build();
  }
}
