package dev.logstream.core;

/**
 * Writes an {@link EventTime} as ISO-8601 UTC ({@code 2015-12-04T13:39:27Z}) into a byte array
 * without allocating: {@code DateTimeFormatter} would build a {@code String} per record.
 */
final class IsoTimeWriter {
  /** The longest output: {@code 2106-02-07T06:28:15.999999999Z}. */
  static final int MAX_LENGTH = 30;

  private static final int SECONDS_PER_DAY = 86_400;
  private static final int[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  private IsoTimeWriter() {}

  /**
   * Writes {@code time} at {@code target[0..]}.
   *
   * @param precision how many fractional digits to write (truncated, never rounded up)
   * @return the number of bytes written
   */
  static int write(EventTime time, TimePrecision precision, byte[] target) {
    return write(time.seconds(), time.nanos(), precision, target);
  }

  /** Writes the time given by its parts, which must be in {@link EventTime}'s range. */
  static int write(long seconds, int nanos, TimePrecision precision, byte[] target) {
    long days = seconds / SECONDS_PER_DAY;
    int secondOfDay = (int) (seconds % SECONDS_PER_DAY);

    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse); times are
    // never negative here, which keeps every division exact.
    long z = days + 719_468;
    long era = z / 146_097;
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long monthIndex = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * monthIndex + 2) / 5 + 1);
    int month = (int) (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
    int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));

    int p = 0;
    p = digits(year, 4, target, p);
    target[p++] = '-';
    p = digits(month, 2, target, p);
    target[p++] = '-';
    p = digits(day, 2, target, p);
    target[p++] = 'T';
    p = digits(secondOfDay / 3600, 2, target, p);
    target[p++] = ':';
    p = digits(secondOfDay / 60 % 60, 2, target, p);
    target[p++] = ':';
    p = digits(secondOfDay % 60, 2, target, p);
    int fraction = precision.digits();
    if (fraction > 0) {
      target[p++] = '.';
      p = digits(nanos / POWERS_OF_TEN[9 - fraction], fraction, target, p);
    }
    target[p++] = 'Z';
    return p;
  }

  private static int digits(int value, int count, byte[] target, int position) {
    for (int i = position + count - 1; i >= position; i--) {
      target[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return position + count;
  }
}
