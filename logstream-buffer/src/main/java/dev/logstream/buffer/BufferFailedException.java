package dev.logstream.buffer;

/**
 * Thrown by every append once the buffer has failed for good, after an {@code fsync} or another
 * write to disk failed, or once it is closed.
 *
 * <p>A failed {@code fsync} is not retried: Linux may report a write-back error once and then
 * forget it, so a later successful {@code fsync} proves nothing ("fsyncgate"). The buffer stops
 * accepting records; what it holds stays readable, and a restart recovers it from disk with every
 * frame verified.
 */
public final class BufferFailedException extends BufferException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the buffer refuses appends
   * @param cause the I/O failure, or {@code null} when the buffer was closed
   */
  public BufferFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
