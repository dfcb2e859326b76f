package dev.logstream.core;

/**
 * How many fractional digits the {@code "time"} field of a Kinesis record carries.
 *
 * <p>{@link #SECONDS} reproduces the seed's records ({@code 2015-12-04T13:39:27Z}); the others
 * always print exactly their number of digits, so consumers can parse with a fixed pattern ({@code
 * 2015-12-04T13:39:27.120Z} for {@link #MILLIS}).
 */
public enum TimePrecision {
  /** Whole seconds: {@code 2015-12-04T13:39:27Z}. */
  SECONDS(0),
  /** Milliseconds: {@code 2015-12-04T13:39:27.123Z}. */
  MILLIS(3),
  /** Microseconds: {@code 2015-12-04T13:39:27.123456Z}. */
  MICROS(6),
  /** Nanoseconds: {@code 2015-12-04T13:39:27.123456789Z}. */
  NANOS(9);

  private final int digits;

  TimePrecision(int digits) {
    this.digits = digits;
  }

  /**
   * Returns the number of fractional-second digits written.
   *
   * @return 0, 3, 6 or 9
   */
  public int digits() {
    return digits;
  }
}
