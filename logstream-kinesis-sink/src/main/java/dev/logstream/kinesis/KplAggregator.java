package dev.logstream.kinesis;

import dev.logstream.core.sink.SinkRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Packs user records into KPL aggregated records, the format the Kinesis Client Library (KCL)
 * deaggregates, with <b>one partition key per aggregate</b>.
 *
 * <h2>Byte layout</h2>
 *
 * <pre>
 * offset 0             4                                        4+N            4+N+16
 *        +-------------+----------------------------------------+--------------+
 *        | F3 89 9A C2 | AggregatedRecord (proto2), N bytes     | MD5 of the N |
 *        |   magic     |                                        | proto bytes  |
 *        +-------------+----------------------------------------+--------------+
 *
 * AggregatedRecord { repeated string partition_key_table = 1;      -- exactly one entry: the key
 *                    repeated string explicit_hash_key_table = 2;  -- never written
 *                    repeated Record records = 3; }
 * Record { required uint64 partition_key_index = 1;                -- always 0
 *          optional uint64 explicit_hash_key_index = 2;            -- never written
 *          required bytes data = 3;
 *          repeated Tag tags = 4; }                                -- never written
 *
 * As written, for key K (k UTF-8 bytes) and user records D1..Dr (n1..nr bytes):
 *   0A varint(k) K                                      partition_key_table[0]
 *   1A varint(m1) 08 00 1A varint(n1) D1                records[0], m1 = 3 + varint(n1) + n1
 *   ...
 *   1A varint(mr) 08 00 1A varint(nr) Dr                records[r-1]
 * </pre>
 *
 * <h2>Why one key per aggregate</h2>
 *
 * The KCL checks every user record of an aggregate against the hash key range of the shard it reads
 * from, and silently drops the <em>whole</em> aggregate when one record's key (MD5 of the partition
 * key as a 128-bit unsigned integer) falls outside. An aggregate here is put with the same
 * partition key its user records carry, so each user record hashes exactly to the shard the
 * aggregate went to, before and after a reshard.
 *
 * <h2>Sizes</h2>
 *
 * An aggregate is measured as Kinesis measures a record: data plus the partition key's UTF-8 bytes.
 * It is closed when the next user record would take it over {@link Builder#maxAggregateBytes(int)};
 * that record starts the next aggregate (with a fresh key if it has no key of its own). An
 * aggregate that holds a single user record is emitted <b>plain</b>: the payload array itself, no
 * envelope, as the KPL does. A user record too large to share an aggregate is therefore emitted
 * plain on its own, and the sink's record limit applies to it as to any plain record.
 *
 * <h2>Copies</h2>
 *
 * A plain aggregate's data is the caller's payload array (not copied). A real aggregate is written
 * once into an exactly-sized array: sizes are computed first, then every payload is copied into it
 * exactly once.
 *
 * <p>Instances are immutable and thread-safe. Build with {@link #builder()}, or take {@link
 * #withDefaults()}.
 */
public final class KplAggregator {

  /** Default of {@link Builder#maxAggregateBytes(int)}: 1 MiB, Kinesis's default record limit. */
  public static final int DEFAULT_MAX_AGGREGATE_BYTES = 1024 * 1024;

  /** Smallest {@link Builder#maxAggregateBytes(int)} (the KPL's lower bound). */
  public static final int MIN_AGGREGATE_BYTES = 64;

  /** Largest {@link Builder#maxAggregateBytes(int)}: 10 MiB, Kinesis's largest record. */
  public static final int MAX_AGGREGATE_BYTES = 10 * 1024 * 1024;

  private final int maxAggregateBytes;
  private final Supplier<String> aggregateKeys;

  private KplAggregator(int maxAggregateBytes, Supplier<String> aggregateKeys) {
    this.maxAggregateBytes = maxAggregateBytes;
    this.aggregateKeys = aggregateKeys;
  }

  /**
   * Starts a builder.
   *
   * @return a builder with no option set
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An aggregator with every default: 1 MiB aggregates, a random UUID as each aggregate's key.
   *
   * @return the aggregator
   */
  public static KplAggregator withDefaults() {
    return builder().build();
  }

  /**
   * The most bytes an aggregate may have, counting data plus partition key as Kinesis does.
   *
   * @return the limit, {@value #MIN_AGGREGATE_BYTES} to {@value #MAX_AGGREGATE_BYTES}
   */
  public int maxAggregateBytes() {
    return maxAggregateBytes;
  }

  /**
   * Describes the aggregator by its limit.
   *
   * @return e.g. {@code KplAggregator[maxAggregateBytes=1048576]}
   */
  @Override
  public String toString() {
    return "KplAggregator[maxAggregateBytes=" + maxAggregateBytes + "]";
  }

  /**
   * Aggregates records that have no partition key of their own: each aggregate gets a key from the
   * {@linkplain Builder#aggregateKeys(Supplier) key supplier}.
   *
   * @param records the records, in order; their payloads are read, never modified
   * @return the aggregates, ordered by their first record
   * @throws IllegalArgumentException if the key supplier returns an invalid key
   * @throws NullPointerException if {@code records} is null or the key supplier returns null
   */
  public List<Aggregate> aggregate(List<SinkRecord> records) {
    return aggregate(records, null);
  }

  /**
   * Aggregates records, each with its own partition key or none. Records that share a key share
   * aggregates under that key; records without a key ({@code null}) share aggregates under keys
   * from the {@linkplain Builder#aggregateKeys(Supplier) key supplier}.
   *
   * @param records the records, in order; their payloads are read, never modified
   * @param partitionKeys index-aligned with {@code records}, an element {@code null} for a record
   *     without a key; or {@code null} if no record has a key
   * @return the aggregates, ordered by their first record
   * @throws IllegalArgumentException if the lists differ in size, or a key is empty or longer than
   *     256 characters
   * @throws NullPointerException if {@code records} is null or the key supplier returns null
   */
  public List<Aggregate> aggregate(List<SinkRecord> records, List<String> partitionKeys) {
    Objects.requireNonNull(records, "records");
    if (partitionKeys != null && partitionKeys.size() != records.size()) {
      throw new IllegalArgumentException(
          "partitionKeys must have one key per record: "
              + partitionKeys.size()
              + " keys for "
              + records.size()
              + " records");
    }
    List<Pending> plan = plan(records, partitionKeys);
    MessageDigest md5 = newMd5();
    List<Aggregate> aggregates = new ArrayList<>(plan.size());
    for (Pending pending : plan) {
      aggregates.add(pending.build(records, md5));
    }
    return aggregates;
  }

  /** Assigns every record to an aggregate, measuring as it goes; no bytes are copied yet. */
  private List<Pending> plan(List<SinkRecord> records, List<String> partitionKeys) {
    List<Pending> plan = new ArrayList<>();
    Pending keyless = null;
    Map<String, Pending> keyed = null;
    for (int i = 0, n = records.size(); i < n; i++) {
      int entry = KplFormat.recordEntrySize(records.get(i).payload().length);
      String key = partitionKeys == null ? null : partitionKeys.get(i);
      if (key == null) {
        if (keyless == null || !keyless.fits(entry)) {
          keyless = new Pending(Objects.requireNonNull(aggregateKeys.get(), "aggregate key"));
          plan.add(keyless);
        }
        keyless.add(i, entry);
      } else {
        if (keyed == null) {
          keyed = new HashMap<>();
        }
        Pending current = keyed.get(key);
        if (current == null || !current.fits(entry)) {
          current = new Pending(key);
          keyed.put(key, current);
          plan.add(current);
        }
        current.add(i, entry);
      }
    }
    return plan;
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must support MD5", e);
    }
  }

  /** An aggregate being planned: its key, its records' indexes and its protobuf size. */
  private final class Pending {
    final String key;
    final byte[] keyBytes;
    int[] indexes = new int[8];
    int count;

    /** Bytes of the AggregatedRecord message so far. */
    long protoSize;

    Pending(String key) {
      this.key = key;
      this.keyBytes = KplFormat.checkedKeyBytes(key);
      this.protoSize = KplFormat.keyEntrySize(keyBytes.length);
    }

    /** Whether a record of this entry size may join; the first record always may. */
    boolean fits(int entry) {
      return count == 0
          || KplFormat.FIXED_OVERHEAD + protoSize + entry + keyBytes.length <= maxAggregateBytes;
    }

    void add(int index, int entry) {
      if (count == indexes.length) {
        indexes = Arrays.copyOf(indexes, count * 2);
      }
      indexes[count++] = index;
      protoSize += entry;
    }

    Aggregate build(List<SinkRecord> records, MessageDigest md5) {
      int[] recordIndexes = Arrays.copyOf(indexes, count);
      long[] sequences = new long[count];
      for (int i = 0; i < count; i++) {
        sequences[i] = records.get(recordIndexes[i]).sequence();
      }
      if (count == 1) {
        return new Aggregate(
            key, records.get(recordIndexes[0]).payload(), false, recordIndexes, sequences);
      }
      int proto = (int) protoSize;
      byte[] out = new byte[KplFormat.FIXED_OVERHEAD + proto];
      System.arraycopy(KplFormat.MAGIC, 0, out, 0, KplFormat.MAGIC.length);
      int at = KplFormat.MAGIC.length;
      out[at++] = KplFormat.TAG_PARTITION_KEY_TABLE;
      at = KplFormat.writeVarint(keyBytes.length, out, at);
      System.arraycopy(keyBytes, 0, out, at, keyBytes.length);
      at += keyBytes.length;
      for (int index : recordIndexes) {
        byte[] data = records.get(index).payload();
        out[at++] = KplFormat.TAG_RECORDS;
        at = KplFormat.writeVarint(KplFormat.recordBodySize(data.length), out, at);
        out[at++] = KplFormat.TAG_PARTITION_KEY_INDEX;
        out[at++] = 0;
        out[at++] = KplFormat.TAG_DATA;
        at = KplFormat.writeVarint(data.length, out, at);
        System.arraycopy(data, 0, out, at, data.length);
        at += data.length;
      }
      md5.update(out, KplFormat.MAGIC.length, proto);
      try {
        md5.digest(out, at, KplFormat.DIGEST_LENGTH);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException("MD5 digest does not fit its 16 bytes", e);
      }
      return new Aggregate(key, out, true, recordIndexes, sequences);
    }
  }

  /**
   * One Kinesis record to put: an aggregate of several user records, or one user record plain.
   *
   * <p>The arrays are shared, not copied, and must not be modified: {@code data} is either a
   * caller's payload (plain) or the aggregate's exactly-sized array, ready for {@code
   * SdkBytes.fromByteArrayUnsafe}. Equality is the record's default (arrays compare by identity).
   *
   * @param partitionKey the key to put the record with; every user record inside carries it too
   * @param data the record's bytes: the KPL envelope if {@code aggregated}, else the payload
   * @param aggregated whether {@code data} is a KPL aggregate (two or more user records)
   * @param recordIndexes the user records' indexes in the list given to {@code aggregate}, in
   *     aggregate order, so the sink can give each of them the outcome of this record
   * @param sequences the user records' {@link SinkRecord#sequence() sequences}, index-aligned with
   *     {@code recordIndexes}
   */
  public record Aggregate(
      String partitionKey, byte[] data, boolean aggregated, int[] recordIndexes, long[] sequences) {

    /**
     * Checks the components.
     *
     * @param partitionKey the key
     * @param data the bytes
     * @param aggregated whether {@code data} is a KPL aggregate
     * @param recordIndexes the user records' indexes
     * @param sequences the user records' sequences
     * @throws NullPointerException if any reference is null
     * @throws IllegalArgumentException if the index and sequence arrays differ in length or are
     *     empty
     */
    public Aggregate {
      Objects.requireNonNull(partitionKey, "partitionKey");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(recordIndexes, "recordIndexes");
      Objects.requireNonNull(sequences, "sequences");
      if (recordIndexes.length == 0 || recordIndexes.length != sequences.length) {
        throw new IllegalArgumentException(
            "recordIndexes and sequences must be non-empty and of one length, got "
                + recordIndexes.length
                + " and "
                + sequences.length);
      }
    }

    /**
     * How Kinesis counts this record against its limits: data plus the partition key's UTF-8 bytes.
     *
     * @return the size in bytes
     */
    public int kinesisSize() {
      return data.length + utf8Length(partitionKey);
    }

    /**
     * Describes the aggregate by key, size and record count, never its content.
     *
     * @return e.g. {@code Aggregate[partitionKey=k, data=1000 bytes, records=9, aggregated=true]}
     */
    @Override
    public String toString() {
      return "Aggregate[partitionKey="
          + partitionKey
          + ", data="
          + data.length
          + " bytes, records="
          + recordIndexes.length
          + ", aggregated="
          + aggregated
          + "]";
    }

    private static int utf8Length(String s) {
      int bytes = 0;
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          bytes += 1;
        } else if (c < 0x800) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      }
      return bytes;
    }
  }

  /**
   * Builds a {@link KplAggregator}. Each option may be set once and is checked when set; {@link
   * #build()} may be called again.
   */
  public static final class Builder {
    private Integer maxAggregateBytes;
    private Supplier<String> aggregateKeys;

    private Builder() {}

    /**
     * Sets the most bytes an aggregate may have, counted as Kinesis counts a record (data plus
     * partition key UTF-8 bytes, the envelope included); default {@value
     * KplAggregator#DEFAULT_MAX_AGGREGATE_BYTES}. Keep it at or below the stream's record limit.
     *
     * @param bytes {@value KplAggregator#MIN_AGGREGATE_BYTES} to {@value
     *     KplAggregator#MAX_AGGREGATE_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxAggregateBytes(int bytes) {
      requireUnset("maxAggregateBytes", maxAggregateBytes);
      if (bytes < MIN_AGGREGATE_BYTES || bytes > MAX_AGGREGATE_BYTES) {
        throw new IllegalArgumentException(
            "maxAggregateBytes must be in "
                + MIN_AGGREGATE_BYTES
                + ".."
                + MAX_AGGREGATE_BYTES
                + ", got "
                + bytes);
      }
      maxAggregateBytes = bytes;
      return this;
    }

    /**
     * Sets where aggregates of records without a key of their own get their partition key; called
     * once per such aggregate. Default: a random UUID, which spreads aggregates over all shards.
     *
     * @param keys returns keys of 1 to 256 characters
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code keys} is null
     */
    public Builder aggregateKeys(Supplier<String> keys) {
      requireUnset("aggregateKeys", aggregateKeys);
      aggregateKeys = Objects.requireNonNull(keys, "keys");
      return this;
    }

    /**
     * Builds the aggregator; does not change this builder.
     *
     * @return the aggregator
     */
    public KplAggregator build() {
      return new KplAggregator(
          maxAggregateBytes == null ? DEFAULT_MAX_AGGREGATE_BYTES : maxAggregateBytes,
          aggregateKeys == null ? () -> UUID.randomUUID().toString() : aggregateKeys);
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
