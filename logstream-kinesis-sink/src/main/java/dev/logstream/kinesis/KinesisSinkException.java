package dev.logstream.kinesis;

import dev.logstream.core.LogstreamException;

/**
 * Root of every exception the Kinesis sink module throws: a bad option, a stream that cannot be
 * described, a record that cannot be aggregated. Messages name the option or input and the value.
 */
public class KinesisSinkException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the bad input and its value.
   *
   * @param message what was wrong
   */
  public KinesisSinkException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what was wrong
   * @param cause the underlying failure
   */
  public KinesisSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
