package dev.logstream.buffer;

/**
 * Thrown when a record cannot fit in one segment; the message states the record's size and the
 * largest payload a segment of the configured size holds.
 */
public final class RecordTooLargeException extends BufferException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the record's size and the segment's capacity
   */
  public RecordTooLargeException(String message) {
    super(message);
  }
}
