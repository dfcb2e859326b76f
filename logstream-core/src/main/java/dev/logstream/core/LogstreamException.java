package dev.logstream.core;

/**
 * Root of every exception that logstream throws for bad input or a failed operation.
 *
 * <p>Unchecked on purpose: callers decide where to handle a bad tag, option or record, and each
 * module's own root ({@code ForwardProtocolException}, {@code BufferException}, {@code
 * KinesisSinkException}) extends this one so a caller can catch everything logstream raises in one
 * place. Messages always name the input or option and the offending value.
 */
public class LogstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that names the bad input and its value.
   *
   * @param message what was wrong, naming the input and the value
   */
  public LogstreamException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what was wrong, naming the input and the value
   * @param cause the underlying failure
   */
  public LogstreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
