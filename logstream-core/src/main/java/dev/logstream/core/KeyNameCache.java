package dev.logstream.core;

import com.fasterxml.jackson.core.io.SerializedString;
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
  static final int MAX_ENTRIES = 1024;
  private static final int SLOTS = MAX_ENTRIES * 2; // load factor 0.5 keeps probe chains short

  private final byte[][] keys = new byte[SLOTS][];
  private final SerializedString[] names = new SerializedString[SLOTS];
  private int size;

  /** Returns the JSON name for {@code bytes[offset, offset+length)}, repairing invalid UTF-8. */
  SerializedString lookup(byte[] bytes, int offset, int length) {
    int hash = hash(bytes, offset, length);
    int mask = SLOTS - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      byte[] key = keys[slot];
      if (key == null) {
        SerializedString name = create(bytes, offset, length);
        if (size < MAX_ENTRIES) {
          keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
          names[slot] = name;
          size++;
        }
        return name;
      }
      if (Arrays.equals(key, 0, key.length, bytes, offset, offset + length)) {
        return names[slot];
      }
    }
  }

  int size() {
    return size;
  }

  private SerializedString create(byte[] bytes, int offset, int length) {
    if (Utf8.isWellFormed(bytes, offset, length)) {
      return new SerializedString(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
    byte[] repaired = new byte[length * Utf8.MAX_EXPANSION];
    int repairedLength = Utf8.repair(bytes, offset, length, repaired);
    return new SerializedString(new String(repaired, 0, repairedLength, StandardCharsets.UTF_8));
  }

  private static int hash(byte[] bytes, int offset, int length) {
    int h = 0x811C9DC5; // FNV-1a
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ bytes[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
