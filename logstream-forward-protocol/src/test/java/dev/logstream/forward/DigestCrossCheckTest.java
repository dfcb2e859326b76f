package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the handshake digests against an independent SHA-512: coreutils {@code sha512sum}, fed the
 * concatenated bytes on stdin. Without {@code sha512sum} the tests are skipped, unless the
 * environment says {@code CI=true}, where they fail.
 */
class DigestCrossCheckTest {

  /** Why {@code sha512sum} cannot run, or {@code null} once it ran; probed once per class. */
  private static IOException missing;

  @BeforeAll
  static void probeSha512sum() {
    try {
      run(new byte[0]);
    } catch (IOException e) {
      missing = e;
    }
  }

  @BeforeEach
  void requireSha512sum() {
    if (missing == null) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("sha512sum is not installed but CI=true requires the digest cross-check", missing);
    }
    Assumptions.abort(
        "sha512sum is not installed ("
            + missing.getMessage()
            + "); skipping the digest cross-check (CI=true makes this a failure)");
  }

  /** Returns the hex digest {@code sha512sum} prints for {@code input}. */
  private static String run(byte[] input) throws IOException {
    Process process = new ProcessBuilder("sha512sum").redirectErrorStream(true).start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream stdout = process.getInputStream()) {
      stdout.transferTo(out);
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("sha512sum did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for sha512sum", e);
    }
    String text = out.toString(StandardCharsets.US_ASCII);
    if (process.exitValue() != 0) {
      throw new IOException("sha512sum exited with " + process.exitValue() + ": " + text);
    }
    // "<128 hex>  -\n"
    return text.substring(0, text.indexOf(' '));
  }

  private static String sha512sum(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    try {
      return run(all.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> inputs() {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    byte[] large = new byte[1 << 20];
    new SplittableRandom(512).nextBytes(large);
    return Stream.of(
        Arguments.of("empty", new byte[][] {}),
        Arguments.of(
            "PING key digest of the vector",
            new byte[][] {
              utf8(HandshakeVector.SHARED_KEY_SALT),
              utf8(HandshakeVector.CLIENT_HOSTNAME),
              HandshakeVector.NONCE,
              utf8(HandshakeVector.SHARED_KEY)
            }),
        Arguments.of(
            "password digest of the vector",
            new byte[][] {
              HandshakeVector.AUTH_SALT,
              utf8(HandshakeVector.USERNAME),
              utf8(HandshakeVector.PASSWORD)
            }),
        Arguments.of("every byte value", new byte[][] {everyByte, everyByte}),
        Arguments.of("non-ASCII UTF-8", new byte[][] {utf8("jürgen"), utf8("日本語"), utf8("🔑")}),
        Arguments.of("1 MiB of random bytes", new byte[][] {large}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void sha512Hex_fixedInputs_matchesSha512sum(String name, byte[][] parts) {
    String ours = new String(HandshakeSession.sha512Hex(parts), StandardCharsets.US_ASCII);

    assertThat(ours).hasSize(128).isEqualTo(sha512sum(parts));
  }

  @Test
  void handshakeVector_digestConstants_areWhatSha512sumPrints() {
    assertThat(
            sha512sum(
                utf8(HandshakeVector.SHARED_KEY_SALT),
                utf8(HandshakeVector.CLIENT_HOSTNAME),
                HandshakeVector.NONCE,
                utf8(HandshakeVector.SHARED_KEY)))
        .isEqualTo(HandshakeVector.PING_KEY_DIGEST);
    assertThat(
            sha512sum(
                HandshakeVector.AUTH_SALT,
                utf8(HandshakeVector.USERNAME),
                utf8(HandshakeVector.PASSWORD)))
        .isEqualTo(HandshakeVector.PASSWORD_DIGEST);
    assertThat(
            sha512sum(
                utf8(HandshakeVector.SHARED_KEY_SALT),
                utf8(HandshakeVector.SERVER_HOSTNAME),
                HandshakeVector.NONCE,
                utf8(HandshakeVector.SHARED_KEY)))
        .isEqualTo(HandshakeVector.PONG_KEY_DIGEST);
  }
}
