package dev.logstream.kinesis;

import dev.logstream.core.capacity.ThroughputDimension;
import java.time.Instant;
import java.util.Objects;

/**
 * An alert of a {@link CapacityMonitor}: the stream's write utilization stayed at or above the
 * threshold, or Kinesis throttled writes.
 *
 * @param stream the stream's name or ARN, as given to the monitor
 * @param reason why the alert fired
 * @param utilization the utilization of the binding dimension over the monitor's window when the
 *     alert fired, {@code 1.0} meaning fully used
 * @param binding the busier dimension, records or bytes per second
 * @param shards the open shard count the utilization was computed against, {@code 0} if not known
 *     yet
 * @param since when utilization first reached the threshold without dropping below it since ({@link
 *     Reason#SUSTAINED_HIGH_UTILIZATION}), or when throttling appeared ({@link Reason#THROTTLING})
 */
public record CapacityAlert(
    String stream,
    Reason reason,
    double utilization,
    ThroughputDimension binding,
    int shards,
    Instant since) {

  /** Why a {@link CapacityAlert} fired. */
  public enum Reason {
    /** Utilization stayed at or above the threshold for the monitor's {@code sustainFor}. */
    SUSTAINED_HIGH_UTILIZATION,
    /** Kinesis answered records with a throttling error after a window without any. */
    THROTTLING
  }

  /**
   * Checks the references.
   *
   * @param stream the stream
   * @param reason why the alert fired
   * @param utilization the utilization of the binding dimension
   * @param binding the busier dimension
   * @param shards the open shard count, {@code 0} if not known
   * @param since when the condition began
   * @throws NullPointerException if a reference is null
   */
  public CapacityAlert {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(since, "since");
  }
}
