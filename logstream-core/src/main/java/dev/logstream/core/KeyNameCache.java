package dev.logstream.core;

import com.fasterxml.jackson.core.io.SerializedString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Field names already seen, as pre-escaped {@link SerializedString}s keyed by their raw bytes.
 *
 * <p>Log records repeat the same handful of keys ({@code container_id}, {@code log}, ...), so after
 * the first record a name costs one hash and one byte comparison and allocates nothing. The table
 * is bounded: once {@link #MAX_ENTRIES} names are cached, new names are built per use, so a client
 * sending random keys cannot grow memory.
 */
final class KeyNameCache {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

  static final int MAX_ENTRIES = 1024;
  private static final int SLOTS = MAX_ENTRIES * 2; // load factor 0.5 keeps probe chains short

  private final byte[][] keys = new byte[SLOTS][];
  private final Entry[] entries = new Entry[SLOTS];
  private final byte[][] reservedNames;
  private int size;

  /**
   * Creates an empty cache.
   *
   * @param reservedNames names to flag as {@link Entry#reserved()}, compared as raw bytes
   */
  KeyNameCache(byte[]... reservedNames) {
    this.reservedNames = reservedNames.clone();
  }

  /** A cached field name: the JSON name and whether it is one of the reserved names. */
  record Entry(SerializedString name, boolean reserved) {}

  /** Returns the entry for {@code bytes[offset, offset+length)}, repairing invalid UTF-8. */
  Entry lookup(byte[] bytes, int offset, int length) {
    int hash = hash(bytes, offset, length);
    int mask = SLOTS - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      byte[] key = keys[slot];
      if (key == null) {
        Entry entry = new Entry(create(bytes, offset, length), isReserved(bytes, offset, length));
        if (size < MAX_ENTRIES) {
          keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
          entries[slot] = entry;
          size++;
        }
        return entry;
      }
      if (sameBytes(key, bytes, offset, length)) {
        return entries[slot];
      }
    }
  }

  int size() {
    return size;
  }

  /** Compares short keys, the usual ones, as one or two longs instead of calling mismatch. */
  private static boolean sameBytes(byte[] key, byte[] bytes, int offset, int length) {
    if (key.length != length) {
      return false;
    }
    if (length >= Long.BYTES && length <= 2 * Long.BYTES) {
      return (long) LONGS.get(key, 0) == (long) LONGS.get(bytes, offset)
          && (long) LONGS.get(key, length - Long.BYTES)
              == (long) LONGS.get(bytes, offset + length - Long.BYTES);
    }
    if (length < Long.BYTES) {
      for (int i = 0; i < length; i++) {
        if (key[i] != bytes[offset + i]) {
          return false;
        }
      }
      return true;
    }
    return Arrays.equals(key, 0, length, bytes, offset, offset + length);
  }

  private boolean isReserved(byte[] bytes, int offset, int length) {
    for (byte[] reserved : reservedNames) {
      if (Arrays.equals(reserved, 0, reserved.length, bytes, offset, offset + length)) {
        return true;
      }
    }
    return false;
  }

  private SerializedString create(byte[] bytes, int offset, int length) {
    if (Utf8.isWellFormed(bytes, offset, length)) {
      return new SerializedString(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
    byte[] repaired = new byte[length * Utf8.MAX_EXPANSION];
    int repairedLength = Utf8.repair(bytes, offset, length, repaired);
    return new SerializedString(new String(repaired, 0, repairedLength, StandardCharsets.UTF_8));
  }

  /**
   * Hashes the length and the first and last eight bytes: keys differ early or late, and a
   * byte-at-a-time hash would cost more than the rest of the lookup.
   */
  private static int hash(byte[] bytes, int offset, int length) {
    long h;
    if (length >= Long.BYTES) {
      h =
          (long) LONGS.get(bytes, offset) * GOLDEN
              ^ (long) LONGS.get(bytes, offset + length - Long.BYTES);
    } else {
      h = 0;
      for (int i = offset; i < offset + length; i++) {
        h = (h << 8) | (bytes[i] & 0xFF);
      }
    }
    h = (h ^ length) * GOLDEN;
    return (int) (h ^ (h >>> 32));
  }
}
