package dev.logstream.core;

import java.time.Instant;

/**
 * A Fluentd event time: whole seconds since the Unix epoch plus nanoseconds.
 *
 * <p>The forward protocol carries seconds as an <em>unsigned</em> 32-bit integer (EventTime ext
 * type 0, or a plain msgpack integer), so valid times run from {@code 1970-01-01T00:00:00Z} to
 * {@code 2106-02-07T06:28:15.999999999Z}. Values are checked on construction; an {@code EventTime}
 * that exists is always representable on the wire:
 *
 * <pre>
 *  EventTime ext (fixext8, type 0), big-endian:
 *  +------+------+------+------+------+------+------+------+------+------+
 *  | 0xd7 | 0x00 |  seconds (uint32)         |  nanoseconds (uint32)     |
 *  +------+------+------+------+------+------+------+------+------+------+
 * </pre>
 *
 * @param seconds seconds since the epoch, {@code 0 .. 4294967295}
 * @param nanos nanoseconds within the second, {@code 0 .. 999999999}
 */
public record EventTime(long seconds, int nanos) implements Comparable<EventTime> {

  /** The largest seconds value the wire format can carry: {@code 2^32 - 1}. */
  public static final long MAX_SECONDS = 0xFFFF_FFFFL;

  /** The largest nanoseconds value: {@code 999_999_999}. */
  public static final int MAX_NANOS = 999_999_999;

  /**
   * Checks the range of both parts.
   *
   * @param seconds seconds since the epoch, {@code 0 .. 2^32-1}
   * @param nanos nanoseconds within the second, {@code 0 .. 999999999}
   * @throws IllegalArgumentException if {@code seconds} is outside {@code 0 .. 2^32-1} or {@code
   *     nanos} outside {@code 0 .. 999999999}
   */
  public EventTime {
    if (seconds < 0 || seconds > MAX_SECONDS) {
      throw new IllegalArgumentException(
          "EventTime seconds must be in 0.." + MAX_SECONDS + " (unsigned 32-bit), got " + seconds);
    }
    if (nanos < 0 || nanos > MAX_NANOS) {
      throw new IllegalArgumentException(
          "EventTime nanos must be in 0.." + MAX_NANOS + ", got " + nanos);
    }
  }

  /**
   * Returns the time for whole seconds since the epoch.
   *
   * @param seconds seconds since the epoch, {@code 0 .. 2^32-1}
   * @return the event time with zero nanoseconds
   * @throws IllegalArgumentException if {@code seconds} is out of range
   */
  public static EventTime ofEpochSecond(long seconds) {
    return new EventTime(seconds, 0);
  }

  /**
   * Returns the time for seconds and nanoseconds since the epoch.
   *
   * @param seconds seconds since the epoch, {@code 0 .. 2^32-1}
   * @param nanos nanoseconds within the second, {@code 0 .. 999999999}
   * @return the event time
   * @throws IllegalArgumentException if either part is out of range
   */
  public static EventTime of(long seconds, int nanos) {
    return new EventTime(seconds, nanos);
  }

  /**
   * Reads the two unsigned 32-bit halves exactly as they appear in the EventTime ext payload.
   *
   * @param secondsBits the first 4 payload bytes as a Java {@code int} (read as unsigned)
   * @param nanosBits the last 4 payload bytes as a Java {@code int} (read as unsigned)
   * @return the event time
   * @throws IllegalArgumentException if the nanoseconds are {@code >= 10^9}
   */
  public static EventTime fromWire(int secondsBits, int nanosBits) {
    long nanos = Integer.toUnsignedLong(nanosBits);
    if (nanos > MAX_NANOS) {
      throw new IllegalArgumentException(
          "EventTime nanos must be in 0.." + MAX_NANOS + ", got " + nanos);
    }
    return new EventTime(Integer.toUnsignedLong(secondsBits), (int) nanos);
  }

  /**
   * Converts an {@link Instant}.
   *
   * @param instant a time between the epoch and {@code 2106-02-07T06:28:15.999999999Z}
   * @return the same time as an event time
   * @throws IllegalArgumentException if the instant is before the epoch or after 2106
   */
  public static EventTime fromInstant(Instant instant) {
    return new EventTime(instant.getEpochSecond(), instant.getNano());
  }

  /**
   * Returns this time as an {@link Instant}.
   *
   * @return the instant
   */
  public Instant toInstant() {
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /**
   * Returns the milliseconds since the epoch, rounded down.
   *
   * @return epoch milliseconds
   */
  public long toEpochMilli() {
    return seconds * 1000L + nanos / 1_000_000;
  }

  @Override
  public int compareTo(EventTime other) {
    int bySeconds = Long.compare(seconds, other.seconds);
    return bySeconds != 0 ? bySeconds : Integer.compare(nanos, other.nanos);
  }

  @Override
  public String toString() {
    return toInstant().toString();
  }
}
