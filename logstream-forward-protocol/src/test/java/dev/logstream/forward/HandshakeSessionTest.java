package dev.logstream.forward;

import static dev.logstream.forward.HandshakeSession.INVALID_PING;
import static dev.logstream.forward.HandshakeSession.SHARED_KEY_MISMATCH;
import static dev.logstream.forward.HandshakeSession.USER_MISMATCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.forward.HandshakeSession.Result;
import dev.logstream.forward.HandshakeSession.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

class HandshakeSessionTest {

  private static final HexFormat HEX = HexFormat.of();

  private static ForwardSecurity noUsers() {
    return ForwardSecurity.builder().sharedKey("s3cr3t").selfHostname("server.example").build();
  }

  private static ForwardSecurity withUsers() {
    return ForwardSecurity.builder()
        .sharedKey("s3cr3t")
        .selfHostname("server.example")
        .user("bob", "hunter2")
        .user("alice", "correct horse")
        .build();
  }

  private static byte[] packed(Consumer<MessagePacker> body) {
    try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
      body.accept(packer);
      return packer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] packValue(Value value) {
    return packed(
        packer -> {
          try {
            packer.packValue(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static Value unpack(byte[] bytes) {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
      return unpacker.unpackValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Value str(String text) {
    return ValueFactory.newString(text);
  }

  private static Value bin(String text) {
    return ValueFactory.newBinary(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] failurePong(String reason) {
    return packValue(
        ValueFactory.newArray(
            str("PONG"), ValueFactory.newBoolean(false), str(reason), str(""), str("")));
  }

  /** A session that has sent its HELO, plus that HELO as the client read it. */
  private record Started(HandshakeSession session, SecureForwardClient.Helo helo) {}

  private static Started start(ForwardSecurity security, RandomGenerator random) {
    HandshakeSession session = new HandshakeSession(security, random);
    return new Started(session, SecureForwardClient.readHelo(session.helo()));
  }

  private static Result send(HandshakeSession session, byte[] ping) {
    return session.onPing(ping, 0, ping.length);
  }

  // ---- HELO

  @Test
  void helo_documentedVector_isTheExpectedBytes() {
    HandshakeSession session =
        new HandshakeSession(
            HandshakeVector.security(),
            new FixedRandom(HandshakeVector.NONCE, HandshakeVector.AUTH_SALT));

    assertThat(HEX.formatHex(session.helo())).isEqualTo(HandshakeVector.HELO_HEX);
    assertThat(session.state()).isEqualTo(State.AWAITING_PING);
  }

  @Test
  void helo_withUsers_sendsSixteenByteBinNonceAndAuth() throws IOException {
    byte[] helo = new HandshakeSession(withUsers(), new SplittableRandom(1)).helo();

    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(helo)) {
      assertThat(unpacker.unpackArrayHeader()).isEqualTo(2);
      assertThat(unpacker.unpackString()).isEqualTo("HELO");
      assertThat(unpacker.unpackMapHeader()).isEqualTo(3);
      assertThat(unpacker.unpackString()).isEqualTo("nonce");
      assertThat(unpacker.getNextFormat()).isEqualTo(MessageFormat.BIN8);
      assertThat(unpacker.unpackBinaryHeader()).isEqualTo(16);
      byte[] nonce = unpacker.readPayload(16);
      assertThat(unpacker.unpackString()).isEqualTo("auth");
      assertThat(unpacker.getNextFormat()).isEqualTo(MessageFormat.BIN8);
      assertThat(unpacker.unpackBinaryHeader()).isEqualTo(16);
      byte[] auth = unpacker.readPayload(16);
      assertThat(unpacker.unpackString()).isEqualTo("keepalive");
      assertThat(unpacker.unpackBoolean()).isTrue();
      assertThat(unpacker.hasNext()).isFalse();
      assertThat(nonce).isNotEqualTo(auth);
    }
  }

  @Test
  void helo_noUsers_sendsAnEmptyAuthThatTheClientAnswersWithEmptyUserFields() {
    Started started = start(noUsers(), new SplittableRandom(2));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "s3cr3t", "bob", "hunter2", new SplittableRandom(3));

    byte[] ping = client.ping(started.helo());

    assertThat(started.helo().auth()).isEmpty();
    assertThat(started.helo().nonce()).hasSize(16);
    List<Value> fields = unpack(ping).asArrayValue().list();
    assertThat(fields.get(4)).isEqualTo(str(""));
    assertThat(fields.get(5)).isEqualTo(str(""));
    Result result = send(started.session(), ping);
    assertThat(result.authenticated()).isTrue();
    assertThat(client.checkPong(started.helo(), result.pong())).isEmpty();
  }

  @Test
  void helo_keepaliveDenied_saysFalse() {
    ForwardSecurity security =
        ForwardSecurity.builder()
            .sharedKey("s3cr3t")
            .selfHostname("server.example")
            .keepalive(false)
            .build();

    assertThat(start(security, new SplittableRandom(4)).helo().keepalive()).isFalse();
  }

  @Test
  void helo_noUsers_drawsOnlyTheNonce() {
    // FixedRandom fails on a second nextBytes call, so the auth salt must not be drawn
    HandshakeSession session =
        new HandshakeSession(noUsers(), new FixedRandom(HandshakeVector.NONCE));

    assertThat(SecureForwardClient.readHelo(session.helo()).nonce())
        .isEqualTo(HandshakeVector.NONCE);
  }

  @Test
  void helo_calledTwice_isRejected() {
    HandshakeSession session = new HandshakeSession(noUsers(), new SplittableRandom(5));
    session.helo();

    assertThatThrownBy(session::helo)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("helo() was already called (state AWAITING_PING)");
  }

  // ---- state

  @Test
  void onPing_beforeHelo_isRejected() {
    HandshakeSession session = new HandshakeSession(noUsers(), new SplittableRandom(6));

    assertThatThrownBy(() -> session.onPing(new byte[] {(byte) 0x90}, 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("onPing() needs state AWAITING_PING, the session is NEW");
  }

  @Test
  void onPing_afterTheHandshake_isRejected() {
    Started started = start(noUsers(), new SplittableRandom(7));
    byte[] ping =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(8))
            .ping(started.helo());
    send(started.session(), ping);

    assertThatThrownBy(() -> send(started.session(), ping))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("onPing() needs state AWAITING_PING, the session is ESTABLISHED");
  }

  @Test
  void onPing_rangeOutsideTheArray_isRejected() {
    Started started = start(noUsers(), new SplittableRandom(9));

    assertThatThrownBy(() -> started.session().onPing(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(started.session().state()).isEqualTo(State.AWAITING_PING);
  }

  // ---- the documented vector

  @Test
  void onPing_documentedVector_answersTheExpectedPong() {
    HandshakeSession session =
        new HandshakeSession(
            HandshakeVector.security(),
            new FixedRandom(HandshakeVector.NONCE, HandshakeVector.AUTH_SALT));
    session.helo();
    byte[] ping =
        packValue(
            ValueFactory.newArray(
                str("PING"),
                str(HandshakeVector.CLIENT_HOSTNAME),
                str(HandshakeVector.SHARED_KEY_SALT),
                str(HandshakeVector.PING_KEY_DIGEST),
                str(HandshakeVector.USERNAME),
                str(HandshakeVector.PASSWORD_DIGEST)));

    Result result = send(session, ping);

    assertThat(result.authenticated()).isTrue();
    assertThat(result.closeAfterWrite()).isFalse();
    assertThat(result.reason()).isEmpty();
    assertThat(result.clientHostname()).isEqualTo("client.example");
    assertThat(result.clientUsesOurHostname()).isFalse();
    assertThat(HEX.formatHex(result.pong())).isEqualTo(HandshakeVector.PONG_HEX);
    assertThat(session.state()).isEqualTo(State.ESTABLISHED);
  }

  @Test
  void specClient_documentedVector_buildsTheSamePing() {
    SecureForwardClient client =
        new SecureForwardClient(
            HandshakeVector.CLIENT_HOSTNAME,
            HandshakeVector.SHARED_KEY,
            HandshakeVector.USERNAME,
            HandshakeVector.PASSWORD,
            new FixedRandom(HandshakeVector.CLIENT_RANDOM));
    SecureForwardClient.Helo helo =
        SecureForwardClient.readHelo(HEX.parseHex(HandshakeVector.HELO_HEX));

    List<Value> ping = unpack(client.ping(helo)).asArrayValue().list();

    assertThat(ping)
        .containsExactly(
            str("PING"),
            str(HandshakeVector.CLIENT_HOSTNAME),
            str(HandshakeVector.SHARED_KEY_SALT),
            str(HandshakeVector.PING_KEY_DIGEST),
            str(HandshakeVector.USERNAME),
            str(HandshakeVector.PASSWORD_DIGEST));
    assertThat(client.checkPong(helo, HEX.parseHex(HandshakeVector.PONG_HEX))).isEmpty();
  }

  // ---- round trips with the spec client

  @Test
  void roundTrip_rightKeyNoUsers_clientAcceptsTheServer() {
    Started started = start(noUsers(), new SplittableRandom(10));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(11));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.authenticated()).isTrue();
    assertThat(result.closeAfterWrite()).isFalse();
    assertThat(client.checkPong(started.helo(), result.pong())).isEmpty();
    List<Value> pong = unpack(result.pong()).asArrayValue().list();
    assertThat(pong.subList(0, 4))
        .containsExactly(
            str("PONG"), ValueFactory.newBoolean(true), str(""), str("server.example"));
    assertThat(pong.get(4).asStringValue().asString())
        .isEqualTo(
            SecureForwardClient.sha512Hex(
                client.sharedKeySalt().getBytes(StandardCharsets.UTF_8),
                "server.example".getBytes(StandardCharsets.UTF_8),
                started.helo().nonce(),
                "s3cr3t".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void roundTrip_wrongKey_failsWithSharedKeyMismatchAndCloses() {
    Started started = start(noUsers(), new SplittableRandom(12));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "wrong", new SplittableRandom(13));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.authenticated()).isFalse();
    assertThat(result.closeAfterWrite()).isTrue();
    assertThat(result.reason()).isEqualTo("shared_key mismatch");
    assertThat(result.clientHostname()).isEqualTo("client.example");
    assertThat(result.pong()).isEqualTo(failurePong("shared_key mismatch"));
    assertThat(started.session().state()).isEqualTo(State.FAILED);
    assertThat(client.checkPong(started.helo(), result.pong()))
        .contains("authentication failed: shared_key mismatch");
  }

  @Test
  void roundTrip_rightUserAndPassword_isAccepted() {
    Started started = start(withUsers(), new SplittableRandom(14));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "s3cr3t", "alice", "correct horse", new SplittableRandom(15));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.authenticated()).isTrue();
    assertThat(client.checkPong(started.helo(), result.pong())).isEmpty();
  }

  @Test
  void roundTrip_wrongPassword_failsWithUserMismatch() {
    Started started = start(withUsers(), new SplittableRandom(16));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "s3cr3t", "bob", "hunter3", new SplittableRandom(17));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.reason()).isEqualTo("username/password mismatch");
    assertThat(result.closeAfterWrite()).isTrue();
    assertThat(result.pong()).isEqualTo(failurePong(USER_MISMATCH));
    assertThat(client.checkPong(started.helo(), result.pong()))
        .contains("authentication failed: username/password mismatch");
  }

  @Test
  void roundTrip_unknownUser_failsWithTheSameReason() {
    Started started = start(withUsers(), new SplittableRandom(18));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "s3cr3t", "mallory", "hunter2", new SplittableRandom(19));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.authenticated()).isFalse();
    assertThat(result.pong()).isEqualTo(failurePong(USER_MISMATCH));
  }

  @Test
  void roundTrip_usersConfiguredButClientHasNone_failsWithUserMismatch() {
    Started started = start(withUsers(), new SplittableRandom(20));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(21));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.pong()).isEqualTo(failurePong(USER_MISMATCH));
  }

  @Test
  void roundTrip_usersAndWrongKey_reportsTheKeyFirst() {
    Started started = start(withUsers(), new SplittableRandom(22));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "wrong", "bob", "wrong", new SplittableRandom(23));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.reason()).isEqualTo(SHARED_KEY_MISMATCH);
  }

  @Test
  void onPing_noUsersAndClientSendsCredentials_ignoresThem() {
    // Fluent Bit sends its configured username and a digest even when auth is empty
    Started started = start(noUsers(), new SplittableRandom(24));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(25));
    Value[] fields =
        unpack(client.ping(started.helo())).asArrayValue().list().toArray(Value[]::new);
    fields[4] = str("fluent-bit");
    fields[5] = str("0".repeat(128));

    Result result = send(started.session(), packValue(ValueFactory.newArray(fields)));

    assertThat(result.authenticated()).isTrue();
  }

  @Test
  void onPing_clientHostnameIsOurs_isAcceptedButFlaggedAndFluentdRefusesThePong() {
    Started started = start(noUsers(), new SplittableRandom(26));
    SecureForwardClient client =
        new SecureForwardClient("server.example", "s3cr3t", new SplittableRandom(27));

    Result result = send(started.session(), client.ping(started.helo()));

    assertThat(result.authenticated()).isTrue();
    assertThat(result.clientUsesOurHostname()).isTrue();
    assertThat(client.checkPong(started.helo(), result.pong()))
        .contains("same hostname between input and output: invalid configuration");
  }

  // ---- field types and digests

  @Test
  void onPing_everyFieldAsBin_isAccepted() {
    Started started = start(withUsers(), new SplittableRandom(28));
    SecureForwardClient client =
        new SecureForwardClient(
            "client.example", "s3cr3t", "bob", "hunter2", new SplittableRandom(29));
    List<Value> fields = unpack(client.ping(started.helo())).asArrayValue().list();
    Value[] asBin =
        fields.stream().map(v -> bin(v.asStringValue().asString())).toArray(Value[]::new);

    Result result = send(started.session(), packValue(ValueFactory.newArray(asBin)));

    assertThat(result.authenticated()).isTrue();
    assertThat(client.checkPong(started.helo(), result.pong())).isEmpty();
  }

  @Test
  void onPing_rawBinarySaltAsFluentBitSends_isAccepted() {
    Started started = start(noUsers(), new SplittableRandom(30));
    byte[] salt = {(byte) 0xff, 0, (byte) 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    byte[] hostname = "client.example".getBytes(StandardCharsets.UTF_8);
    String digest =
        SecureForwardClient.sha512Hex(
            salt, hostname, started.helo().nonce(), "s3cr3t".getBytes(StandardCharsets.UTF_8));
    byte[] ping =
        packed(
            packer -> {
              try {
                packer.packArrayHeader(6).packString("PING").packString("client.example");
                packer.packRawStringHeader(salt.length).writePayload(salt);
                packer.packString(digest).packString("").packString("");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });

    Result result = send(started.session(), ping);

    assertThat(result.authenticated()).isTrue();
    List<Value> pong = unpack(result.pong()).asArrayValue().list();
    assertThat(pong.get(4).asStringValue().asString())
        .isEqualTo(
            SecureForwardClient.sha512Hex(
                salt,
                "server.example".getBytes(StandardCharsets.UTF_8),
                started.helo().nonce(),
                "s3cr3t".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void onPing_upperCaseHexDigest_isAMismatch() {
    Started started = start(noUsers(), new SplittableRandom(31));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(32));
    Value[] fields =
        unpack(client.ping(started.helo())).asArrayValue().list().toArray(Value[]::new);
    fields[3] = str(fields[3].asStringValue().asString().toUpperCase(Locale.ROOT));

    Result result = send(started.session(), packValue(ValueFactory.newArray(fields)));

    assertThat(result.reason()).isEqualTo(SHARED_KEY_MISMATCH);
  }

  @Test
  void onPing_pingInsideALargerBuffer_readsOnlyItsRange() {
    Started started = start(noUsers(), new SplittableRandom(33));
    SecureForwardClient client =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(34));
    byte[] ping = client.ping(started.helo());
    byte[] buffer = new byte[ping.length + 10];
    Arrays.fill(buffer, (byte) 0xc1);
    System.arraycopy(ping, 0, buffer, 7, ping.length);

    Result result = started.session().onPing(buffer, 7, ping.length);

    assertThat(result.authenticated()).isTrue();
  }

  // ---- wrong shapes: a PONG false, then close

  static Stream<Arguments> wrongShapes() {
    Value[] good = {
      str("PING"), str("client.example"), str("salt"), str("digest"), str(""), str("")
    };
    return Stream.of(
        Arguments.of("five elements", ValueFactory.newArray(Arrays.copyOf(good, 5))),
        Arguments.of(
            "seven elements",
            ValueFactory.newArray(
                Stream.concat(Arrays.stream(good), Stream.of(str(""))).toArray(Value[]::new))),
        Arguments.of("empty array", ValueFactory.emptyArray()),
        Arguments.of("first element PONG", ValueFactory.newArray(replace(good, 0, str("PONG")))),
        Arguments.of("first element ping", ValueFactory.newArray(replace(good, 0, str("ping")))),
        Arguments.of(
            "first element an int",
            ValueFactory.newArray(replace(good, 0, ValueFactory.newInteger(1)))),
        Arguments.of(
            "hostname nil", ValueFactory.newArray(replace(good, 1, ValueFactory.newNil()))),
        Arguments.of(
            "salt an int", ValueFactory.newArray(replace(good, 2, ValueFactory.newInteger(16)))),
        Arguments.of(
            "digest a map", ValueFactory.newArray(replace(good, 3, ValueFactory.emptyMap()))),
        Arguments.of(
            "username a boolean",
            ValueFactory.newArray(replace(good, 4, ValueFactory.newBoolean(true)))),
        Arguments.of(
            "password an array",
            ValueFactory.newArray(replace(good, 5, ValueFactory.emptyArray()))),
        Arguments.of("a map", ValueFactory.newMap(str("PING"), str("client.example"))),
        Arguments.of("a string", str("PING")),
        Arguments.of("nil", ValueFactory.newNil()));
  }

  private static Value[] replace(Value[] fields, int index, Value value) {
    Value[] copy = fields.clone();
    copy[index] = value;
    return copy;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongShapes")
  void onPing_wrongShape_failsWithInvalidPingMessageAndCloses(String name, Value ping) {
    Started started = start(withUsers(), new SplittableRandom(35));

    Result result = send(started.session(), packValue(ping));

    assertThat(result.authenticated()).isFalse();
    assertThat(result.closeAfterWrite()).isTrue();
    assertThat(result.reason()).isEqualTo("invalid ping message");
    assertThat(result.clientHostname()).isEmpty();
    assertThat(result.pong()).isEqualTo(failurePong(INVALID_PING));
    assertThat(started.session().state()).isEqualTo(State.FAILED);
  }

  // ---- not msgpack: throw, no PONG

  @Test
  void onPing_emptyRange_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(36));

    assertThatThrownBy(() -> started.session().onPing(new byte[3], 1, 0))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING frame is empty");
    assertThat(started.session().state()).isEqualTo(State.FAILED);
  }

  @Test
  void onPing_truncatedPing_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(37));
    byte[] ping =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(38))
            .ping(started.helo());

    assertThatThrownBy(() -> started.session().onPing(ping, 0, 100))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING element 3 declares 128 bytes but only 43 are left in the frame");
    assertThat(started.session().state()).isEqualTo(State.FAILED);
  }

  @Test
  void onPing_arrayHeaderOnly_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(39));

    assertThatThrownBy(() -> started.session().onPing(new byte[] {(byte) 0x96}, 0, 1))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING frame is truncated: its msgpack value needs more than 1 bytes");
  }

  @Test
  void onPing_bytesAfterThePing_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(40));
    byte[] ping =
        new SecureForwardClient("client.example", "s3cr3t", new SplittableRandom(41))
            .ping(started.helo());
    byte[] longer = Arrays.copyOf(ping, ping.length + 2);

    assertThatThrownBy(() -> started.session().onPing(longer, 0, longer.length))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "PING frame continues after its msgpack value: 2 of "
                + longer.length
                + " bytes left over");
  }

  @Test
  void onPing_hugeDeclaredStringLength_isMalformedBeforeAllocating() {
    Started started = start(noUsers(), new SplittableRandom(42));
    // array of 6, then str32 with length 0x7fffffff and no payload
    byte[] ping = {(byte) 0x96, (byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    assertThatThrownBy(() -> started.session().onPing(ping, 0, ping.length))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING element 0 declares 2147483647 bytes but only 0 are left in the frame");
  }

  @Test
  void onPing_reservedByte_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(43));

    assertThatThrownBy(() -> started.session().onPing(new byte[] {(byte) 0xc1}, 0, 1))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING frame has the reserved msgpack byte 0xc1 at offset 0");
  }

  @Test
  void onPing_reservedByteAsAField_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(44));
    byte[] ping = {(byte) 0x96, (byte) 0xa4, 'P', 'I', 'N', 'G', (byte) 0xc1};

    assertThatThrownBy(() -> started.session().onPing(ping, 0, ping.length))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING frame has the reserved msgpack byte 0xc1 at offset 6");
  }

  @Test
  void onPing_reservedByteInsideASkippedValue_isMalformed() {
    Started started = start(noUsers(), new SplittableRandom(45));
    // a five-element array is skipped to reach its end; the skip meets 0xc1
    byte[] ping = {(byte) 0x95, (byte) 0xa4, 'P', 'I', 'N', 'G', (byte) 0xc1};

    assertThatThrownBy(() -> started.session().onPing(ping, 0, ping.length))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("PING frame is not valid msgpack: Encountered 0xC1 \"NEVER_USED\" byte");
  }
}
