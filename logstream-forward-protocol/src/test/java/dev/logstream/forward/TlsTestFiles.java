package dev.logstream.forward;

import java.io.IOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** The PEM files under {@code src/test/resources/tls} (see its README) and client contexts. */
final class TlsTestFiles {
  private static final char[] PASSWORD = "test".toCharArray();

  private TlsTestFiles() {}

  static Path path(String name) {
    URL url = TlsTestFiles.class.getResource("/tls/" + name);
    if (url == null) {
      throw new AssertionError("no test resource tls/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static String text(String name) {
    try {
      return Files.readString(path(name), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The RSA server with PKCS#8 key, no client certificates. */
  static ForwardTls rsaServer() {
    return ForwardTls.builder()
        .certificateChain(path("server.pem"))
        .privateKey(path("server-key.pem"))
        .build();
  }

  /** The RSA server requiring client certificates signed by the test CA. */
  static ForwardTls clientAuthServer() {
    return ForwardTls.builder()
        .certificateChain(path("server.pem"))
        .privateKey(path("server-key.pem"))
        .clientCertificateAuthority(path("ca.pem"))
        .build();
  }

  /** A client context that trusts the test CA and has no certificate of its own. */
  static SSLContext clientContext() {
    return clientContext(null, null);
  }

  /** A client context that trusts the test CA and presents the given certificate and key. */
  static SSLContext clientContext(String certificate, String key) {
    return clientContext(certificate, key, false);
  }

  /**
   * As {@link #clientContext(String, String)}; with {@code insist}, the client presents its
   * certificate even when the server's CertificateRequest names other CAs (a JDK client otherwise
   * sends none).
   */
  static SSLContext clientContext(String certificate, String key, boolean insist) {
    try {
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", Pem.certificates("ca", text("ca.pem")).get(0));
      TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
      trust.init(trusted);
      KeyManagerFactory keys = null;
      if (certificate != null) {
        List<X509Certificate> chain = Pem.certificates(certificate, text(certificate));
        PrivateKey privateKey = Pem.privateKey(key, key, text(key));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", privateKey, PASSWORD, chain.toArray(new X509Certificate[0]));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManager[] keyManagers = keys == null ? null : keys.getKeyManagers();
      if (insist) {
        keyManagers = new KeyManager[] {new IgnoreIssuers((X509ExtendedKeyManager) keyManagers[0])};
      }
      context.init(keyManagers, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Chooses the client certificate without looking at the CAs the server asked for. */
  private static final class IgnoreIssuers extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;

    IgnoreIssuers(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return delegate.chooseEngineClientAlias(keyType, null, engine);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, null, socket);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }

  /** A client engine for "localhost" that verifies the server's name, limited to protocols. */
  static SSLEngine clientEngine(SSLContext context, String... protocols) {
    SSLEngine engine = context.createSSLEngine("localhost", 24224);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (protocols.length > 0) {
      parameters.setProtocols(protocols);
    }
    engine.setSSLParameters(parameters);
    return engine;
  }
}
