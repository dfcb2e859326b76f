package dev.logstream.core.capacity;

import java.util.Objects;

/**
 * The shards a write load needs at a target utilization, and why.
 *
 * @param shards the shards to provision: the larger of the two dimensions, {@code >= 1}
 * @param shardsForRecords the shards the records per second alone need, {@code >= 1}
 * @param shardsForBytes the shards the bytes per second alone need, {@code >= 1}
 * @param binding the busier dimension at the target (see {@link Utilization#binding()})
 * @param kinesisLoad what Kinesis receives: the user load itself, or the aggregated records and
 *     their bytes with framing when the calculator aggregates
 */
public record ShardEstimate(
    int shards,
    int shardsForRecords,
    int shardsForBytes,
    ThroughputDimension binding,
    WriteLoad kinesisLoad) {

  /**
   * Checks that the counts are positive and consistent.
   *
   * @param shards the shards to provision, {@code max(shardsForRecords, shardsForBytes)}
   * @param shardsForRecords the shards the records per second alone need, {@code >= 1}
   * @param shardsForBytes the shards the bytes per second alone need, {@code >= 1}
   * @param binding the busier dimension
   * @param kinesisLoad what Kinesis receives
   * @throws NullPointerException if {@code binding} or {@code kinesisLoad} is null
   * @throws IllegalArgumentException if a count is below 1 or {@code shards} is not the larger of
   *     the two dimensions
   */
  public ShardEstimate {
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(kinesisLoad, "kinesisLoad");
    if (shardsForRecords < 1) {
      throw new IllegalArgumentException("shardsForRecords must be >= 1, got " + shardsForRecords);
    }
    if (shardsForBytes < 1) {
      throw new IllegalArgumentException("shardsForBytes must be >= 1, got " + shardsForBytes);
    }
    if (shards != Math.max(shardsForRecords, shardsForBytes)) {
      throw new IllegalArgumentException(
          "shards must be max(shardsForRecords, shardsForBytes) = "
              + Math.max(shardsForRecords, shardsForBytes)
              + ", got "
              + shards);
    }
  }
}
