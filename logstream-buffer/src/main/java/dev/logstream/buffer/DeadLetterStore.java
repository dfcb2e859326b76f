package dev.logstream.buffer;

import java.io.IOException;
import java.util.List;

/**
 * Where the {@link Dispatcher} puts the records it gives up on, so they are never lost silently.
 * The default is {@link DirectoryDeadLetterStore}; implement this interface to send them elsewhere
 * (another stream, an object store, an alerting system).
 *
 * <p><b>Durable on return.</b> The dispatcher commits a dead-lettered record's position in the
 * buffer, which lets the buffer release it, only after {@link #write(List)} returned normally. An
 * implementation must therefore have stored the letters durably (e.g. written and fsynced) before
 * it returns, and must throw if it could not: the dispatcher then keeps the records uncommitted,
 * counts the failure and tries the write again later.
 *
 * <p>{@code write} is called from the dispatcher's thread, one call at a time; it may block on I/O
 * (dead letters are rare, and the dispatcher never waits on the sink there). After a crash between
 * a successful write and the commit, the record is read again from the buffer and may be written a
 * second time: consumers of dead letters should expect duplicates and may use the sequence number
 * to spot them.
 */
public interface DeadLetterStore extends AutoCloseable {

  /**
   * Stores the letters durably, in order, before returning.
   *
   * @param letters the dead letters, non-empty; their payloads must not be modified
   * @throws IOException if the letters could not all be stored durably
   */
  void write(List<DeadLetter> letters) throws IOException;

  /**
   * Releases the store's resources; does nothing by default. The dispatcher never closes the store
   * it was given.
   *
   * @throws IOException if releasing fails
   */
  @Override
  default void close() throws IOException {}
}
