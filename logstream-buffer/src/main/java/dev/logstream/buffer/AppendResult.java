package dev.logstream.buffer;

import java.util.concurrent.CompletableFuture;

/**
 * The outcome of appending one or more records: their sequence numbers (consecutive) and a future
 * that completes when they reached the buffer's durability level.
 *
 * @param firstSequence the sequence of the first record appended
 * @param lastSequence the sequence of the last record appended
 * @param durable completes with {@code lastSequence} once every appended record is stored at the
 *     configured durability; completes exceptionally with {@link BufferFailedException} if the
 *     buffer failed first
 */
public record AppendResult(long firstSequence, long lastSequence, CompletableFuture<Long> durable) {
  /**
   * Checks the range.
   *
   * @param firstSequence the sequence of the first record appended
   * @param lastSequence the sequence of the last record appended
   * @param durable completes once the records are durable
   */
  public AppendResult {
    if (firstSequence < 1 || lastSequence < firstSequence) {
      throw new IllegalArgumentException(
          "sequences must satisfy 1 <= first <= last, got " + firstSequence + ".." + lastSequence);
    }
    java.util.Objects.requireNonNull(durable, "durable");
  }

  /**
   * How many records were appended.
   *
   * @return {@code lastSequence - firstSequence + 1}
   */
  public long count() {
    return lastSequence - firstSequence + 1;
  }
}
