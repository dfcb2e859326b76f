package dev.logstream.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Turns raw string bytes into the inside of a JSON string in one pass: UTF-8 repaired (see {@link
 * Utf8}) and escaped exactly as Jackson's {@code UTF8JsonGenerator} escapes (quote, backslash, the
 * short forms {@code \b \t \n \f \r}, {@code \}{@code u00XX} with upper-case hex for the other
 * controls below U+0020, everything else verbatim).
 *
 * <p>Why not let Jackson escape? Its generator checks one byte at a time, and the record encoder
 * would then scan every value twice (once to validate UTF-8, once to escape). Here clean runs of
 * eight bytes (no control, quote, backslash or non-ASCII byte: most of a log line) are checked and
 * copied as one {@code long}. Jackson still writes the structure; a property test pins this
 * escaping to Jackson's byte for byte.
 */
final class JsonStrings {
  /** The worst case growth: every byte a control character written as {@code \}{@code u00XX}. */
  static final int MAX_EXPANSION = 6;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
  private static final long SPACES = 0x2020_2020_2020_2020L;
  private static final long QUOTES = 0x2222_2222_2222_2222L;
  private static final long BACKSLASHES = 0x5C5C_5C5C_5C5C_5C5CL;
  private static final byte[] HEX =
      "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** For ASCII: 0 = copy, a letter = short escape, -1 = {@code \}{@code u00XX}. */
  private static final byte[] ESCAPES = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = -1;
    }
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
  }

  private JsonStrings() {}

  /**
   * Returns how many leading bytes of {@code bytes[offset, offset+length)} need no escaping and no
   * repair: all of them for most log fields, which can then be written as they are.
   */
  static int plainLength(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i + Long.BYTES <= end) {
      long special = specialBytes((long) LONGS.get(bytes, i));
      if (special != 0) {
        return i - offset + (Long.numberOfTrailingZeros(special) >>> 3);
      }
      i += Long.BYTES;
    }
    while (i < end) {
      byte b = bytes[i];
      if (b < 0 || ESCAPES[b] != 0) {
        return i - offset;
      }
      i++;
    }
    return length;
  }

  /**
   * Writes the escaped, repaired form of {@code bytes[offset, offset+length)} into {@code target}
   * from index 0.
   *
   * @param target must have room for {@code length * MAX_EXPANSION} bytes
   * @return the number of bytes written
   */
  static int escape(byte[] bytes, int offset, int length, byte[] target) {
    return escape(bytes, offset, length, target, 0);
  }

  /**
   * Like {@link #escape(byte[], int, int, byte[])}, writing from {@code target[targetOffset]}.
   *
   * @param target must have room for {@code length * MAX_EXPANSION} bytes after {@code
   *     targetOffset}
   * @return the number of bytes written
   */
  static int escape(byte[] bytes, int offset, int length, byte[] target, int targetOffset) {
    int end = offset + length;
    int lastWord = end - Long.BYTES; // a full word can be read at any i <= lastWord
    int i = offset;
    int out = targetOffset;
    boolean tailChecked = false;
    while (i < end) {
      if (i <= lastWord) {
        long word = (long) LONGS.get(bytes, i);
        long special = specialBytes(word);
        // Copy the whole word; only its plain prefix counts, the rest is overwritten below.
        LONGS.set(target, out, word);
        if (special == 0) {
          i += Long.BYTES;
          out += Long.BYTES;
          continue;
        }
        int plain = Long.numberOfTrailingZeros(special) >>> 3;
        i += plain;
        out += plain;
      } else if (!tailChecked && length >= Long.BYTES) {
        // Fewer than eight bytes left: re-read the last eight. If they are plain, the bytes before
        // the tail in that word were plain too, so they sit verbatim just before 'out' and
        // rewriting them with the same values is harmless.
        tailChecked = true;
        long last = (long) LONGS.get(bytes, lastWord);
        if (isPlain(last)) {
          int remaining = end - i;
          LONGS.set(target, out + remaining - Long.BYTES, last);
          return out + remaining - targetOffset;
        }
      }
      byte b = bytes[i];
      if (b >= 0) {
        byte escape = ESCAPES[b];
        if (escape == 0) {
          target[out++] = b;
        } else if (escape > 0) {
          target[out++] = '\\';
          target[out++] = escape;
        } else {
          target[out++] = '\\';
          target[out++] = 'u';
          target[out++] = '0';
          target[out++] = '0';
          target[out++] = HEX[b >> 4];
          target[out++] = HEX[b & 0xF];
        }
        i++;
        continue;
      }
      int sequence = Utf8.sequenceLength(bytes, i, end);
      if (sequence > 0) {
        System.arraycopy(bytes, i, target, out, sequence);
        out += sequence;
        i += sequence;
      } else {
        target[out++] = Utf8.REPLACEMENT[0];
        target[out++] = Utf8.REPLACEMENT[1];
        target[out++] = Utf8.REPLACEMENT[2];
        i -= sequence;
      }
    }
    return out - targetOffset;
  }

  /** True if none of the eight bytes is non-ASCII, a control, a quote or a backslash. */
  private static boolean isPlain(long word) {
    return specialBytes(word) == 0;
  }

  /**
   * Marks (high bit of the byte) the bytes that are non-ASCII, a control, a quote or a backslash.
   * Bytes after the first special one may be marked falsely (borrows propagate upwards), but the
   * lowest mark, the one the caller uses, is always right.
   */
  private static long specialBytes(long word) {
    // High bit set where a byte is below 0x20 (the subtraction borrows) or at least 0x80.
    long controlsOrHigh = (word - SPACES) | word;
    long quotes = hasZeroByte(word ^ QUOTES);
    long backslashes = hasZeroByte(word ^ BACKSLASHES);
    return (controlsOrHigh | quotes | backslashes) & HIGH_BITS;
  }

  private static long hasZeroByte(long word) {
    return (word - ONES) & ~word;
  }
}
