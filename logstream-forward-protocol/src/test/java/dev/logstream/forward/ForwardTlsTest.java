package dev.logstream.forward;

import static dev.logstream.forward.TlsTestFiles.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwardTlsTest {
  @TempDir Path dir;

  private static ForwardTls.Builder server(String certificate, String key) {
    return ForwardTls.builder().certificateChain(path(certificate)).privateKey(path(key));
  }

  @Test
  void build_rsaPkcs8_defaultsToTls13And12WithoutClientAuth() {
    ForwardTls tls = server("server.pem", "server-key.pem").build();

    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.ciphers()).isEmpty();
    assertThat(tls.clientCertificateRequired()).isFalse();
    assertThat(tls.certificateChain()).hasSize(1);
    assertThat(tls.certificateChain().get(0).getSubjectX500Principal().getName())
        .isEqualTo("CN=localhost");
    SSLEngine engine = tls.newServerEngine();
    assertThat(engine.getUseClientMode()).isFalse();
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(engine.getNeedClientAuth()).isFalse();
    assertThat(engine.getWantClientAuth()).isFalse();
  }

  @Test
  void build_everyOption_roundTrips() {
    ForwardTls tls =
        server("server-chain.pem", "server-key.pem")
            .clientCertificateAuthority(path("ca.pem"))
            .protocols("TLSv1.2")
            .ciphers(
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
            .build();

    assertThat(tls.protocols()).containsExactly("TLSv1.2");
    assertThat(tls.ciphers())
        .containsExactly(
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(tls.clientCertificateRequired()).isTrue();
    assertThat(tls.certificateChain()).hasSize(2);
    assertThat(tls.certificateChain().get(1).getSubjectX500Principal().getName())
        .isEqualTo("CN=logstream test CA");
    SSLEngine engine = tls.newServerEngine();
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.2");
    assertThat(engine.getEnabledCipherSuites())
        .containsExactly(
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(engine.getNeedClientAuth()).isTrue();
    assertThat(engine.getSSLParameters().getUseCipherSuitesOrder()).isTrue();
  }

  @Test
  void newServerEngine_calledTwice_returnsIndependentEngines() {
    ForwardTls tls = server("server.pem", "server-key.pem").build();

    assertThat(tls.newServerEngine()).isNotSameAs(tls.newServerEngine());
    assertThat(tls.sslContext()).isSameAs(tls.sslContext());
  }

  @Test
  void build_rsaPkcs1Key_readsTheSameKeyAsPkcs8() {
    server("server.pem", "server-key-pkcs1.pem").build();

    assertThat(Pem.privateKey("k", "k", TlsTestFiles.text("server-key-pkcs1.pem")).getEncoded())
        .isEqualTo(Pem.privateKey("k", "k", TlsTestFiles.text("server-key.pem")).getEncoded());
  }

  @Test
  void build_ecPkcs8Key_builds() {
    ForwardTls tls = server("server-ec.pem", "server-ec-key.pem").build();

    assertThat(tls.certificateChain().get(0).getPublicKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void build_ecSec1Key_readsTheSameKeyAsPkcs8() {
    server("server-ec.pem", "server-ec-key-sec1.pem").build();

    ECPrivateKey sec1 =
        (ECPrivateKey) Pem.privateKey("k", "k", TlsTestFiles.text("server-ec-key-sec1.pem"));
    ECPrivateKey pkcs8 =
        (ECPrivateKey) Pem.privateKey("k", "k", TlsTestFiles.text("server-ec-key.pem"));
    assertThat(sec1.getS()).isEqualTo(pkcs8.getS());
    assertThat(sec1.getParams().toString()).isEqualTo(pkcs8.getParams().toString());
  }

  @Test
  void build_ecSec1KeyWithExplicitCurve_isRejectedWithTheConvertCommand() {
    Path key = path("server-ec-key-explicit.pem");

    assertThatThrownBy(() -> server("server-ec.pem", "server-ec-key-explicit.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": 'BEGIN EC PRIVATE KEY' has explicit or no curve parameters; name the curve"
                + " with 'openssl ec -in server-ec-key-explicit.pem -param_enc named_curve -out"
                + " named.pem'");
  }

  @Test
  void build_encryptedPkcs8Key_isRejectedWithTheDecryptCommand() {
    Path key = path("server-key-encrypted.pem");

    assertThatThrownBy(() -> server("server.pem", "server-key-encrypted.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": encrypted keys are not supported; decrypt it with 'openssl pkey -in"
                + " server-key-encrypted.pem -out plain.pem'");
  }

  @Test
  void build_encryptedPkcs1Key_isRejectedWithTheDecryptCommand() {
    Path key = path("server-key-pkcs1-encrypted.pem");

    assertThatThrownBy(() -> server("server.pem", "server-key-pkcs1-encrypted.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": encrypted keys are not supported; decrypt it with 'openssl pkey -in"
                + " server-key-pkcs1-encrypted.pem -out plain.pem'");
  }

  @Test
  void build_keyOfAnotherCertificate_isRejected() {
    Path certificate = path("server.pem");
    Path key = path("client-key.pem");

    assertThatThrownBy(() -> server("server.pem", "client-key.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": does not belong to the first certificate of certificateChain "
                + certificate
                + " (CN=localhost)");
  }

  @Test
  void build_ecKeyForRsaCertificate_isRejected() {
    Path certificate = path("server.pem");
    Path key = path("server-ec-key.pem");

    assertThatThrownBy(() -> server("server.pem", "server-ec-key.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": is an EC key but the first certificate of certificateChain "
                + certificate
                + " (CN=localhost) has an RSA public key");
  }

  @Test
  void build_chainWithTheCaFirst_isRejectedAsNotTheKeysCertificate() throws IOException {
    Path chain = dir.resolve("reversed.pem");
    Files.writeString(chain, TlsTestFiles.text("ca.pem") + TlsTestFiles.text("server.pem"));
    Path key = path("server-key.pem");

    assertThatThrownBy(() -> ForwardTls.builder().certificateChain(chain).privateKey(key).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": does not belong to the first certificate of certificateChain "
                + chain
                + " (CN=logstream test CA)");
  }

  @Test
  void build_missingCertificateFile_namesOptionAndPath() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(
            () ->
                ForwardTls.builder()
                    .certificateChain(missing)
                    .privateKey(path("server-key.pem"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("certificateChain " + missing + ": file does not exist");
  }

  @Test
  void build_missingKeyFile_namesOptionAndPath() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(
            () ->
                ForwardTls.builder()
                    .certificateChain(path("server.pem"))
                    .privateKey(missing)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("privateKey " + missing + ": file does not exist");
  }

  @Test
  void build_directoryAsCaBundle_isRejected() {
    assertThatThrownBy(
            () -> server("server.pem", "server-key.pem").clientCertificateAuthority(dir).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clientCertificateAuthority " + dir + ": not a regular file");
  }

  @Test
  void build_keyFileAsCertificateChain_findsNoCertificate() {
    Path key = path("server-key.pem");

    assertThatThrownBy(() -> server("server-key.pem", "server-key.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "certificateChain "
                + key
                + ": no certificate found (expected PEM blocks 'BEGIN CERTIFICATE')");
  }

  @Test
  void build_certificateAsKey_findsNoKey() {
    Path certificate = path("server.pem");

    assertThatThrownBy(() -> server("server.pem", "server.pem").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + certificate
                + ": no private key found (expected a PEM block 'BEGIN PRIVATE KEY' (PKCS#8),"
                + " 'BEGIN RSA PRIVATE KEY' (PKCS#1) or 'BEGIN EC PRIVATE KEY' (SEC1))");
  }

  @Test
  void build_keyAndCertificateInOneFile_readsBoth() throws IOException {
    Path both = dir.resolve("both.pem");
    Files.writeString(
        both, TlsTestFiles.text("server.pem") + "\n" + TlsTestFiles.text("server-key-pkcs1.pem"));

    ForwardTls tls = ForwardTls.builder().certificateChain(both).privateKey(both).build();

    assertThat(tls.certificateChain()).hasSize(1);
  }

  @Test
  void build_twoKeysInOneFile_isRejected() throws IOException {
    Path keys = dir.resolve("keys.pem");
    Files.writeString(
        keys, TlsTestFiles.text("server-key.pem") + TlsTestFiles.text("client-key.pem"));

    assertThatThrownBy(
            () ->
                ForwardTls.builder().certificateChain(path("server.pem")).privateKey(keys).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey " + keys + ": holds more than one private key; keep only the server's key");
  }

  @Test
  void build_ed25519Key_isRejectedNamingItsOid() throws IOException, NoSuchAlgorithmException {
    byte[] der =
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
    Path key = dir.resolve("ed25519.pem");
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(
            () -> ForwardTls.builder().certificateChain(path("server.pem")).privateKey(key).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": unsupported private key algorithm (OID 1.3.101.112); use an RSA or EC key");
  }

  @Test
  void build_pemWithoutEndLine_isRejected() throws IOException {
    Path key = dir.resolve("cut.pem");
    String text = TlsTestFiles.text("server-key.pem");
    Files.writeString(key, text.substring(0, text.indexOf("-----END")));

    assertThatThrownBy(
            () -> ForwardTls.builder().certificateChain(path("server.pem")).privateKey(key).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "privateKey "
                + key
                + ": PEM block 'BEGIN PRIVATE KEY' has no '-----END PRIVATE KEY-----' line");
  }

  @Test
  void build_truncatedKeyDer_isRejectedAsNotParsing() throws IOException {
    Path key = dir.resolve("short.pem");
    Files.writeString(
        key,
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01})
            + "\n-----END RSA PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);

    assertThatThrownBy(
            () -> ForwardTls.builder().certificateChain(path("server.pem")).privateKey(key).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("privateKey " + key + ": 'BEGIN RSA PRIVATE KEY' does not parse: ");
  }

  @Test
  void build_corruptCertificate_namesItsPosition() throws IOException {
    Path chain = dir.resolve("corrupt.pem");
    Files.writeString(
        chain,
        TlsTestFiles.text("server.pem")
            + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

    assertThatThrownBy(
            () ->
                ForwardTls.builder()
                    .certificateChain(chain)
                    .privateKey(path("server-key.pem"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("certificateChain " + chain + ": certificate 2 does not parse: ");
  }

  @Test
  void build_withoutCertificateChain_isRejected() {
    assertThatThrownBy(() -> ForwardTls.builder().privateKey(path("server-key.pem")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("certificateChain is required");
  }

  @Test
  void build_withoutPrivateKey_isRejected() {
    assertThatThrownBy(() -> ForwardTls.builder().certificateChain(path("server.pem")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("privateKey is required");
  }

  @Test
  void certificateChain_setTwice_isRejected() {
    Path first = path("server.pem");
    ForwardTls.Builder builder = ForwardTls.builder().certificateChain(first);

    assertThatThrownBy(() -> builder.certificateChain(path("server-ec.pem")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("certificateChain was already set to " + first);
  }

  @Test
  void protocols_unknownName_isRejectedListingTheSupportedOnes() {
    assertThatThrownBy(() -> ForwardTls.builder().protocols("TLSv1.3", "TLSv1.4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "protocols: 'TLSv1.4' is not supported by this JDK; supported: [TLSv1.3, TLSv1.2]");
  }

  @Test
  void protocols_tls11_isRejectedAsInsecure() {
    assertThatThrownBy(() -> ForwardTls.builder().protocols("TLSv1.2", "TLSv1.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "protocols: 'TLSv1.1' is insecure and disabled by the JDK; use TLSv1.3 and/or TLSv1.2");
  }

  @Test
  void protocols_empty_isRejected() {
    assertThatThrownBy(() -> ForwardTls.builder().protocols())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("protocols must not be empty");
  }

  @Test
  void protocols_duplicate_isRejected() {
    assertThatThrownBy(() -> ForwardTls.builder().protocols("TLSv1.3", "TLSv1.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("protocols: 'TLSv1.3' is listed twice");
  }

  @Test
  void protocols_setTwice_isRejected() {
    ForwardTls.Builder builder = ForwardTls.builder().protocols("TLSv1.3");

    assertThatThrownBy(() -> builder.protocols("TLSv1.2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("protocols was already set to [TLSv1.3]");
  }

  @Test
  void ciphers_unknownName_isRejected() {
    assertThatThrownBy(() -> ForwardTls.builder().ciphers("TLS_AES_128_GCM_SHA256", "RC4-MD5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "ciphers: 'RC4-MD5' is not supported by this JDK; supported: [TLS_AES_256_GCM_SHA384,");
  }

  @Test
  void build_onlyTls13CiphersWithOnlyTls12_isRejected() {
    ForwardTls.Builder builder =
        server("server.pem", "server-key.pem")
            .protocols("TLSv1.2")
            .ciphers("TLS_AES_128_GCM_SHA256");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ciphers [TLS_AES_128_GCM_SHA256]: none of them can be used with protocols [TLSv1.2]");
  }

  @Test
  void toString_showsPathsAndSettingsOnly() {
    ForwardTls tls = server("server.pem", "server-key.pem").build();

    assertThat(tls)
        .hasToString(
            "ForwardTls{certificateChain="
                + path("server.pem")
                + ", privateKey="
                + path("server-key.pem")
                + ", clientCertificateAuthority=none, protocols=[TLSv1.3, TLSv1.2],"
                + " ciphers=default}");
  }

  @Test
  void build_builderChangedAfterwards_leavesTheBuiltValueAlone() {
    ForwardTls.Builder builder = server("server.pem", "server-key.pem");
    ForwardTls first = builder.build();

    builder.protocols("TLSv1.3");

    assertThat(first.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(builder.build().protocols()).containsExactly("TLSv1.3");
  }
}
