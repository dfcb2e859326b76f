package dev.logstream.kinesis;

import java.nio.charset.StandardCharsets;

/**
 * The KPL aggregated record format at the byte level: constants, size formulas and the few proto2
 * encoders {@link KplAggregator} needs. Hand-written so the main code has no protobuf runtime.
 *
 * <pre>
 * aggregate  = magic (4) | AggregatedRecord (N) | MD5(AggregatedRecord) (16)
 *
 * AggregatedRecord, as written (one partition key, no explicit hash keys, no tags):
 *   0A varint(k) key[k]                          partition_key_table[0] (field 1, wire type 2)
 *   then per user record:
 *   1A varint(m) Record[m]                       records (field 3, wire type 2)
 *
 * Record[m]:
 *   08 00                                        partition_key_index = 0 (field 1, varint)
 *   1A varint(n) data[n]                         data (field 3, wire type 2)
 *   so m = 2 + 1 + varint(n) + n
 * </pre>
 */
final class KplFormat {

  /** The 4 bytes every aggregate starts with ({@code AGGREGATED_RECORD_MAGIC} in the KCL). */
  static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

  /** Length of the MD5 trailer. */
  static final int DIGEST_LENGTH = 16;

  /** Magic plus trailer: what an aggregate adds around its protobuf message. */
  static final int FIXED_OVERHEAD = MAGIC.length + DIGEST_LENGTH;

  /** Tag of {@code AggregatedRecord.partition_key_table} (field 1, length-delimited). */
  static final byte TAG_PARTITION_KEY_TABLE = 0x0A;

  /** Tag of {@code AggregatedRecord.records} (field 3, length-delimited). */
  static final byte TAG_RECORDS = 0x1A;

  /** Tag of {@code Record.partition_key_index} (field 1, varint). */
  static final byte TAG_PARTITION_KEY_INDEX = 0x08;

  /** Tag of {@code Record.data} (field 3, length-delimited). */
  static final byte TAG_DATA = 0x1A;

  /** Longest partition key Kinesis accepts, in characters. */
  static final int MAX_PARTITION_KEY_CHARS = 256;

  private KplFormat() {}

  /**
   * Bytes of a non-negative {@code int} as a protobuf varint.
   *
   * @param value {@code >= 0}
   * @return 1 to 5
   */
  static int varintSize(int value) {
    if (value < 1 << 7) {
      return 1;
    }
    if (value < 1 << 14) {
      return 2;
    }
    if (value < 1 << 21) {
      return 3;
    }
    return value < 1 << 28 ? 4 : 5;
  }

  /**
   * Writes a non-negative {@code int} as a protobuf varint.
   *
   * @param value {@code >= 0}
   * @param out the target
   * @param offset where to write
   * @return the offset after the varint
   */
  static int writeVarint(int value, byte[] out, int offset) {
    while (value >= 0x80) {
      out[offset++] = (byte) (value | 0x80);
      value >>>= 7;
    }
    out[offset++] = (byte) value;
    return offset;
  }

  /**
   * Bytes of the {@code partition_key_table} entry for a key: tag, length, key.
   *
   * @param keyLength the key's UTF-8 length
   * @return the entry's size
   */
  static int keyEntrySize(int keyLength) {
    return 1 + varintSize(keyLength) + keyLength;
  }

  /**
   * Bytes of one {@code Record} message's body: the key index 0 and the data field.
   *
   * @param dataLength the user record's length
   * @return the body size, without the enclosing tag and length
   */
  static int recordBodySize(int dataLength) {
    return 2 + 1 + varintSize(dataLength) + dataLength;
  }

  /**
   * Bytes one user record adds to the {@code AggregatedRecord}: tag, length and body.
   *
   * @param dataLength the user record's length
   * @return the record's size in the aggregate
   */
  static int recordEntrySize(int dataLength) {
    int body = recordBodySize(dataLength);
    return 1 + varintSize(body) + body;
  }

  /**
   * Checks a partition key against Kinesis's rule (1 to 256 characters) and returns its UTF-8
   * bytes.
   *
   * @param key the key
   * @return its UTF-8 bytes
   * @throws IllegalArgumentException if the key is empty or longer than 256 characters
   */
  static byte[] checkedKeyBytes(String key) {
    int chars = key.codePointCount(0, key.length());
    if (chars < 1 || chars > MAX_PARTITION_KEY_CHARS) {
      throw new IllegalArgumentException(
          "partition key must have 1 to 256 characters, got " + chars);
    }
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
