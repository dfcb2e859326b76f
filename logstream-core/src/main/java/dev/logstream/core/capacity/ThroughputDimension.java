package dev.logstream.core.capacity;

/** A per-shard write limit that can bind a shard count: records per second or bytes per second. */
public enum ThroughputDimension {
  /** {@link KinesisLimits#SHARD_WRITE_RECORDS_PER_SECOND} binds. */
  RECORDS,
  /** {@link KinesisLimits#SHARD_WRITE_BYTES_PER_SECOND} binds. */
  BYTES
}
