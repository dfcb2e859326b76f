package dev.logstream.forward;

/**
 * A configured limit was passed (frame bytes, decompressed bytes, entries per frame, tag length,
 * nesting depth, ...). Thrown as soon as the limit is passed, before anything is allocated for the
 * excess; the message names the limit and both values.
 */
public class ForwardLimitException extends ForwardProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the field or limit and the value
   */
  public ForwardLimitException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, naming the field or limit and the value
   * @param cause the underlying failure
   */
  public ForwardLimitException(String message, Throwable cause) {
    super(message, cause);
  }
}
