package dev.logstream.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a Kinesis record's {@code data} blob, as written by {@link KinesisRecordEncoder}, back into
 * a {@link LogEvent}: for consumers of the stream and for tests.
 *
 * <p>{@code "time"} (ISO-8601, any fraction) and {@code "tag"} become the event's time and tag;
 * every other member becomes a field, in order. JSON cannot say everything msgpack can, so values
 * come back as JSON sees them: strings as {@link FieldValue.StringValue}, whole numbers as {@link
 * FieldValue.IntegerValue} (within msgpack's range, otherwise a double), other numbers as double
 * {@link FieldValue.FloatValue}, objects as {@link FieldValue.MapValue} with string keys. Binary
 * and non-finite floats, which the encoder writes as strings, come back as strings. Thread-safe.
 */
public final class KinesisRecordDecoder {
  private final String timeKey;
  private final String tagKey;

  private KinesisRecordDecoder(String timeKey, String tagKey) {
    this.timeKey = timeKey;
    this.tagKey = tagKey;
  }

  /**
   * Returns a decoder for records with the default {@code "time"} and {@code "tag"} keys.
   *
   * @return the decoder
   */
  public static KinesisRecordDecoder create() {
    return new KinesisRecordDecoder("time", "tag");
  }

  /**
   * Returns a decoder for records written with custom time and tag keys.
   *
   * @param timeKey the name of the time field
   * @param tagKey the name of the tag field
   * @return the decoder
   */
  public static KinesisRecordDecoder withKeys(String timeKey, String tagKey) {
    return new KinesisRecordDecoder(
        Objects.requireNonNull(timeKey, "timeKey"), Objects.requireNonNull(tagKey, "tagKey"));
  }

  /**
   * Decodes one record.
   *
   * @param data the record's data blob
   * @return the event
   * @throws RecordDecodingException if the data is not a JSON object with a valid time and tag
   */
  public LogEvent decode(byte[] data) {
    try (JsonParser parser = JsonSupport.FACTORY.createParser(data)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new RecordDecodingException("record data must be a JSON object: " + preview(data));
      }
      String tag = null;
      EventTime time = null;
      List<LogEvent.Field> fields = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (name.equals(timeKey) && time == null) {
          time = parseTime(parser);
        } else if (name.equals(tagKey) && tag == null) {
          if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new RecordDecodingException(
                "record field '" + tagKey + "' must be a string, got " + parser.currentToken());
          }
          tag = parser.getText();
        } else {
          fields.add(new LogEvent.Field(name, readValue(parser)));
        }
      }
      if (parser.nextToken() != null) {
        throw new RecordDecodingException("record data has content after its JSON object");
      }
      if (time == null) {
        throw new RecordDecodingException("record has no '" + timeKey + "' field");
      }
      if (tag == null) {
        throw new RecordDecodingException("record has no '" + tagKey + "' field");
      }
      return new LogEvent(tag, time, fields);
    } catch (JsonProcessingException e) {
      throw new RecordDecodingException(
          "record data is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new RecordDecodingException("cannot read record data: " + e.getMessage(), e);
    }
  }

  private EventTime parseTime(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      throw new RecordDecodingException(
          "record field '"
              + timeKey
              + "' must be an ISO-8601 string, got "
              + parser.currentToken());
    }
    String text = parser.getText();
    try {
      return EventTime.fromInstant(Instant.parse(text));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw new RecordDecodingException(
          "record field '" + timeKey + "' is not an ISO-8601 UTC time: '" + text + "'", e);
    }
  }

  private static FieldValue readValue(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case VALUE_STRING:
        return new FieldValue.StringValue(parser.getText().getBytes(StandardCharsets.UTF_8));
      case VALUE_NUMBER_INT:
        try {
          return new FieldValue.IntegerValue(parser.getBigIntegerValue());
        } catch (IllegalArgumentException outsideMsgpackRange) {
          return new FieldValue.FloatValue(parser.getDoubleValue(), false);
        }
      case VALUE_NUMBER_FLOAT:
        return new FieldValue.FloatValue(parser.getDoubleValue(), false);
      case VALUE_TRUE:
        return new FieldValue.BooleanValue(true);
      case VALUE_FALSE:
        return new FieldValue.BooleanValue(false);
      case VALUE_NULL:
        return FieldValue.NilValue.INSTANCE;
      case START_ARRAY:
        {
          List<FieldValue> elements = new ArrayList<>();
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            elements.add(readValue(parser));
          }
          return new FieldValue.ArrayValue(elements);
        }
      case START_OBJECT:
        {
          Map<FieldValue, FieldValue> entries = new LinkedHashMap<>();
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            FieldValue key = FieldValue.string(parser.currentName());
            parser.nextToken();
            entries.put(key, readValue(parser));
          }
          return new FieldValue.MapValue(entries);
        }
      default:
        throw new RecordDecodingException("unexpected JSON token " + token);
    }
  }

  private static String preview(byte[] data) {
    int length = Math.min(data.length, 64);
    String text = new String(data, 0, length, StandardCharsets.UTF_8);
    return "'" + text + (data.length > length ? "...'" : "'");
  }
}
