package dev.logstream.forward;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads PEM files: certificates, and unencrypted private keys in the three forms OpenSSL writes.
 *
 * <ul>
 *   <li>{@code BEGIN PRIVATE KEY}: PKCS#8 {@code PrivateKeyInfo}, RSA or EC;
 *   <li>{@code BEGIN RSA PRIVATE KEY}: PKCS#1 {@code RSAPrivateKey}, wrapped into PKCS#8 with the
 *       {@code rsaEncryption} algorithm identifier;
 *   <li>{@code BEGIN EC PRIVATE KEY}: SEC1 {@code ECPrivateKey} (RFC 5915), wrapped into PKCS#8
 *       with {@code id-ecPublicKey} and the named curve taken from the key's own {@code [0]}
 *       parameters.
 * </ul>
 *
 * <p>Encrypted keys ({@code BEGIN ENCRYPTED PRIVATE KEY}, or a traditional block with a {@code
 * Proc-Type: 4,ENCRYPTED} header) are refused. Every failure is an {@link IllegalArgumentException}
 * whose message starts with the given {@code source} (option name and path).
 */
final class Pem {
  /** {@code 1.2.840.113549.1.1.1} rsaEncryption, as a DER TLV. */
  private static final byte[] OID_RSA = {
    0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };

  /** {@code 1.2.840.10045.2.1} id-ecPublicKey, as a DER TLV. */
  private static final byte[] OID_EC = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private static final byte[] DER_NULL = {0x05, 0x00};
  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private static final String KEY_LABELS =
      "'BEGIN PRIVATE KEY' (PKCS#8), 'BEGIN RSA PRIVATE KEY' (PKCS#1) or 'BEGIN EC PRIVATE KEY'"
          + " (SEC1)";

  /** One {@code -----BEGIN label-----} ... {@code -----END label-----} block. */
  static final class Block {
    final String label;
    final boolean encryptedHeader;
    final byte[] der;

    Block(String label, boolean encryptedHeader, byte[] der) {
      this.label = label;
      this.encryptedHeader = encryptedHeader;
      this.der = der;
    }
  }

  private Pem() {}

