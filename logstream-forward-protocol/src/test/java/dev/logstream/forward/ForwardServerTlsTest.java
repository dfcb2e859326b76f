package dev.logstream.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/** The server over TLS: frames and acks through a JSSE client, plain clients refused. */
class ForwardServerTlsTest {
  private ForwardServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Path tls(String name) throws Exception {
    return Path.of(ForwardServerTlsTest.class.getResource("/tls/" + name).toURI());
  }

  private static ForwardTls serverTls() throws Exception {
    return ForwardTls.builder()
        .certificateChain(tls("server-chain.pem"))
        .privateKey(tls("server-key.pem"))
        .build();
  }

  private ForwardServer start(ForwardServer.Builder builder) {
    server = builder.build().start();
    return server;
  }

  private static ForwardServer.Builder tlsServer() throws Exception {
    return ForwardServer.builder()
        .listen("tls://127.0.0.1:0")
        .tls(serverTls())
        .handler((frame, c) -> Admission.accepted(CompletableFuture.completedFuture(null)));
  }

  private static SSLSocket clientSocket(int port) throws Exception {
    X509Certificate ca;
    try (InputStream in = Files.newInputStream(tls("ca.pem"))) {
      ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String ackOf(Value value) {
    return value.asMapValue().map().values().iterator().next().asStringValue().asString();
  }

  @Test
  void tlsClient_sendsFrames_getsEachAck() throws Exception {
    ForwardServer server = start(tlsServer());
    try (SSLSocket socket = clientSocket(server.addresses().get(0).port());
        MessageUnpacker acks = MessagePack.newDefaultUnpacker(socket.getInputStream())) {
      for (int i = 0; i < 20; i++) {
        socket.getOutputStream().write(Frames.dockerMessage(i, "tls-" + i));
      }
      socket.getOutputStream().flush();

      for (int i = 0; i < 20; i++) {
        assertThat(ackOf(acks.unpackValue())).isEqualTo("tls-" + i);
      }
    }
    assertThat(server.stats().events()).isEqualTo(20);
    assertThat(server.addresses().get(0).transport()).isEqualTo(ListenAddress.Transport.TLS);
  }

  @Test
  void plainClientOnTheTlsPort_isClosedAsATlsError() throws Exception {
    ForwardServer server = start(tlsServer());
    try (Socket plain = new Socket("127.0.0.1", server.addresses().get(0).port())) {
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write(Frames.dockerMessage(0, "plain"));

      InputStream in = plain.getInputStream();
      while (in.read() != -1) {
        // the server may send a TLS alert before closing
      }
    }
    await().until(() -> server.stats().closes(CloseReason.TLS_ERROR) == 1);
    assertThat(server.stats().events()).isZero();
  }

  @Test
  void tlsThenSecureForwardHandshake_bothMustSucceedBeforeFrames() throws Exception {
    ForwardSecurity security =
        ForwardSecurity.builder().sharedKey("k").selfHostname("server").build();
    ForwardServer server = start(tlsServer().security(security));
    try (SSLSocket socket = clientSocket(server.addresses().get(0).port());
        MessageUnpacker in = MessagePack.newDefaultUnpacker(socket.getInputStream())) {
      socket.startHandshake();
      SecureForwardClient spec = new SecureForwardClient("client", "k", new Random(3));
      SecureForwardClient.Helo helo = SecureForwardClient.readHelo(pack(in.unpackValue()));
      socket.getOutputStream().write(spec.ping(helo));
      assertThat(spec.checkPong(helo, pack(in.unpackValue()))).isEmpty();

      socket.getOutputStream().write(Frames.dockerMessage(0, "both"));

      assertThat(ackOf(in.unpackValue())).isEqualTo("both");
    }
  }

  @Test
  void tlsAddressWithoutCertificate_isRejectedAtBuild() {
    ForwardServer.Builder builder =
        ForwardServer.builder()
            .listen("tls://127.0.0.1:0")
            .handler((frame, c) -> Admission.accepted(CompletableFuture.completedFuture(null)));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "listen address tls://127.0.0.1:0 needs tls(ForwardTls): a certificate and key");
  }

  private static byte[] pack(Value value) throws Exception {
    org.msgpack.core.MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
    packer.packValue(value);
    return packer.toByteArray();
  }
}
