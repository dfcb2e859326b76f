package dev.logstream.forward;

/**
 * A TLS connection failed: the handshake was refused (no common protocol version or cipher suite, a
 * missing or untrusted client certificate), the client did not speak TLS at all (plain forward
 * protocol sent to the TLS port), or a record was corrupt. The server closes the connection and
 * logs the message as the reason; the JSSE exception, if any, is the cause.
 */
public class ForwardTlsException extends ForwardProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong
   */
  public ForwardTlsException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure, usually an {@link javax.net.ssl.SSLException}
   */
  public ForwardTlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
