package dev.logstream.core;

/**
 * Kinesis record data is not a logstream record: not JSON, not an object, or without a valid {@code
 * time} or {@code tag}. The message says which, with the offending value.
 */
public class RecordDecodingException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong with the data
   */
  public RecordDecodingException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong with the data
   * @param cause the underlying failure
   */
  public RecordDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
