package dev.logstream.forward;

import dev.logstream.core.LogstreamException;

/**
 * Root of everything the forward-protocol module throws for bad input or a failed operation.
 *
 * <p>A decoder throws a subtype when the byte stream cannot continue (the server then closes the
 * connection with the message as the logged reason); events that are merely invalid are dropped and
 * counted instead. Messages name the limit or field and the offending value.
 */
public class ForwardProtocolException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the field or limit and the value
   */
  public ForwardProtocolException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, naming the field or limit and the value
   * @param cause the underlying failure
   */
  public ForwardProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
