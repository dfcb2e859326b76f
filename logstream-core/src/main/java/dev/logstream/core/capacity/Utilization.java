package dev.logstream.core.capacity;

import static dev.logstream.core.capacity.KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND;
import static dev.logstream.core.capacity.KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND;

import java.math.BigInteger;
import java.util.Objects;

/**
 * How much of the write capacity of {@code shards} shards a load uses, per dimension.
 *
 * <p>The load is what Kinesis receives: with KPL aggregation that is the aggregated records and
 * their bytes including the framing (see {@link ShardCalculator}), not the user records. The {@code
 * double} accessors are for display; {@link #exceeds(double)} and {@link #reachesAlarm()} compare
 * exactly, so a load of exactly 900 records per second on one shard is at 0.9, not above it.
 *
 * @param kinesisLoad the records and bytes per second Kinesis receives
 * @param shards the number of shards, {@code >= 1}
 */
public record Utilization(WriteLoad kinesisLoad, int shards) {

  /**
   * Checks the arguments.
   *
   * @param kinesisLoad the records and bytes per second Kinesis receives
   * @param shards the number of shards, {@code >= 1}
   * @throws NullPointerException if {@code kinesisLoad} is null
   * @throws IllegalArgumentException if {@code shards < 1}
   */
  public Utilization {
    Objects.requireNonNull(kinesisLoad, "kinesisLoad");
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
  }

  /**
   * Returns records per second over the shards' record limit, {@code 1.0} meaning fully used.
   *
   * @return the records utilization, {@code >= 0}, above 1 when throttled
   */
  public double recordsUtilization() {
    return (double) kinesisLoad.recordsPerSecond()
        / ((double) SHARD_WRITE_RECORDS_PER_SECOND * shards);
  }

  /**
   * Returns bytes per second over the shards' byte limit, {@code 1.0} meaning fully used.
   *
   * @return the bytes utilization, {@code >= 0}, above 1 when throttled
   */
  public double bytesUtilization() {
    return (double) kinesisLoad.bytesPerSecond() / ((double) SHARD_WRITE_BYTES_PER_SECOND * shards);
  }

  /**
   * Returns the larger of {@link #recordsUtilization()} and {@link #bytesUtilization()}.
   *
   * @return the utilization of the busier dimension
   */
  public double maxUtilization() {
    return Math.max(recordsUtilization(), bytesUtilization());
  }

  /**
   * Returns the busier dimension, compared exactly. When both are exactly equally busy (an idle
   * stream included) this is {@link ThroughputDimension#RECORDS}.
   *
   * @return the dimension with the higher utilization
   */
  public ThroughputDimension binding() {
    // records / 1000 vs bytes / 1 MiB, both over the same shard count
    BigInteger records =
        BigInteger.valueOf(kinesisLoad.recordsPerSecond())
            .multiply(BigInteger.valueOf(SHARD_WRITE_BYTES_PER_SECOND));
    BigInteger bytes =
        BigInteger.valueOf(kinesisLoad.bytesPerSecond())
            .multiply(BigInteger.valueOf(SHARD_WRITE_RECORDS_PER_SECOND));
    return bytes.compareTo(records) > 0 ? ThroughputDimension.BYTES : ThroughputDimension.RECORDS;
  }

  /**
   * Whether either dimension is strictly above {@code fraction}, compared exactly at the decimal
   * value of {@code fraction} ({@code 0.9} is exactly nine tenths).
   *
   * @param fraction a utilization, finite and {@code >= 0}
   * @return {@code true} if records or bytes use more than {@code fraction} of their limit
   * @throws IllegalArgumentException if {@code fraction} is negative, NaN or infinite
   */
  public boolean exceeds(double fraction) {
    if (!(fraction >= 0) || Double.isInfinite(fraction)) {
      throw new IllegalArgumentException("fraction must be finite and >= 0, got " + fraction);
    }
    Exact.Ratio ratio = Exact.Ratio.of(fraction);
    return Exact.above(records(), SHARD_WRITE_RECORDS_PER_SECOND, shards, ratio)
        || Exact.above(bytes(), SHARD_WRITE_BYTES_PER_SECOND, shards, ratio);
  }

  /**
   * Whether the seed's write alarm fires: records or bytes at or above {@link
   * KinesisLimits#ALARM_UTILIZATION} of their limit ("reaches 90%"). A stream sized at exactly the
   * default target of {@code 0.9} sits exactly on this threshold.
   *
   * @return {@code true} if either dimension is at or above 90 %
   */
  public boolean reachesAlarm() {
    return reaches(KinesisLimits.ALARM_UTILIZATION);
  }

  /**
   * Whether either dimension is at or above {@code fraction}, compared exactly at the decimal value
   * of {@code fraction} ({@code 0.9} is exactly nine tenths).
   *
   * @param fraction a utilization, finite and {@code >= 0}
   * @return {@code true} if records or bytes use at least {@code fraction} of their limit
   * @throws IllegalArgumentException if {@code fraction} is negative, NaN or infinite
   */
  public boolean reaches(double fraction) {
    if (!(fraction >= 0) || Double.isInfinite(fraction)) {
      throw new IllegalArgumentException("fraction must be finite and >= 0, got " + fraction);
    }
    Exact.Ratio ratio = Exact.Ratio.of(fraction);
    return Exact.atLeast(records(), SHARD_WRITE_RECORDS_PER_SECOND, shards, ratio)
        || Exact.atLeast(bytes(), SHARD_WRITE_BYTES_PER_SECOND, shards, ratio);
  }

  private BigInteger records() {
    return BigInteger.valueOf(kinesisLoad.recordsPerSecond());
  }

  private BigInteger bytes() {
    return BigInteger.valueOf(kinesisLoad.bytesPerSecond());
  }
}
