package dev.logstream.core.sink;

import java.util.Objects;

/**
 * One record handed to a {@link Sink}: its sequence number in the buffer and its payload.
 *
 * <p><b>The payload array is shared, not copied.</b> It is exactly sized (its length is the payload
 * length) and is the only copy the dispatcher made when it read the record out of the buffer; the
 * same array is handed to the sink on every attempt. A sink may therefore pass it to a client
 * library without copying, e.g. with {@code SdkBytes.fromByteArrayUnsafe(payload)}, but it must
 * never modify it: a modified payload would be resent or dead-lettered as modified.
 *
 * <p>Equality is the record's default: two records are equal only if they share the same payload
 * array (arrays compare by identity).
 *
 * @param sequence the record's sequence number in the buffer, {@code >= 0}; unique and increasing
 *     in read order, so it identifies the record in logs, metrics and dead letters
 * @param payload the record's bytes, exactly sized, not copied; must not be modified
 */
public record SinkRecord(long sequence, byte[] payload) {

  /**
   * Checks the sequence and the payload.
   *
   * @param sequence the record's sequence number, {@code >= 0}
   * @param payload the record's bytes, not copied
   * @throws IllegalArgumentException if {@code sequence} is negative
   * @throws NullPointerException if {@code payload} is null
   */
  public SinkRecord {
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * Describes the record by sequence and payload size, never its content (a log record can hold
   * anything, and log lines about the shipper must not ship it again).
   *
   * @return e.g. {@code SinkRecord[sequence=42, payload=310 bytes]}
   */
  @Override
  public String toString() {
    return "SinkRecord[sequence=" + sequence + ", payload=" + payload.length + " bytes]";
  }
}
