package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.forward.HandshakeSession.Result;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class HandshakeProperties {

  @Property(tries = 300)
  void roundTrip_anySettingsAndMatchingClient_authenticatesBothWays(
      @ForAll @StringLength(min = 1, max = 40) String sharedKey,
      @ForAll @StringLength(min = 1, max = 40) String selfHostname,
      @ForAll @StringLength(max = 40) String clientHostname,
      @ForAll @StringLength(min = 1, max = 20) String username,
      @ForAll @StringLength(min = 1, max = 20) String password,
      @ForAll boolean withUser,
      @ForAll long seed) {
    Assume.that(!clientHostname.equals(selfHostname));
    ForwardSecurity.Builder builder =
        ForwardSecurity.builder().sharedKey(sharedKey).selfHostname(selfHostname);
    if (withUser) {
      builder.user(username, password);
    }
    SplittableRandom random = new SplittableRandom(seed);
    HandshakeSession session = new HandshakeSession(builder.build(), random);
    SecureForwardClient.Helo helo = SecureForwardClient.readHelo(session.helo());
    SecureForwardClient client =
        new SecureForwardClient(clientHostname, sharedKey, username, password, random);

    byte[] ping = client.ping(helo);
    Result result = session.onPing(ping, 0, ping.length);

    assertThat(result.authenticated()).isTrue();
    assertThat(client.checkPong(helo, result.pong())).isEmpty();
  }

  @Property(tries = 300)
  void roundTrip_differentSharedKey_isAMismatch(
      @ForAll @StringLength(min = 1, max = 40) String sharedKey,
      @ForAll @StringLength(min = 1, max = 40) String clientKey,
      @ForAll long seed) {
    Assume.that(
        !Arrays.equals(
            sharedKey.getBytes(StandardCharsets.UTF_8),
            clientKey.getBytes(StandardCharsets.UTF_8)));
    SplittableRandom random = new SplittableRandom(seed);
    HandshakeSession session =
        new HandshakeSession(
            ForwardSecurity.builder().sharedKey(sharedKey).selfHostname("server").build(), random);
    SecureForwardClient.Helo helo = SecureForwardClient.readHelo(session.helo());
    byte[] ping = new SecureForwardClient("client", clientKey, random).ping(helo);

    Result result = session.onPing(ping, 0, ping.length);

    assertThat(result.reason()).isEqualTo(HandshakeSession.SHARED_KEY_MISMATCH);
  }

  @Property(tries = 200)
  void sha512Hex_anyParts_matchesHexFormatOfMessageDigest(
      @ForAll @Size(max = 5) List<@Size(max = 300) byte[]> parts) {
    byte[][] array = parts.toArray(byte[][]::new);

    assertThat(new String(HandshakeSession.sha512Hex(array), StandardCharsets.US_ASCII))
        .isEqualTo(SecureForwardClient.sha512Hex(array));
  }
}
