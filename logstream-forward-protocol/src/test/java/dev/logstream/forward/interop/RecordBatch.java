package dev.logstream.forward.interop;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What to send: {@code count} {@link DockerRecords} under one tag, record {@code i} stamped {@code
 * firstEventTime + i} milliseconds.
 *
 * @param tag the forward-protocol tag
 * @param prefix the text after {@code line-<i>-} in every log line
 * @param count how many records, at least 1
 * @param firstEventTime the time of record 0
 */
public record RecordBatch(String tag, String prefix, int count, Instant firstEventTime) {

  /** Validates the batch. */
  public RecordBatch {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(firstEventTime, "firstEventTime");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
  }

  /** The time of record {@code i}. */
  public Instant eventTime(int i) {
    return firstEventTime.plus(Duration.ofMillis(i));
  }

  /** The {@code log} strings of the batch, in order. */
  public List<String> logs() {
    return DockerRecords.logs(prefix, count);
  }
}
