package dev.logstream.buffer;

import dev.logstream.core.LogstreamException;

/**
 * Root of every exception the buffer module throws: a bad option, a record that cannot be stored, a
 * full buffer, or a buffer that failed and refuses further appends. Messages name the option or
 * input and the offending value.
 */
public class BufferException extends LogstreamException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the bad input and its value.
   *
   * @param message what was wrong
   */
  public BufferException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what was wrong
   * @param cause the underlying failure
   */
  public BufferException(String message, Throwable cause) {
    super(message, cause);
  }
}
