package dev.logstream.core;

/**
 * A record could not be encoded: the {@link RecordView} broke its contract (no root map, unbalanced
 * containers, more than one root) or the JSON writer failed. The encoder stays usable.
 */
public class RecordEncodingException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong with the record
   */
  public RecordEncodingException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what was wrong with the record
   * @param cause the underlying failure
   */
  public RecordEncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
