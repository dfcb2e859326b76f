package dev.logstream.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The self-describing records of the kill loop. Sequence numbers are assigned by the buffer, so a
 * record names its writer and that writer's counter, and everything else follows from those two:
 *
 * <pre>
 *  0         4                 12        16                       n-4       n
 * +---------+-----------------+---------+------------------------+---------+
 * | writer  | counter (i64)   | length n| body, from a generator | CRC-32C |
 * | (i32)   |                 | (i32)   | seeded by writer+count | of 0..n-4
 * +---------+-----------------+---------+------------------------+---------+
 * </pre>
 *
 * <p>The length too is derived from writer and counter, so {@link #expected(int, long)} rebuilds
 * the exact bytes a record must have; a payload that differs in any byte is damage.
 */
final class KillLoopPayload {
  static final int HEADER = 16;
  static final int MIN_LENGTH = HEADER + 4;

  private KillLoopPayload() {}

  /** The exact payload of record {@code counter} of {@code writer}. */
  static byte[] expected(int writer, long counter) {
    SplittableRandom random = new SplittableRandom(writer * 0x9E3779B97F4A7C15L + counter);
    int length = length(random);
    byte[] bytes = new byte[length];
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, writer);
    b.putLong(4, counter);
    b.putInt(12, length);
    long word = 0;
    for (int i = HEADER; i < length - 4; i++) {
      if (((i - HEADER) & 7) == 0) {
        word = random.nextLong();
      }
      bytes[i] = (byte) word;
      word >>>= 8;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length - 4);
    b.putInt(length - 4, (int) crc.getValue());
    return bytes;
  }

  /**
   * Mostly small records, some of a few KiB and a few large ones, so 64 KiB segments roll often and
   * a large record sometimes leaves much of a segment unused.
   */
  private static int length(SplittableRandom random) {
    int kind = random.nextInt(1000);
    if (kind < 20) {
      return MIN_LENGTH + random.nextInt(30_000);
    }
    if (kind < 40) {
      return MIN_LENGTH + random.nextInt(6_000);
    }
    return MIN_LENGTH + random.nextInt(300);
  }

  /** The writer a payload names, or -1 if it is too short to name one. */
  static int writer(ByteBuffer payload) {
    return payload.remaining() < HEADER
        ? -1
        : payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(payload.position());
  }

  /** The counter a payload names; call only if {@link #writer(ByteBuffer)} is not -1. */
  static long counter(ByteBuffer payload) {
    return payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(payload.position() + 4);
  }

  /**
   * Whether {@code payload} is exactly the record it names. The payload's position is not moved.
   */
  static boolean verify(ByteBuffer payload) {
    int writer = writer(payload);
    if (writer < 0 || payload.remaining() < MIN_LENGTH) {
      return false;
    }
    return payload.equals(ByteBuffer.wrap(expected(writer, counter(payload))));
  }

  /** A copy of a payload's bytes, for messages. */
  static byte[] copy(ByteBuffer payload) {
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    return bytes;
  }
}
