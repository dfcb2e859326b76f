package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.GrowableBytes;
import dev.logstream.forward.TlsPipe.Fragmentation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.SplittableRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsConnectionTest {
  private static final ForwardTls RSA_SERVER = TlsTestFiles.rsaServer();
  private static final ForwardTls CLIENT_AUTH_SERVER = TlsTestFiles.clientAuthServer();
  private static final SSLContext CLIENT = TlsTestFiles.clientContext();
  private static final long SEED = 20261125L;

  private static TlsPipe pipe(
      ForwardTls server, SSLContext client, Fragmentation fragmentation, String... protocols)
      throws SSLException {
    return new TlsPipe(
        new TlsConnection(server.newServerEngine()),
        new InMemoryTlsClient(TlsTestFiles.clientEngine(client, protocols)),
        fragmentation,
        SEED);
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  @ParameterizedTest
  @EnumSource(Fragmentation.class)
  void handshake_fragmented_completesWithTls13(Fragmentation fragmentation) throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, fragmentation);

    pipe.handshake();

    assertThat(pipe.server.isHandshakeComplete()).isTrue();
    assertThat(pipe.server.session().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(pipe.server.isInboundDone()).isFalse();
    assertThat(pipe.server.hasOutbound()).isFalse();
    assertThat(pipe.server.outboundBytes()).isZero();
    assertThat(pipe.serverReceived.length()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Fragmentation.class)
  void applicationData_fewKibBothWaysFragmented_arrivesIntact(Fragmentation fragmentation)
      throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, fragmentation);
    pipe.handshake();
    byte[] up = randomBytes(5_000, 1);
    byte[] down = randomBytes(3_000, 2);

    pipe.client.send(up);
    pipe.server.wrap(ByteBuffer.wrap(down));
    pipe.pumpUntil(
        () ->
            pipe.serverReceived.length() == up.length
                && pipe.client.received.length() == down.length);

    assertThat(pipe.serverReceived.toByteArray()).isEqualTo(up);
    assertThat(pipe.client.received.toByteArray()).isEqualTo(down);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fragmentation.class,
      names = {"WHOLE", "RANDOM"})
  void applicationData_oneMibBothWays_arrivesIntact(Fragmentation fragmentation) throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, fragmentation);
    pipe.handshake();
    byte[] up = randomBytes(1 << 20, 3);
    byte[] down = randomBytes(1 << 20, 4);

    pipe.client.send(up);
    ByteBuffer downBuffer = ByteBuffer.wrap(down);
    pipe.server.wrap(downBuffer);
    pipe.pumpUntil(
        () ->
            pipe.serverReceived.length() == up.length
                && pipe.client.received.length() == down.length);

    assertThat(downBuffer.hasRemaining()).isFalse();
    assertThat(pipe.serverReceived.toByteArray()).isEqualTo(up);
    assertThat(pipe.client.received.toByteArray()).isEqualTo(down);
    assertThat(pipe.server.hasOutbound()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(
      value = Fragmentation.class,
      names = {"ONE_BYTE", "RANDOM"})
  void applicationData_tls12Client_arrivesIntact(Fragmentation fragmentation) throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, fragmentation, "TLSv1.2");
    pipe.handshake();
    byte[] up = randomBytes(4_096, 5);
    byte[] down = "{\"ack\":\"abc\"}".getBytes(StandardCharsets.UTF_8);

    pipe.client.send(up);
    pipe.server.wrap(ByteBuffer.wrap(down));
    pipe.pumpUntil(
        () ->
            pipe.serverReceived.length() == up.length
                && pipe.client.received.length() == down.length);

    assertThat(pipe.server.session().getProtocol()).isEqualTo("TLSv1.2");
    assertThat(pipe.serverReceived.toByteArray()).isEqualTo(up);
    assertThat(pipe.client.received.toByteArray()).isEqualTo(down);
  }

  @Test
  void handshake_ecServerKeyFromSec1_completes() throws Exception {
    ForwardTls ecServer =
        ForwardTls.builder()
            .certificateChain(TlsTestFiles.path("server-ec.pem"))
            .privateKey(TlsTestFiles.path("server-ec-key-sec1.pem"))
            .build();
    TlsPipe pipe = pipe(ecServer, CLIENT, Fragmentation.RANDOM);

    pipe.handshake();
    pipe.client.send(new byte[] {1, 2, 3});
    pipe.pumpUntil(() -> pipe.serverReceived.length() == 3);

    assertThat(pipe.serverReceived.toByteArray()).containsExactly(1, 2, 3);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fragmentation.class,
      names = {"WHOLE", "ONE_BYTE"})
  void close_clientSendsCloseNotify_serverSeesInboundDoneAndAnswers(Fragmentation fragmentation)
      throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, fragmentation);
    pipe.handshake();
    byte[] last = "last frame".getBytes(StandardCharsets.US_ASCII);
    pipe.client.send(last);

    pipe.client.close();
    pipe.pumpUntil(pipe.server::isInboundDone);
    pipe.server.closeOutbound();
    pipe.pumpUntil(pipe.client::closedByServer);

    assertThat(pipe.serverReceived.toByteArray()).isEqualTo(last);
    assertThat(pipe.server.isOutboundDone()).isTrue();
    assertThat(pipe.server.hasOutbound()).isFalse();
  }

  @Test
  void closeOutbound_serverClosesFirst_clientReceivesCloseNotify() throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, Fragmentation.RANDOM);
    pipe.handshake();

    pipe.server.closeOutbound();
    pipe.server.closeOutbound(); // idempotent
    pipe.pumpUntil(pipe.client::closedByServer);
    pipe.client.close();
    pipe.pumpUntil(pipe.server::isInboundDone);

    assertThat(pipe.server.isOutboundDone()).isTrue();
  }

  @Test
  void wrap_afterCloseOutbound_isRefused() throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, Fragmentation.WHOLE);
    pipe.handshake();
    pipe.server.closeOutbound();

    assertThatThrownBy(() -> pipe.server.wrap(ByteBuffer.wrap(new byte[] {1})))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage("cannot send: the TLS connection is closed");
  }

  @Test
  void wrap_beforeTheHandshake_isRefused() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());

    assertThatThrownBy(() -> server.wrap(ByteBuffer.wrap(new byte[] {1})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot send before the TLS handshake is complete");
  }

  @Test
  void writeTo_nothingQueued_writesNothing() throws Exception {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());
    ByteArrayOutputStream written = new ByteArrayOutputStream();

    assertThat(server.writeTo(Channels.newChannel(written))).isZero();
    assertThat(server.hasOutbound()).isFalse();
    assertThat(written.size()).isZero();
  }

  @Test
  void constructor_clientModeEngine_isRejected() {
    assertThatThrownBy(() -> new TlsConnection(TlsTestFiles.clientEngine(CLIENT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("engine must be in server mode");
  }

  @Test
  void clientAuth_clientCertificateSignedByTheCa_isAccepted() throws Exception {
    SSLContext withCertificate = TlsTestFiles.clientContext("client.pem", "client-key.pem");
    TlsPipe pipe = pipe(CLIENT_AUTH_SERVER, withCertificate, Fragmentation.RANDOM);

    pipe.handshake();
    pipe.client.send(new byte[] {42});
    pipe.pumpUntil(() -> pipe.serverReceived.length() == 1);

    X509Certificate peer = (X509Certificate) pipe.server.session().getPeerCertificates()[0];
    assertThat(peer.getSubjectX500Principal().getName()).isEqualTo("CN=logstream test client");
  }

  @Test
  void clientAuth_noClientCertificate_failsWithAReasonAndQueuesAnAlert() throws Exception {
    TlsPipe pipe = pipe(CLIENT_AUTH_SERVER, CLIENT, Fragmentation.RANDOM);

    assertThatThrownBy(pipe::handshake)
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage("TLS handshake failed: Empty client certificate chain")
        .hasCauseInstanceOf(SSLHandshakeException.class);
    assertThat(pipe.server.hasOutbound()).isTrue();
    assertThatThrownBy(pipe::round)
        .isInstanceOf(SSLException.class)
        .hasMessageStartingWith("Received fatal alert: ");
  }

  @Test
  void clientAuth_certificateFromAnotherCa_isNotEvenSentByAJdkClient() throws Exception {
    SSLContext stranger = TlsTestFiles.clientContext("stranger.pem", "stranger-key.pem");
    TlsPipe pipe = pipe(CLIENT_AUTH_SERVER, stranger, Fragmentation.WHOLE);

    assertThatThrownBy(pipe::handshake)
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage("TLS handshake failed: Empty client certificate chain");
  }

  @Test
  void clientAuth_certificateFromAnotherCaSentAnyway_failsWithAReason() throws Exception {
    SSLContext stranger = TlsTestFiles.clientContext("stranger.pem", "stranger-key.pem", true);
    TlsPipe pipe = pipe(CLIENT_AUTH_SERVER, stranger, Fragmentation.WHOLE);

    assertThatThrownBy(pipe::handshake)
        .isInstanceOf(ForwardTlsException.class)
        .hasMessageStartingWith("TLS handshake failed: PKIX path building failed: ")
        .hasCauseInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void handshake_tls12ClientAgainstTls13OnlyServer_failsNamingTheProtocol() throws Exception {
    ForwardTls tls13Only =
        ForwardTls.builder()
            .certificateChain(TlsTestFiles.path("server.pem"))
            .privateKey(TlsTestFiles.path("server-key.pem"))
            .protocols("TLSv1.3")
            .build();
    TlsPipe pipe = pipe(tls13Only, CLIENT, Fragmentation.WHOLE, "TLSv1.2");

    assertThatThrownBy(pipe::handshake)
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage(
            "TLS handshake failed: The client supported protocol versions [TLSv1.2] are not"
                + " accepted by server preferences [TLSv1.3]");
  }

  @Test
  void unwrap_tls11ClientHello_failsNamingTheProtocol() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());

    assertThatThrownBy(() -> server.unwrap(ByteBuffer.wrap(tls11ClientHello()), plain -> {}))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage(
            "TLS handshake failed: Client requested protocol TLSv1.1 is not enabled or supported"
                + " in server context");
    assertThat(server.hasOutbound()).isTrue(); // the protocol_version alert
  }

  @Test
  void unwrap_plainMsgpackFrame_failsSayingTheClientIsNotTls() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());
    // ["app", 1700000000, {"log": "x"}]
    byte[] frame = {
      (byte) 0x93,
      (byte) 0xa3,
      'a',
      'p',
      'p',
      (byte) 0xce,
      0x65,
      0x53,
      (byte) 0xf1,
      0x00,
      (byte) 0x81,
      (byte) 0xa3,
      'l',
      'o',
      'g',
      (byte) 0xa1,
      'x'
    };
    ByteBuffer netIn = ByteBuffer.wrap(frame);

    assertThatThrownBy(() -> server.unwrap(netIn, plain -> {}))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage(
            "not a TLS client: first byte 0x93 is not a TLS handshake record (0x16); is the client"
                + " sending plain forward protocol to a TLS port?");
    assertThat(netIn.hasRemaining()).isFalse();
  }

  @Test
  void unwrap_plainHttp_failsSayingTheClientIsNotTls() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());
    ByteBuffer netIn = ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> server.unwrap(netIn, plain -> {}))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessage(
            "not a TLS client: first byte 0x47 is not a TLS handshake record (0x16); is the client"
                + " sending plain forward protocol to a TLS port?");
  }

  @Test
  void unwrap_handshakeRecordFollowedByGarbage_failsWithAReason() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());
    byte[] garbage = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};

    assertThatThrownBy(() -> server.unwrap(ByteBuffer.wrap(garbage), plain -> {}))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessageStartingWith("TLS handshake failed: ")
        .hasCauseInstanceOf(SSLException.class);
  }

  @Test
  void unwrap_corruptedRecordAfterTheHandshake_failsWithAReason() throws Exception {
    TlsPipe pipe = pipe(RSA_SERVER, CLIENT, Fragmentation.WHOLE);
    pipe.handshake();
    pipe.client.send(new byte[100]);
    ByteBuffer record = pipe.client.nextForServer(Integer.MAX_VALUE);
    record.put(record.limit() - 1, (byte) (record.get(record.limit() - 1) ^ 1));

    assertThatThrownBy(() -> pipe.server.unwrap(record, plain -> {}))
        .isInstanceOf(ForwardTlsException.class)
        .hasMessageStartingWith("TLS connection failed: ")
        .hasCauseInstanceOf(SSLException.class);
  }

  @Test
  void unwrap_emptyInputBeforeAnything_producesNothing() {
    TlsConnection server = new TlsConnection(RSA_SERVER.newServerEngine());

    assertThat(server.unwrap(ByteBuffer.allocate(0), plain -> {})).isZero();
    assertThat(server.hasOutbound()).isFalse();
    assertThat(server.isHandshakeComplete()).isFalse();
  }

  @Test
  void plaintextSinkInto_appendsAndConsumes() {
    GrowableBytes bytes = new GrowableBytes(0);
    TlsConnection.PlaintextSink sink = TlsConnection.PlaintextSink.into(bytes);
    ByteBuffer plaintext = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 9}, 1, 3);

    sink.accept(plaintext);
    sink.accept(ByteBuffer.wrap(new byte[] {4}));

    assertThat(bytes.toByteArray()).containsExactly(1, 2, 3, 4);
    assertThat(plaintext.hasRemaining()).isFalse();
  }

  /**
   * A ClientHello as a TLS 1.1-only client sends it: record version 3.1, client_version 3.2, no
   * supported_versions extension, one TLS 1.1 cipher suite.
   */
  private static byte[] tls11ClientHello() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x03);
    body.write(0x02); // client_version TLS 1.1
    body.writeBytes(randomBytes(32, 6)); // random
    body.write(0); // session_id
    body.writeBytes(new byte[] {0x00, 0x04, 0x00, 0x2f, 0x00, 0x35}); // AES128-SHA, AES256-SHA
    body.writeBytes(new byte[] {0x01, 0x00}); // compression: null
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.writeBytes(new byte[] {0x16, 0x03, 0x01});
    int handshakeLength = hello.length + 4;
    record.write(handshakeLength >>> 8);
    record.write(handshakeLength);
    record.write(0x01); // client_hello
    record.write(0);
    record.write(hello.length >>> 8);
    record.write(hello.length);
    record.writeBytes(hello);
    return record.toByteArray();
  }
}
