package dev.logstream.forward;

/**
 * The byte stream is not a valid forward-protocol stream (msgpack syntax error, a frame that is not
 * an array, a tag that is not a string, bad compressed data): the connection cannot be
 * resynchronised and is closed.
 */
public class MalformedFrameException extends ForwardProtocolException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the field or limit and the value
   */
  public MalformedFrameException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong, naming the field or limit and the value
   * @param cause the underlying failure
   */
  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause);
  }
}
