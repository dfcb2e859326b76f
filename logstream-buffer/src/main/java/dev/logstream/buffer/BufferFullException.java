package dev.logstream.buffer;

/**
 * Thrown by an append when the buffer has no room for the records and the overflow policy is {@code
 * reject}, or {@code block} with a timeout that passed, or when the disk has no space for a new
 * segment. Nothing of the refused append was stored.
 */
public final class BufferFullException extends BufferException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was full and by how much
   */
  public BufferFullException(String message) {
    super(message);
  }
}