  /**
   * Splits PEM text into its blocks, in file order; text outside blocks is ignored.
   *
   * @throws IllegalArgumentException if a block has no END line or bad base64
   */
  static List<Block> blocks(String source, String text) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n|\r");
    int i = 0;
    while (i < lines.length) {
      String line = lines[i++].strip();
      if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) {
        continue;
      }
      String label = line.substring("-----BEGIN ".length(), line.length() - "-----".length());
      String end = "-----END " + label + "-----";
      StringBuilder base64 = new StringBuilder();
      boolean encrypted = false;
      boolean closed = false;
      while (i < lines.length) {
        String body = lines[i++].strip();
        if (body.equals(end)) {
          closed = true;
          break;
        }
        if (body.indexOf(':') >= 0) {
          // RFC 1421 header of a traditional OpenSSL key, e.g. "Proc-Type: 4,ENCRYPTED"
          if (body.startsWith("Proc-Type:") && body.contains("ENCRYPTED")) {
            encrypted = true;
          }
          continue;
        }
        base64.append(body);
      }
      if (!closed) {
        throw new IllegalArgumentException(
            source + ": PEM block 'BEGIN " + label + "' has no '" + end + "' line");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + ": PEM block 'BEGIN " + label + "' is not valid base64: " + e.getMessage(), e);
      }
      blocks.add(new Block(label, encrypted, der));
    }
    return blocks;
  }

  /**
   * Parses every {@code CERTIFICATE} block, in file order.
   *
   * @throws IllegalArgumentException if there is none or one does not parse
   */
  static List<X509Certificate> certificates(String source, String text) {
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("this JDK has no X.509 CertificateFactory", e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Block block : blocks(source, text)) {
      if (!block.label.equals("CERTIFICATE")) {
        continue;
      }
      try {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
      } catch (CertificateException e) {
        throw new IllegalArgumentException(
            source
                + ": certificate "
                + (certificates.size() + 1)
                + " does not parse: "
                + e.getMessage(),
            e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          source + ": no certificate found (expected PEM blocks 'BEGIN CERTIFICATE')");
    }
    return certificates;
  }

  /**
   * Parses the one private key of a PEM file.
   *
   * @param source the option name and path, for messages
   * @param fileName the file's name, for the decryption hint
   * @throws IllegalArgumentException if there is no key, more than one, an encrypted one, or one
   *     that does not parse or is neither RSA nor EC
   */
  static PrivateKey privateKey(String source, String fileName, String text) {
    Block key = null;
    for (Block block : blocks(source, text)) {
      boolean isKey;
      switch (block.label) {
        case "ENCRYPTED PRIVATE KEY":
          throw encrypted(source, fileName);
        case "PRIVATE KEY":
        case "RSA PRIVATE KEY":
        case "EC PRIVATE KEY":
          isKey = true;
          break;
        default:
          isKey = false; // certificates, EC PARAMETERS, ...
      }
      if (!isKey) {
        continue;
      }
      if (block.encryptedHeader) {
        throw encrypted(source, fileName);
      }
      if (key != null) {
        throw new IllegalArgumentException(
            source + ": holds more than one private key; keep only the server's key");
      }
      key = block;
    }
    if (key == null) {
      throw new IllegalArgumentException(
          source + ": no private key found (expected a PEM block " + KEY_LABELS + ")");
    }
    try {
      switch (key.label) {
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(pkcs8(OID_RSA, DER_NULL, key.der)));
        case "EC PRIVATE KEY":
          return KeyFactory.getInstance("EC")
              .generatePrivate(
                  new PKCS8EncodedKeySpec(
                      pkcs8(OID_EC, sec1Curve(source, fileName, key.der), key.der)));
        default:
          return KeyFactory.getInstance(pkcs8Algorithm(source, key.der))
              .generatePrivate(new PKCS8EncodedKeySpec(key.der));
      }
    } catch (GeneralSecurityException | DerException e) {
      throw new IllegalArgumentException(
          source + ": 'BEGIN " + key.label + "' does not parse: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException encrypted(String source, String fileName) {
    return new IllegalArgumentException(
        source
            + ": encrypted keys are not supported; decrypt it with 'openssl pkey -in "
            + fileName
            + " -out plain.pem'");
  }

  /** Returns "RSA" or "EC" from a PKCS#8 PrivateKeyInfo's algorithm identifier. */
  private static String pkcs8Algorithm(String source, byte[] der) throws DerException {
    Der info = new Der(der).enter(0x30);
    info.skip(0x02); // version
    Der algorithm = info.enter(0x30);
    byte[] oid = algorithm.element(0x06);
    if (Arrays.equals(oid, OID_RSA)) {
      return "RSA";
    }
    if (Arrays.equals(oid, OID_EC)) {
      return "EC";
    }
    throw new IllegalArgumentException(
        source
            + ": unsupported private key algorithm (OID "
            + Der.oidToString(oid)
            + "); use an RSA or EC key");
  }

  /** Returns the named-curve OID TLV from a SEC1 ECPrivateKey's {@code [0]} parameters. */
  private static byte[] sec1Curve(String source, String fileName, byte[] der) throws DerException {
    Der key = new Der(der).enter(0x30);
    key.skip(0x02); // version 1
    key.skip(0x04); // privateKey
    while (key.hasMore()) {
      if (key.peekTag() == 0xa0) {
        Der parameters = key.enter(0xa0);
        if (parameters.peekTag() != 0x06) {
          break; // explicit curve parameters
        }
        return parameters.element(0x06);
      }
      key.skip(key.peekTag());
    }
    throw new IllegalArgumentException(
        source
            + ": 'BEGIN EC PRIVATE KEY' has explicit or no curve parameters; name the curve with"
            + " 'openssl ec -in "
            + fileName
            + " -param_enc named_curve -out named.pem'");
  }

  /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING privateKey }. */
  private static byte[] pkcs8(byte[] algorithmOid, byte[] parameters, byte[] privateKey) {
    byte[] algorithm = Der.tlv(0x30, Der.concat(algorithmOid, parameters));
    return Der.tlv(0x30, Der.concat(VERSION_0, algorithm, Der.tlv(0x04, privateKey)));
  }

  /** A DER structure that is not what was expected. */
  static final class DerException extends Exception {
    private static final long serialVersionUID = 1L;

    DerException(String message) {
      super(message);
    }
  }

  /** The little DER reading and writing the key formats need: definite lengths only. */
  static final class Der {
    private final byte[] bytes;
    private int pos;
    private final int end;

    Der(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    private Der(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.pos = start;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    int peekTag() throws DerException {
      if (pos >= end) {
        throw new DerException("DER structure ends early");
      }
      return bytes[pos] & 0xff;
    }

    /** Reads a constructed element of the given tag and returns a reader over its content. */
    Der enter(int tag) throws DerException {
      int contentEnd = header(tag);
      Der inner = new Der(bytes, pos, contentEnd);
      pos = contentEnd;
      return inner;
    }

    /** Returns the whole TLV of the next element, which must have the given tag. */
    byte[] element(int tag) throws DerException {
      int start = pos;
      int contentEnd = header(tag);
      pos = contentEnd;
      return Arrays.copyOfRange(bytes, start, contentEnd);
    }

    void skip(int tag) throws DerException {
      pos = header(tag);
    }

    /** Reads tag and length, leaves pos at the content, returns the content's end. */
    private int header(int tag) throws DerException {
      int actual = peekTag();
      if (actual != tag) {
        throw new DerException(
            String.format("expected DER tag 0x%02x at offset %d, found 0x%02x", tag, pos, actual));
      }
      pos++;
      if (pos >= end) {
        throw new DerException("DER structure ends early");
      }
      int first = bytes[pos++] & 0xff;
      long length;
      if (first < 0x80) {
        length = first;
      } else {
        int count = first & 0x7f;
        if (count == 0 || count > 4 || pos + count > end) {
          throw new DerException("bad DER length at offset " + (pos - 1));
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (bytes[pos++] & 0xff);
        }
      }
      if (length > end - pos) {
        throw new DerException("DER length " + length + " runs past the end of its container");
      }
      return pos + (int) length;
    }

    static byte[] tlv(int tag, byte[] content) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
      out.write(tag);
      int length = content.length;
      if (length < 0x80) {
        out.write(length);
      } else if (length < 0x100) {
        out.write(0x81);
        out.write(length);
      } else if (length < 0x10000) {
        out.write(0x82);
        out.write(length >>> 8);
        out.write(length);
      } else {
        out.write(0x83);
        out.write(length >>> 16);
        out.write(length >>> 8);
        out.write(length);
      }
      out.writeBytes(content);
      return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] part : parts) {
        out.writeBytes(part);
      }
      return out.toByteArray();
    }

    /** Dotted form of an OID TLV, for messages. */
    static String oidToString(byte[] tlv) {
      int start = 2; // tag and a short length: OIDs of keys are short
      if (tlv.length < 3 || (tlv[1] & 0x80) != 0) {
        return "?";
      }
      StringBuilder text = new StringBuilder();
      long value = 0;
      boolean first = true;
      for (int i = start; i < tlv.length; i++) {
        value = (value << 7) | (tlv[i] & 0x7f);
        if ((tlv[i] & 0x80) == 0) {
          if (first) {
            long arc = Math.min(value / 40, 2);
            text.append(arc).append('.').append(value - 40 * arc);
            first = false;
          } else {
            text.append('.').append(value);
          }
          value = 0;
        }
      }
      return text.toString();
    }
  }

  /** Decodes file bytes as text; PEM is ASCII. */
  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
