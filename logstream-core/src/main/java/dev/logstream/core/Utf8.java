package dev.logstream.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * UTF-8 validation and repair, allocation-free.
 *
 * <p>Docker splits long lines every 16 KiB without looking at character boundaries, and clients
 * pack arbitrary bytes as msgpack {@code str}, so string bytes are checked before they reach JSON.
 * Invalid input is repaired the way the Unicode Standard (§3.9, "U+FFFD substitution of maximal
 * subparts") and the WHATWG Encoding spec recommend: each maximal subpart of an ill-formed sequence
 * becomes one U+FFFD. Overlong forms, UTF-16 surrogates (CESU-8) and code points above U+10FFFF are
 * ill-formed.
 */
final class Utf8 {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  /** U+FFFD REPLACEMENT CHARACTER in UTF-8. */
  static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

  /** The worst case growth: every input byte becomes a 3-byte replacement. */
  static final int MAX_EXPANSION = 3;

  private Utf8() {}

  /** Returns whether {@code bytes[offset, offset+length)} is well-formed UTF-8. */
  static boolean isWellFormed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    // Log lines are mostly ASCII: check eight bytes at a time until the first non-ASCII byte.
    while (i + Long.BYTES <= end && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
      i += Long.BYTES;
    }
    while (i < end) {
      if (bytes[i] >= 0) {
        i++;
        continue;
      }
      int sequence = sequenceLength(bytes, i, end);
      if (sequence < 0) {
        return false;
      }
      i += sequence;
    }
    return true;
  }

  /**
   * Copies {@code bytes[offset, offset+length)} into {@code target} from index 0, replacing each
   * maximal ill-formed subpart with U+FFFD.
   *
   * @param target must have room for {@code length * MAX_EXPANSION} bytes
   * @return the number of bytes written
   */
  static int repair(byte[] bytes, int offset, int length, byte[] target) {
    int end = offset + length;
    int i = offset;
    int out = 0;
    while (i < end) {
      byte b = bytes[i];
      if (b >= 0) {
        target[out++] = b;
        i++;
        continue;
      }
      int sequence = sequenceLength(bytes, i, end);
      if (sequence > 0) {
        System.arraycopy(bytes, i, target, out, sequence);
        out += sequence;
        i += sequence;
      } else {
        target[out++] = REPLACEMENT[0];
        target[out++] = REPLACEMENT[1];
        target[out++] = REPLACEMENT[2];
        i += -sequence;
      }
    }
    return out;
  }

  /**
   * Classifies the sequence that starts with the non-ASCII byte at {@code i}.
   *
   * @return its length if well-formed, or minus the length of the maximal ill-formed subpart
   */
  static int sequenceLength(byte[] bytes, int i, int end) {
    int lead = bytes[i] & 0xFF;
    int needed;
    int secondMin = 0x80;
    int secondMax = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      needed = 2;
      if (lead == 0xE0) {
        secondMin = 0xA0; // below is overlong
      } else if (lead == 0xED) {
        secondMax = 0x9F; // above encodes a UTF-16 surrogate
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      needed = 3;
      if (lead == 0xF0) {
        secondMin = 0x90; // below is overlong
      } else if (lead == 0xF4) {
        secondMax = 0x8F; // above is beyond U+10FFFF
      }
    } else {
      return -1; // continuation byte without a lead, C0/C1 overlong lead, or F5..FF
    }
    if (i + 1 >= end) {
      return -1;
    }
    int second = bytes[i + 1] & 0xFF;
    if (second < secondMin || second > secondMax) {
      return -1;
    }
    for (int k = 2; k <= needed; k++) {
      if (i + k >= end || (bytes[i + k] & 0xC0) != 0x80) {
        return -k;
      }
    }
    return needed + 1;
  }
}
