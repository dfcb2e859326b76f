package dev.logstream.kinesis;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the Kinesis partition key of each record, and with it the shard the record lands on.
 *
 * <p>Built-in strategies: {@link #randomUuid()} (the default: spreads records evenly over all
 * shards), {@link #fixed(String)} (every record on one shard), {@link #field(String)} (a top-level
 * member of the record's JSON object, as written by {@code
 * dev.logstream.core.KinesisRecordEncoder}) and {@link #tag()} (its {@code "tag"} member). A key
 * must be 1 to {@value #MAX_KEY_LENGTH} characters; the sink answers a record whose key is not as
 * {@link dev.logstream.core.sink.FatalReason#INVALID}.
 *
 * <p>Implementations must be thread-safe and must not modify the payload.
 */
@FunctionalInterface
public interface PartitionKeyStrategy {
  /** The longest partition key Kinesis accepts, in characters. */
  int MAX_KEY_LENGTH = 256;

  /**
   * Returns the partition key of one record.
   *
   * @param payload the record's data, which must not be modified
   * @return the key, 1 to {@value #MAX_KEY_LENGTH} characters
   */
  String partitionKey(byte[] payload);

  /**
   * A random version-4 UUID per record (36 characters), the seed's behaviour: records spread evenly
   * over all shards. Uses {@link ThreadLocalRandom}, not a secure random: the key only spreads
   * load.
   *
   * @return the strategy
   */
  static PartitionKeyStrategy randomUuid() {
    return PartitionKeys.RANDOM_UUID;
  }

  /**
   * The same key for every record: all records go to one shard, in order of arrival per request.
   *
   * @param key 1 to {@value #MAX_KEY_LENGTH} characters
   * @return the strategy
   * @throws IllegalArgumentException if the key is empty or too long
   * @throws NullPointerException if {@code key} is null
   */
  static PartitionKeyStrategy fixed(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "fixed partition key must be 1 to "
              + MAX_KEY_LENGTH
              + " characters, got "
              + key.length());
    }
    return new PartitionKeys.Fixed(key);
  }

  /**
   * The value of a top-level member of the record's JSON object: a string as it is, a number or
   * boolean as its JSON text. A record without the member, or with an empty, null or structured
   * value, gets a random UUID key instead (so it is still delivered); a value longer than {@value
   * #MAX_KEY_LENGTH} characters is cut to that length.
   *
   * @param name the member's name, not empty
   * @return the strategy
   * @throws IllegalArgumentException if {@code name} is empty
   * @throws NullPointerException if {@code name} is null
   */
  static PartitionKeyStrategy field(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("partition key field name must not be empty");
    }
    return new PartitionKeys.Field(name);
  }

  /**
   * The record's Fluentd tag, i.e. its {@code "tag"} member (see {@link #field(String)} for records
   * without one): all records of a tag go to one shard.
   *
   * @return the strategy
   */
  static PartitionKeyStrategy tag() {
    return PartitionKeys.TAG;
  }
}
