package dev.logstream.core.capacity;

/**
 * A steady write load: whole records per second and whole bytes per second.
 *
 * <p>Bytes count what Kinesis counts against the shard limits when the records are sent one by one:
 * each record's data blob plus its partition key (a random UUID key, the seed's default, adds 36
 * bytes per record). Round fractional rates up. Integer rates keep the capacity math exact.
 *
 * @param recordsPerSecond records per second, {@code >= 0}
 * @param bytesPerSecond bytes per second, data plus partition keys, {@code >= 0}
 */
public record WriteLoad(long recordsPerSecond, long bytesPerSecond) {

  /**
   * Checks that both rates are non-negative.
   *
   * @param recordsPerSecond records per second, {@code >= 0}
   * @param bytesPerSecond bytes per second, data plus partition keys, {@code >= 0}
   * @throws IllegalArgumentException if either rate is negative
   */
  public WriteLoad {
    if (recordsPerSecond < 0) {
      throw new IllegalArgumentException("recordsPerSecond must be >= 0, got " + recordsPerSecond);
    }
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0, got " + bytesPerSecond);
    }
  }

  /**
   * Returns the load of {@code recordsPerSecond} records carrying {@code bytesPerSecond} bytes.
   *
   * @param recordsPerSecond records per second, {@code >= 0}
   * @param bytesPerSecond bytes per second, data plus partition keys, {@code >= 0}
   * @return the load
   * @throws IllegalArgumentException if either rate is negative
   */
  public static WriteLoad of(long recordsPerSecond, long bytesPerSecond) {
    return new WriteLoad(recordsPerSecond, bytesPerSecond);
  }
}
