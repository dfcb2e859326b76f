package dev.logstream.kinesis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The built-in {@link PartitionKeyStrategy} implementations. */
final class PartitionKeys {
  static final PartitionKeyStrategy RANDOM_UUID = new RandomUuid();
  static final PartitionKeyStrategy TAG = new Field("tag");
  private static final JsonFactory JSON = new JsonFactory();

  private PartitionKeys() {}

  static final class RandomUuid implements PartitionKeyStrategy {
    @Override
    public String partitionKey(byte[] payload) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
      long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
      return new UUID(msb, lsb).toString();
    }

    @Override
    public String toString() {
      return "randomUuid";
    }
  }

  record Fixed(String key) implements PartitionKeyStrategy {
    @Override
    public String partitionKey(byte[] payload) {
      return key;
    }

    @Override
    public String toString() {
      return "fixed(" + key + ")";
    }
  }

  record Field(String name) implements PartitionKeyStrategy {
    @Override
    public String partitionKey(byte[] payload) {
      String key = ownKey(payload);
      return key == null ? RANDOM_UUID.partitionKey(payload) : key;
    }

    /**
     * The record's own key, cut to the longest key; null if it has none (the member is absent,
     * empty, null or structured), where {@link #partitionKey} falls back to a random UUID.
     */
    String ownKey(byte[] payload) {
      String value = read(payload);
      if (value == null || value.isEmpty()) {
        return null;
      }
      return value.length() > PartitionKeyStrategy.MAX_KEY_LENGTH
          ? value.substring(0, PartitionKeyStrategy.MAX_KEY_LENGTH)
          : value;
    }

    private String read(byte[] payload) {
      try (JsonParser parser = JSON.createParser(payload)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          boolean match = name.equals(parser.currentName());
          JsonToken value = parser.nextToken();
          if (match) {
            return value.isScalarValue() && value != JsonToken.VALUE_NULL ? parser.getText() : null;
          }
          parser.skipChildren();
        }
        return null;
      } catch (IOException malformed) {
        return null;
      }
    }

    @Override
    public String toString() {
      return "field(" + name + ")";
    }
  }
}
