package dev.logstream.core;

/** Reads the two msgpack extension types that carry a time. */
final class ExtensionTimes {
  /** Fluentd's EventTime: 4-byte seconds, 4-byte nanoseconds, both unsigned big-endian. */
  static final byte FLUENTD_EVENT_TIME = 0;

  /** The msgpack spec's timestamp: 32, 64 or 96-bit forms. */
  static final byte MSGPACK_TIMESTAMP = -1;

  private ExtensionTimes() {}

  /**
   * Returns the time an extension value carries, or {@code null} if it is not a time extension or
   * its time is outside what {@link EventTime} can hold (then it is written as plain bytes).
   */
  static EventTime decode(byte type, byte[] bytes, int offset, int length) {
    if (type == FLUENTD_EVENT_TIME && length == 8) {
      long nanos = Integer.toUnsignedLong(readInt(bytes, offset + 4));
      return nanos <= EventTime.MAX_NANOS
          ? EventTime.of(Integer.toUnsignedLong(readInt(bytes, offset)), (int) nanos)
          : null;
    }
    if (type != MSGPACK_TIMESTAMP) {
      return null;
    }
    long seconds;
    long nanos;
    switch (length) {
      case 4 -> {
        seconds = Integer.toUnsignedLong(readInt(bytes, offset));
        nanos = 0;
      }
      case 8 -> {
        long both =
            ((long) readInt(bytes, offset) << 32)
                | Integer.toUnsignedLong(readInt(bytes, offset + 4));
        nanos = both >>> 34;
        seconds = both & 0x3_FFFF_FFFFL;
      }
      case 12 -> {
        nanos = Integer.toUnsignedLong(readInt(bytes, offset));
        seconds =
            ((long) readInt(bytes, offset + 4) << 32)
                | Integer.toUnsignedLong(readInt(bytes, offset + 8));
      }
      default -> {
        return null;
      }
    }
    if (seconds < 0 || seconds > EventTime.MAX_SECONDS || nanos > EventTime.MAX_NANOS) {
      return null;
    }
    return EventTime.of(seconds, (int) nanos);
  }

  private static int readInt(byte[] bytes, int offset) {
    return (bytes[offset] & 0xFF) << 24
        | (bytes[offset + 1] & 0xFF) << 16
        | (bytes[offset + 2] & 0xFF) << 8
        | (bytes[offset + 3] & 0xFF);
  }
}
