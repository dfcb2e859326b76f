package dev.logstream.forward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS settings of a forward server: its certificate chain and private key from PEM files,
 * optionally a CA bundle that client certificates must chain to, and the protocol versions and
 * cipher suites to allow. Immutable and safe to share between connections; made by {@link
 * #builder()}, which reads and checks the files once.
 *
 * <pre>{@code
 * ForwardTls tls =
 *     ForwardTls.builder()
 *         .certificateChain(Path.of("/etc/logstream/server.pem"))
 *         .privateKey(Path.of("/etc/logstream/server-key.pem"))
 *         .build();
 * }</pre>
 *
 * <p>How the options map to Fluentd's {@code <transport tls>} section:
 *
 * <table>
 *   <caption>Options and their Fluentd counterparts</caption>
 *   <tr><th>option</th><th>Fluentd</th><th>default</th></tr>
 *   <tr><td>{@link Builder#certificateChain}</td><td>{@code cert_path}</td>
 *       <td>required</td></tr>
 *   <tr><td>{@link Builder#privateKey}</td><td>{@code private_key_path} (no
 *       {@code private_key_passphrase}: the key must not be encrypted)</td><td>required</td></tr>
 *   <tr><td>{@link Builder#clientCertificateAuthority}</td><td>{@code ca_path} with
 *       {@code client_cert_auth true}</td><td>no client certificates asked for</td></tr>
 *   <tr><td>{@link Builder#protocols}</td><td>{@code min_version} / {@code max_version}</td>
 *       <td>TLSv1.3 and TLSv1.2</td></tr>
 *   <tr><td>{@link Builder#ciphers}</td><td>{@code ciphers} (JSSE names, not OpenSSL's)</td>
 *       <td>the JDK's defaults</td></tr>
 * </table>
 *
 * <p>Key formats: PKCS#8 ({@code BEGIN PRIVATE KEY}) RSA and EC keys, PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}, named curve) as OpenSSL writes them.
 * Encrypted keys are refused with the {@code openssl} command that decrypts them. The certificate
 * file holds the server's certificate first, then any intermediates.
 *
 * <p>Docker's {@code fluentd-address tls://host:port} verifies the server against the host's system
 * roots and sends no client certificate: for Docker, use a certificate from a CA the Docker hosts
 * trust, with the name Docker dials in its subject alternative names, and no {@link
 * Builder#clientCertificateAuthority}.
 *
 * <p>{@link #toString()} shows the paths, never key material.
 */
public final class ForwardTls {
  private static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  private static final Set<String> INSECURE_PROTOCOLS =
      Set.of("SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1");
  private static final char[] KEYSTORE_PASSWORD = "logstream".toCharArray();
  private static final byte[] KEY_CHECK_MESSAGE =
      "logstream private key check".getBytes(StandardCharsets.US_ASCII);

  private final Path certificateChainPath;
  private final Path privateKeyPath;
  private final Path clientCertificateAuthorityPath;
  private final List<String> protocols;
  private final List<String> ciphers;
  private final List<X509Certificate> certificateChain;
  private final SSLContext sslContext;

  private ForwardTls(Builder builder) {
    this.certificateChainPath = builder.certificateChain;
    this.privateKeyPath = builder.privateKey;
    this.clientCertificateAuthorityPath = builder.clientCertificateAuthority;
    this.protocols = builder.protocols == null ? DEFAULT_PROTOCOLS : builder.protocols;
    this.ciphers = builder.ciphers == null ? List.of() : builder.ciphers;
    checkCiphersFitProtocols(protocols, ciphers);

    String chainSource = "certificateChain " + certificateChainPath;
    this.certificateChain =
        List.copyOf(Pem.certificates(chainSource, readPem(chainSource, certificateChainPath)));
    String keySource = "privateKey " + privateKeyPath;
    PrivateKey key =
        Pem.privateKey(
            keySource,
            String.valueOf(privateKeyPath.getFileName()),
            readPem(keySource, privateKeyPath));
    checkKeyMatches(keySource, key, chainSource, certificateChain.get(0));

    List<X509Certificate> authorities = null;
    if (clientCertificateAuthorityPath != null) {
      String caSource = "clientCertificateAuthority " + clientCertificateAuthorityPath;
      authorities = Pem.certificates(caSource, readPem(caSource, clientCertificateAuthorityPath));
    }
    this.sslContext = newContext(key, certificateChain, authorities);
  }

  /**
   * Starts a configuration; {@link Builder#certificateChain} and {@link Builder#privateKey} are
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the protocol versions the server accepts, most preferred first.
   *
   * @return for example {@code [TLSv1.3, TLSv1.2]}, unmodifiable
   */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * Returns the cipher suites the server accepts, or an empty list for the JDK's defaults.
   *
   * @return JSSE cipher suite names, unmodifiable
   */
  public List<String> ciphers() {
    return ciphers;
  }

  /**
   * Returns whether clients must present a certificate that chains to {@link
   * Builder#clientCertificateAuthority}.
   *
   * @return {@code true} if a client certificate authority was configured
   */
  public boolean clientCertificateRequired() {
    return clientCertificateAuthorityPath != null;
  }

  /**
   * Returns the server's certificate chain as read from {@link Builder#certificateChain}, the
   * server's certificate first.
   *
   * @return the chain, not empty, unmodifiable
   */
  public List<X509Certificate> certificateChain() {
    return certificateChain;
  }

  /** The context built from the key material; shared, thread-safe. */
  SSLContext sslContext() {
    return sslContext;
  }

  /** A new server-mode engine with the protocols, ciphers and client auth of this configuration. */
  SSLEngine newServerEngine() {
    SSLEngine engine = sslContext.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(protocols.toArray(new String[0]));
    if (!ciphers.isEmpty()) {
      parameters.setCipherSuites(ciphers.toArray(new String[0]));
    }
    parameters.setUseCipherSuitesOrder(true);
    if (clientCertificateRequired()) {
      parameters.setNeedClientAuth(true);
    }
    engine.setSSLParameters(parameters);
    return engine;
  }

  /**
   * Describes the settings by their file paths.
   *
   * @return for example {@code ForwardTls{certificateChain=/etc/server.pem,
   *     privateKey=/etc/key.pem, clientCertificateAuthority=none, protocols=[TLSv1.3, TLSv1.2],
   *     ciphers=default}}
   */
  @Override
  public String toString() {
    return "ForwardTls{certificateChain="
        + certificateChainPath
        + ", privateKey="
        + privateKeyPath
        + ", clientCertificateAuthority="
        + (clientCertificateAuthorityPath == null ? "none" : clientCertificateAuthorityPath)
        + ", protocols="
        + protocols
        + ", ciphers="
        + (ciphers.isEmpty() ? "default" : ciphers)
        + "}";
  }

  private static String readPem(String source, Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(source + ": file does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(source + ": not a regular file");
    }
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(source + ": file is not readable");
    }
    try {
      return Pem.text(Files.readAllBytes(path));
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": cannot read: " + e, e);
    }
  }

  private static void checkKeyMatches(
      String keySource, PrivateKey key, String chainSource, X509Certificate certificate) {
    PublicKey publicKey = certificate.getPublicKey();
    String subject = certificate.getSubjectX500Principal().getName();
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      throw new IllegalArgumentException(
          keySource
              + ": is an "
              + key.getAlgorithm()
              + " key but the first certificate of "
              + chainSource
              + " ("
              + subject
              + ") has an "
              + publicKey.getAlgorithm()
              + " public key");
    }
    boolean matches;
    try {
      String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(KEY_CHECK_MESSAGE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(KEY_CHECK_MESSAGE);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          keySource + ": cannot check it against " + chainSource + ": " + e, e);
    }
    if (!matches) {
      throw new IllegalArgumentException(
          keySource
              + ": does not belong to the first certificate of "
              + chainSource
              + " ("
              + subject
              + ")");
    }
  }

  private static void checkCiphersFitProtocols(List<String> protocols, List<String> ciphers) {
    if (ciphers.isEmpty()) {
      return;
    }
    boolean tls13 = protocols.contains("TLSv1.3");
    boolean tls12 = protocols.contains("TLSv1.2");
    for (String cipher : ciphers) {
      boolean tls13Suite = isTls13Suite(cipher);
      if ((tls13Suite && tls13) || (!tls13Suite && tls12)) {
        return;
      }
    }
    throw new IllegalArgumentException(
        "ciphers " + ciphers + ": none of them can be used with protocols " + protocols);
  }

  private static boolean isTls13Suite(String cipher) {
    return cipher.startsWith("TLS_AES_") || cipher.startsWith("TLS_CHACHA20_");
  }

  private static SSLContext newContext(
      PrivateKey key, List<X509Certificate> chain, List<X509Certificate> authorities) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("server", key, KEYSTORE_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, KEYSTORE_PASSWORD);

      TrustManagerFactory trustManagers = null;
      if (authorities != null) {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (int i = 0; i < authorities.size(); i++) {
          trusted.setCertificateEntry("ca-" + i, authorities.get(i));
        }
        trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManagers.getKeyManagers(),
          trustManagers == null ? null : trustManagers.getTrustManagers(),
          null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up the TLS context: " + e, e);
    }
  }

  private static SSLParameters supportedParameters() {
    return Supported.PARAMETERS;
  }

  /** What this JDK's TLS provider supports, looked up once. */
  private static final class Supported {
    static final SSLParameters PARAMETERS = lookUp();

    private static SSLParameters lookUp() {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        return context.getSupportedSSLParameters();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JDK has no TLS SSLContext", e);
      }
    }
  }

  /**
   * Configures {@link ForwardTls}. Each option may be set only once and is checked when it is set;
   * {@link #build()} reads the files and checks them together (the key must belong to the first
   * certificate). A builder may build several times; later changes do not affect what it already
   * built.
   */
  public static final class Builder {
    private Path certificateChain;
    private Path privateKey;
    private Path clientCertificateAuthority;
    private List<String> protocols;
    private List<String> ciphers;

    private Builder() {}

    /**
     * Sets the PEM file with the server's certificate followed by any intermediate certificates
     * (Fluentd's {@code cert_path}); required.
     *
     * @param pem the file, read by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder certificateChain(Path pem) {
      Objects.requireNonNull(pem, "certificateChain");
      if (certificateChain != null) {
        throw new IllegalStateException("certificateChain was already set to " + certificateChain);
      }
      certificateChain = pem;
      return this;
    }

    /**
     * Sets the PEM file with the server's unencrypted private key (Fluentd's {@code
     * private_key_path}); required. PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA
     * PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}) are read; RSA and EC keys only.
     *
     * @param pem the file, read by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder privateKey(Path pem) {
      Objects.requireNonNull(pem, "privateKey");
      if (privateKey != null) {
        throw new IllegalStateException("privateKey was already set to " + privateKey);
      }
      privateKey = pem;
      return this;
    }

    /**
     * Requires every client to present a certificate that chains to one of the certificates in this
     * PEM bundle (Fluentd's {@code ca_path} with {@code client_cert_auth true}). Docker's {@code
     * tls://} address cannot send a client certificate.
     *
     * @param pemBundle the file with one or more CA certificates, read by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clientCertificateAuthority(Path pemBundle) {
      Objects.requireNonNull(pemBundle, "clientCertificateAuthority");
      if (clientCertificateAuthority != null) {
        throw new IllegalStateException(
            "clientCertificateAuthority was already set to " + clientCertificateAuthority);
      }
      clientCertificateAuthority = pemBundle;
      return this;
    }

    /**
     * Sets the protocol versions to accept, default {@code TLSv1.3} and {@code TLSv1.2} (the only
     * versions the JDK 17 enables). Names are the JDK's ({@code TLSv1.3}, {@code TLSv1.2}).
     *
     * @param protocols one or more protocol names
     * @return this builder
     * @throws IllegalArgumentException if empty, duplicated, unknown to the JDK, or an insecure
     *     version ({@code TLSv1.1} and older, which the JDK disables)
     * @throws IllegalStateException if already set
     */
    public Builder protocols(String... protocols) {
      Objects.requireNonNull(protocols, "protocols");
      if (this.protocols != null) {
        throw new IllegalStateException("protocols was already set to " + this.protocols);
      }
      for (String protocol : protocols) {
        Objects.requireNonNull(protocol, "protocols");
        if (INSECURE_PROTOCOLS.contains(protocol)) {
          throw new IllegalArgumentException(
              "protocols: '"
                  + protocol
                  + "' is insecure and disabled by the JDK; use TLSv1.3 and/or TLSv1.2");
        }
      }
      List<String> supported = new ArrayList<>(Arrays.asList(supportedParameters().getProtocols()));
      supported.removeAll(INSECURE_PROTOCOLS);
      this.protocols = checkNames("protocols", protocols, supported);
      return this;
    }

    /**
     * Restricts the cipher suites to these, in order of preference (Fluentd's {@code ciphers}, but
     * with JSSE names such as {@code TLS_AES_128_GCM_SHA256} or {@code
     * TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}); default: the JDK's enabled suites.
     *
     * @param ciphers one or more cipher suite names
     * @return this builder
     * @throws IllegalArgumentException if empty, duplicated or unknown to the JDK
     * @throws IllegalStateException if already set
     */
    public Builder ciphers(String... ciphers) {
      Objects.requireNonNull(ciphers, "ciphers");
      if (this.ciphers != null) {
        throw new IllegalStateException("ciphers was already set to " + this.ciphers);
      }
      List<String> supported = Arrays.asList(supportedParameters().getCipherSuites());
      this.ciphers = checkNames("ciphers", ciphers, supported);
      return this;
    }

    private static List<String> checkNames(String option, String[] names, List<String> supported) {
      if (names.length == 0) {
        throw new IllegalArgumentException(option + " must not be empty");
      }
      Set<String> seen = new LinkedHashSet<>();
      for (String name : names) {
        Objects.requireNonNull(name, option);
        if (!supported.contains(name)) {
          throw new IllegalArgumentException(
              option + ": '" + name + "' is not supported by this JDK; supported: " + supported);
        }
        if (!seen.add(name)) {
          throw new IllegalArgumentException(option + ": '" + name + "' is listed twice");
        }
      }
      return List.copyOf(seen);
    }

    /**
     * Reads and checks the files and creates the settings.
     *
     * @return the settings
     * @throws IllegalStateException if {@link #certificateChain} or {@link #privateKey} was not set
     * @throws IllegalArgumentException if a file is missing or unreadable, does not parse, holds an
     *     encrypted or unsupported key, or the key does not belong to the first certificate; the
     *     message names the option and the path
     */
    public ForwardTls build() {
      if (certificateChain == null) {
        throw new IllegalStateException("certificateChain is required");
      }
      if (privateKey == null) {
        throw new IllegalStateException("privateKey is required");
      }
      return new ForwardTls(this);
    }
  }
}
