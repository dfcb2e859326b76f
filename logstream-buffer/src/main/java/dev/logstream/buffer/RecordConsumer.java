package dev.logstream.buffer;

import java.nio.ByteBuffer;

/**
 * Receives records from a buffer reader, in sequence order.
 *
 * <p>The payload is a read-only view of the mapped segment, valid only during the call: it is
 * reused for the next record and must not be kept. Copy what must outlive the call.
 */
@FunctionalInterface
public interface RecordConsumer {
  /**
   * Accepts one record.
   *
   * @param sequence the record's sequence number
   * @param payload a read-only view of the payload, from its position to its limit; valid only
   *     during this call
   */
  void accept(long sequence, ByteBuffer payload);
}
