package dev.logstream.core.capacity;

/**
 * The per-shard limits of a provisioned Kinesis data stream and the seed's alarm threshold.
 *
 * <p>AWS writes "MB" in these limits and means {@code 2^20} bytes: the PutRecords API reference
 * states the record and write limits in MiB (1 MiB = 1,048,576 bytes), and this class uses that
 * reading for every byte limit. Sources:
 *
 * <ul>
 *   <li>Write: "Each shard can support writes up to 1,000 records per second, up to a maximum data
 *       write total of 1 MiB per second" (PutRecords and CreateStream, Amazon Kinesis Data Streams
 *       API Reference, as carried in the AWS SDK service models). Bytes count the data blob
 *       <em>plus</em> the partition key.
 *   <li>Read, shared throughput: "Each shard can support reads up to five transactions per second,
 *       up to a maximum data read total of 2 MiB per second" (CreateStream), and "this throughput
 *       gets shared across all the consumers that are reading from a given shard" (Developer Guide,
 *       "Read data from Amazon Kinesis Data Streams").
 *   <li>Read, enhanced fan-out: a registered consumer "gets its own 2 MB/sec allotment of read
 *       throughput" per shard; up to 20 consumers per stream can register (50 in On-demand
 *       Advantage mode) (Developer Guide, "Develop enhanced fan-out consumers with dedicated
 *       throughput").
 *   <li>Record size: the data blob plus partition key must not exceed the stream's maximum record
 *       size, 1 MiB by default (PutRecords; since 2025-10 a stream may raise it to 10 MiB with
 *       {@code UpdateMaxRecordSize}, which this package does not model).
 *   <li>Alarm: the grid logstream seed raises CloudWatch alarms "when either the write or read
 *       capacity reaches 90%" (grid-logstream, "Launching grid with logstream").
 * </ul>
 *
 * <p>Not modelled: the read limits of 5 {@code GetRecords} calls and 2,000 records per second per
 * shard (Developer Guide, "Quotas and limits"), on-demand streams (which scale themselves), and
 * account shard quotas. Kinesis sets no maximum shard count per stream, so neither does this
 * package.
 */
public final class KinesisLimits {

  /** Records per second one shard accepts for writes: {@value}. */
  public static final int SHARD_WRITE_RECORDS_PER_SECOND = 1_000;

  /** Bytes (data plus partition key) per second one shard accepts for writes: {@value} (1 MiB). */
  public static final int SHARD_WRITE_BYTES_PER_SECOND = 1_048_576;

  /**
   * Bytes per second one shard serves to all shared-throughput (polling) consumers together:
   * {@value} (2 MiB).
   */
  public static final int SHARD_READ_BYTES_PER_SECOND = 2_097_152;

  /**
   * Bytes per second one shard serves to <em>each</em> registered enhanced fan-out consumer:
   * {@value} (2 MiB). It is twice {@link #SHARD_WRITE_BYTES_PER_SECOND}, so enhanced fan-out
   * consumers never need more shards than the writes do.
   */
  public static final int SHARD_ENHANCED_FAN_OUT_READ_BYTES_PER_SECOND = 2_097_152;

  /** The default maximum size of one record, data blob plus partition key: {@value} (1 MiB). */
  public static final int MAX_RECORD_BYTES = 1_048_576;

  /**
   * The seed's alarm threshold and the default target utilization: {@value}. The alarms fire when
   * usage <em>reaches</em> this fraction of either write limit or the read limit.
   */
  public static final double ALARM_UTILIZATION = 0.9;

  private KinesisLimits() {}
}
