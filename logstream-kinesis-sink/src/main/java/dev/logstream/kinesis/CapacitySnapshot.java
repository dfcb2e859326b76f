package dev.logstream.kinesis;

import dev.logstream.core.capacity.ThroughputDimension;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link CapacityMonitor}'s view of one stream, taken by {@link CapacityMonitor#utilization()}:
 * what Kinesis accepted over the last {@code window} (whole seconds, the current second excluded)
 * against the open shards' write limits.
 *
 * <p>Records and bytes are what Kinesis counts: PutRecords entries (an aggregated KPL record is
 * one) and their data plus partition key bytes. Utilization is {@code 0} while the shard count is
 * not known ({@code shards == 0}).
 *
 * @param stream the stream's name or ARN, as given to the monitor
 * @param shards the open shard count, {@code 0} if not known yet
 * @param window the span the rates are averaged over
 * @param records entries Kinesis accepted within the window
 * @param bytes data plus partition key bytes of those entries
 * @param throttledRecords entries Kinesis throttled within the window
 * @param recordsUtilization records per second over the shards' record limit
 * @param bytesUtilization bytes per second over the shards' byte limit
 * @param binding the busier dimension, compared exactly ({@link ThroughputDimension#RECORDS} on a
 *     tie)
 * @param atOrAboveThreshold whether either dimension is at or above the monitor's threshold,
 *     compared exactly at the threshold's decimal value
 */
public record CapacitySnapshot(
    String stream,
    int shards,
    Duration window,
    long records,
    long bytes,
    long throttledRecords,
    double recordsUtilization,
    double bytesUtilization,
    ThroughputDimension binding,
    boolean atOrAboveThreshold) {

  /**
   * Checks the references.
   *
   * @param stream the stream
   * @param shards the open shard count
   * @param window the span of the rates
   * @param records entries accepted
   * @param bytes bytes accepted
   * @param throttledRecords entries throttled
   * @param recordsUtilization the records utilization
   * @param bytesUtilization the bytes utilization
   * @param binding the busier dimension
   * @param atOrAboveThreshold whether the threshold is reached
   * @throws NullPointerException if a reference is null
   */
  public CapacitySnapshot {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(binding, "binding");
  }

  /**
   * Returns the larger of the two utilizations: the number to alarm on.
   *
   * @return {@code max(recordsUtilization, bytesUtilization)}
   */
  public double utilization() {
    return Math.max(recordsUtilization, bytesUtilization);
  }
}
