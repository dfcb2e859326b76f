package dev.logstream.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable log event: tag, time and the record's fields in arrival order.
 *
 * <p>This is the convenient, allocated form of an event, for tests, consumers of the Kinesis stream
 * ({@link KinesisRecordDecoder} returns it) and code that builds events by hand. The ingest hot
 * path never builds one: the forward decoder hands the encoder a {@link RecordView} instead. A
 * {@code LogEvent} is a {@code RecordView} too.
 *
 * <p>Accessors cover the keys Docker's {@code fluentd} log driver writes: {@code container_id},
 * {@code container_name} (with its leading {@code /}), {@code source} ({@code stdout} or {@code
 * stderr}), {@code log} (the line without its {@code \n}) and, for lines longer than 16 KiB, {@code
 * partial_message}, {@code partial_id}, {@code partial_ordinal} and {@code partial_last}.
 *
 * @param tag the Fluentd tag the event arrived with
 * @param time when the event happened
 * @param fields the record's fields in order (copied into an unmodifiable list)
 */
public record LogEvent(String tag, EventTime time, List<Field> fields) implements RecordView {

  /** Docker's key for the full 64-hex container id. */
  public static final String CONTAINER_ID = "container_id";

  /** Docker's key for the container name, with its leading {@code /}. */
  public static final String CONTAINER_NAME = "container_name";

  /** Docker's key for the stream: {@code stdout} or {@code stderr}. */
  public static final String SOURCE = "source";

  /** Docker's key for the log line, without its trailing newline. */
  public static final String LOG = "log";

  /** Docker's key marking every piece of a line split at 16 KiB: {@code "true"}. */
  public static final String PARTIAL_MESSAGE = "partial_message";

  /** Docker's key for the random 64-hex id shared by the pieces of one split line. */
  public static final String PARTIAL_ID = "partial_id";

  /** Docker's key for a piece's position in its line: {@code "1"}, {@code "2"}, ... */
  public static final String PARTIAL_ORDINAL = "partial_ordinal";

  /**
   * Docker's key saying whether a piece is the last of its line: {@code "true"}/{@code "false"}.
   */
  public static final String PARTIAL_LAST = "partial_last";

  /**
   * Checks and copies the parts.
   *
   * @param tag the Fluentd tag the event arrived with
   * @param time when the event happened
   * @param fields the record's fields in order
   */
  public LogEvent {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(time, "time");
    fields = List.copyOf(fields);
  }

  /**
   * One field of a record.
   *
   * @param key the field name
   * @param value the field value
   */
  public record Field(String key, FieldValue value) {
    /**
     * Checks the parts.
     *
     * @param key the field name
     * @param value the field value
     */
    public Field {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    /**
     * Returns a field with a string value.
     *
     * @param key the field name
     * @param text the value
     * @return the field
     */
    public static Field of(String key, String text) {
      return new Field(key, FieldValue.string(text));
    }
  }

  /**
   * Starts an event with the given tag and time; add fields with {@link Builder#field}.
   *
   * @param tag the Fluentd tag
   * @param time the event time
   * @return a builder
   */
  public static Builder builder(String tag, EventTime time) {
    return new Builder(tag, time);
  }

  /**
   * Returns the value of the first field named {@code key}.
   *
   * @param key the field name
   * @return the value, or empty if the record has no such field
   */
  public Optional<FieldValue> field(String key) {
    for (Field field : fields) {
      if (field.key().equals(key)) {
        return Optional.of(field.value());
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the first field named {@code key} if it is a string, decoded as UTF-8.
   *
   * @param key the field name
   * @return the text, or empty if the field is absent or not a string
   */
  public Optional<String> stringField(String key) {
    return field(key)
        .filter(FieldValue.StringValue.class::isInstance)
        .map(value -> ((FieldValue.StringValue) value).text());
  }

  /**
   * Returns Docker's {@code container_id}.
   *
   * @return the container id, if present
   */
  public Optional<String> containerId() {
    return stringField(CONTAINER_ID);
  }

  /**
   * Returns Docker's {@code container_name}.
   *
   * @return the container name with its leading {@code /}, if present
   */
  public Optional<String> containerName() {
    return stringField(CONTAINER_NAME);
  }

  /**
   * Returns Docker's {@code source}.
   *
   * @return {@code stdout} or {@code stderr}, if present
   */
  public Optional<String> source() {
    return stringField(SOURCE);
  }

  /**
   * Returns Docker's {@code log} line.
   *
   * @return the line, if present
   */
  public Optional<String> log() {
    return stringField(LOG);
  }

  /**
   * Whether Docker marked this event as a piece of a line longer than 16 KiB.
   *
   * @return true if {@code partial_message} is {@code "true"}
   */
  public boolean isPartial() {
    return stringField(PARTIAL_MESSAGE).filter("true"::equals).isPresent();
  }

  /**
   * Returns Docker's {@code partial_id}.
   *
   * @return the id shared by the pieces of one line, if present
   */
  public Optional<String> partialId() {
    return stringField(PARTIAL_ID);
  }

  /**
   * Returns Docker's {@code partial_ordinal}, parsed.
   *
   * @return the piece's 1-based position, or empty if absent or not a positive number
   */
  public Optional<Integer> partialOrdinal() {
    return stringField(PARTIAL_ORDINAL).flatMap(LogEvent::parsePositive);
  }

  /**
   * Whether this piece is the last of its line ({@code partial_last} is {@code "true"}).
   *
   * @return true for the last piece
   */
  public boolean isPartialLast() {
    return stringField(PARTIAL_LAST).filter("true"::equals).isPresent();
  }

  @Override
  public void accept(ValueVisitor visitor) {
    visitor.startMap(fields.size());
    for (Field field : fields) {
      byte[] key = field.key().getBytes(StandardCharsets.UTF_8);
      visitor.stringValue(key, 0, key.length);
      field.value().accept(visitor);
    }
    visitor.endMap();
  }

  private static Optional<Integer> parsePositive(String text) {
    try {
      int value = Integer.parseInt(text);
      return value > 0 ? Optional.of(value) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Collects the fields of a {@link LogEvent}. Not thread-safe. */
  public static final class Builder {
    private final String tag;
    private final EventTime time;
    private final List<Field> fields = new ArrayList<>();

    private Builder(String tag, EventTime time) {
      this.tag = Objects.requireNonNull(tag, "tag");
      this.time = Objects.requireNonNull(time, "time");
    }

    /**
     * Adds a string field.
     *
     * @param key the field name
     * @param text the value
     * @return this builder
     */
    public Builder field(String key, String text) {
      fields.add(Field.of(key, text));
      return this;
    }

    /**
     * Adds a field of any type.
     *
     * @param key the field name
     * @param value the value
     * @return this builder
     */
    public Builder field(String key, FieldValue value) {
      fields.add(new Field(key, value));
      return this;
    }

    /**
     * Returns the event; the builder can go on and build more.
     *
     * @return the event
     */
    public LogEvent build() {
      return new LogEvent(tag, time, fields);
    }
  }
}
