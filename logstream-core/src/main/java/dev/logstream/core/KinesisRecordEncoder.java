package dev.logstream.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes a log event as the JSON object that goes into a Kinesis record's {@code data} blob, in
 * exactly the seed's shape: every field of the record in arrival order, then {@code "time"} and
 * {@code "tag"}.
 *
 * <pre>{@code
 * {"container_id":"1d26...","container_name":"/mesos-...","source":"stdout","log":"MESSAGE",
 *  "time":"2015-12-04T13:39:27Z","tag":"grid.devel/www-data/redis-test:devel/www-data/redis-test"}
 * }</pre>
 *
 * <h2>Always valid JSON</h2>
 *
 * The output is valid UTF-8 JSON (RFC 8259) for any input:
 *
 * <table>
 *   <caption>msgpack to JSON</caption>
 *   <tr><th>msgpack</th><th>JSON</th></tr>
 *   <tr><td>{@code str}, valid UTF-8</td><td>string; quote, backslash and U+0000..U+001F
 *       escaped by Jackson</td></tr>
 *   <tr><td>{@code str}, invalid UTF-8</td><td>string; each maximal ill-formed subpart becomes
 *       U+FFFD (Unicode §3.9), so a line Docker split inside a character stays readable</td></tr>
 *   <tr><td>{@code bin}</td><td>string, standard Base64 with padding</td></tr>
 *   <tr><td>integer (int64, uint64)</td><td>number, all digits (uint64 above 2^63-1 too)</td></tr>
 *   <tr><td>float 32 / float 64</td><td>shortest number that reads back to the same value;
 *       NaN, Infinity, -Infinity as the strings {@code "NaN"}, {@code "Infinity"}, {@code
 *       "-Infinity"}</td></tr>
 *   <tr><td>{@code true}/{@code false}/{@code nil}</td><td>{@code true}/{@code false}/{@code
 *       null}</td></tr>
 *   <tr><td>array / map</td><td>array / object, nested to Jackson's depth limit (1,000)</td></tr>
 *   <tr><td>map key that is not a string</td><td>name = its JSON text ({@code 1}, {@code true},
 *       {@code null}, {@code [1,2]}), an array or map key cut to 1,024 bytes (keys nested in keys
 *       are escaped once per level, so their text could otherwise double with each); binary keys
 *       in Base64</td></tr>
 *   <tr><td>ext 0 (EventTime) and ext -1 (msgpack timestamp)</td><td>ISO-8601 string at the
 *       configured precision</td></tr>
 *   <tr><td>any other ext</td><td>Base64 string of the payload</td></tr>
 * </table>
 *
 * <p>The injected keys win: a top-level field named like the time or tag key is dropped, so a
 * record always has exactly one of each. Other duplicate names are written as they come (RFC 8259
 * allows them; Docker's records never have them).
 *
 * <h2>Allocation</h2>
 *
 * An encoder keeps one Jackson generator, a cache of field names and scratch buffers, so after
 * warm-up encoding a record allocates nothing. It is therefore <b>not thread-safe</b>: use one
 * encoder per thread (they are cheap). Build with {@link #builder()}.
 */
public final class KinesisRecordEncoder {
  private final TimePrecision timePrecision;
  private final SerializedString timeKey;
  private final SerializedString tagKey;
  private final RetargetableOutput output = new RetargetableOutput();
  private final JsonValueWriter writer;
  private final byte[] timeScratch = new byte[IsoTimeWriter.MAX_LENGTH];
  private JsonGenerator generator;

  // Consecutive events mostly share their tag and second: format each once.
  private String lastTag;
  private SerializedString lastTagJson;
  private long formattedSeconds = -1;
  private int formattedNanos = -1;
  private int formattedLength;

  private KinesisRecordEncoder(Builder builder) {
    this.timePrecision = builder.timePrecision;
    this.timeKey = new SerializedString(builder.timeKey);
    this.tagKey = new SerializedString(builder.tagKey);
    KeyNameCache keyNames =
        new KeyNameCache(
            builder.timeKey.getBytes(StandardCharsets.UTF_8),
            builder.tagKey.getBytes(StandardCharsets.UTF_8));
    this.writer = new JsonValueWriter(true, timePrecision, keyNames);
    this.generator = newGenerator();
  }

  /**
   * Returns a builder with the seed's defaults: whole-second times under {@code "time"}, the tag
   * under {@code "tag"}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns an encoder with the seed's defaults.
   *
   * @return a new encoder
   */
  public static KinesisRecordEncoder create() {
    return builder().build();
  }

  /**
   * Appends the JSON of one event to {@code out}. Allocation-free after warm-up.
   *
   * @param tag the event's tag
   * @param time the event's time
   * @param record the record's fields, replayed once
   * @param out receives the JSON bytes after its current content
   * @return the number of bytes appended
   * @throws RecordEncodingException if the record view breaks its contract; {@code out} is then
   *     left as it was and the encoder stays usable
   */
  public int encode(String tag, EventTime time, RecordView record, GrowableBytes out) {
    return encode(tag, time.seconds(), time.nanos(), record, out);
  }

  /**
   * Appends the JSON of one event to {@code out}, the time given as its two parts so a caller
   * holding them (the forward decoder) allocates nothing. Allocation-free after warm-up.
   *
   * @param tag the event's tag
   * @param seconds the event's seconds since the epoch, {@code 0 .. 2^32-1}
   * @param nanos the nanoseconds within the second, {@code 0 .. 999999999}
   * @param record the record's fields, replayed once
   * @param out receives the JSON bytes after its current content
   * @return the number of bytes appended
   * @throws IllegalArgumentException if the time is out of {@link EventTime}'s range
   * @throws RecordEncodingException if the record view breaks its contract; {@code out} is then
   *     left as it was and the encoder stays usable
   */
  public int encode(String tag, long seconds, int nanos, RecordView record, GrowableBytes out) {
    if (seconds < 0
        || seconds > EventTime.MAX_SECONDS
        || nanos < 0
        || nanos > EventTime.MAX_NANOS) {
      EventTime.of(seconds, nanos); // throws with the standard message
    }
    int start = out.length();
    output.target = out;
    try {
      writer.reset(generator);
      record.accept(writer);
      if (!writer.recordComplete()) {
        throw new RecordEncodingException("record view ended before its root map was closed");
      }
      generator.writeFieldName(timeKey);
      generator.writeRawUTF8String(timeScratch, 0, formatTime(seconds, nanos));
      generator.writeFieldName(tagKey);
      generator.writeString(tagJson(tag));
      generator.writeEndObject();
      generator.flush();
      return out.length() - start;
    } catch (IOException | RuntimeException e) {
      // The generator's state is unknown after a failure mid-record: start afresh.
      generator = newGenerator();
      out.truncate(start);
      if (e instanceof RecordEncodingException encodingException) {
        throw encodingException;
      }
      throw new RecordEncodingException("cannot encode record with tag '" + tag + "': " + e, e);
    } finally {
      output.target = null;
    }
  }

  /**
   * Returns the JSON of one event as a new array. Convenient; allocates the result.
   *
   * @param event the event
   * @return the JSON bytes
   * @throws RecordEncodingException if the event cannot be encoded
   */
  public byte[] encode(LogEvent event) {
    GrowableBytes out = new GrowableBytes(256);
    encode(event.tag(), event.time(), event, out);
    return out.toByteArray();
  }

  private SerializedString tagJson(String tag) {
    if (tag != lastTag) { // identity: a frame hands the same String for all its events
      // A round trip through UTF-8 turns lone surrogates into '?', which JSON can carry.
      String wellFormed = new String(tag.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      lastTagJson = new SerializedString(wellFormed);
      lastTag = tag;
    }
    return lastTagJson;
  }

  private int formatTime(long seconds, int nanos) {
    int shown = timePrecision == TimePrecision.SECONDS ? 0 : nanos;
    if (seconds != formattedSeconds || shown != formattedNanos) {
      formattedLength = IsoTimeWriter.write(seconds, nanos, timePrecision, timeScratch);
      formattedSeconds = seconds;
      formattedNanos = shown;
    }
    return formattedLength;
  }

  private JsonGenerator newGenerator() {
    try {
      return JsonSupport.FACTORY.createGenerator(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stream the generator writes to, pointed at the caller's buffer for each call. */
  private static final class RetargetableOutput extends OutputStream {
    GrowableBytes target;

    @Override
    public void write(int b) {
      target.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      target.write(bytes, offset, length);
    }
  }

  /**
   * Configures a {@link KinesisRecordEncoder}. Each option may be set once; values are checked when
   * set. {@link #build()} may be called repeatedly.
   */
  public static final class Builder {
    private TimePrecision timePrecision;
    private String timeKey;
    private String tagKey;

    private Builder() {}

    /**
     * Sets how many fractional digits {@code "time"} carries; default {@link
     * TimePrecision#SECONDS}, the seed's format.
     *
     * @param precision the precision
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder timePrecision(TimePrecision precision) {
      if (this.timePrecision != null) {
        throw new IllegalStateException("timePrecision was already set to " + this.timePrecision);
      }
      this.timePrecision = Objects.requireNonNull(precision, "timePrecision");
      return this;
    }

    /**
     * Sets the name of the injected time field; default {@code "time"}.
     *
     * @param key a non-empty name
     * @return this builder
     * @throws IllegalArgumentException if the name is empty
     * @throws IllegalStateException if already set
     */
    public Builder timeKey(String key) {
      if (this.timeKey != null) {
        throw new IllegalStateException("timeKey was already set to '" + this.timeKey + "'");
      }
      this.timeKey = requireName("timeKey", key);
      return this;
    }

    /**
     * Sets the name of the injected tag field; default {@code "tag"}.
     *
     * @param key a non-empty name
     * @return this builder
     * @throws IllegalArgumentException if the name is empty
     * @throws IllegalStateException if already set
     */
    public Builder tagKey(String key) {
      if (this.tagKey != null) {
        throw new IllegalStateException("tagKey was already set to '" + this.tagKey + "'");
      }
      this.tagKey = requireName("tagKey", key);
      return this;
    }

    /**
     * Returns a new encoder; this builder is unchanged.
     *
     * @return the encoder
     * @throws IllegalArgumentException if the time and tag keys are the same
     */
    public KinesisRecordEncoder build() {
      Builder resolved = new Builder();
      resolved.timePrecision = timePrecision == null ? TimePrecision.SECONDS : timePrecision;
      resolved.timeKey = timeKey == null ? "time" : timeKey;
      resolved.tagKey = tagKey == null ? "tag" : tagKey;
      if (resolved.timeKey.equals(resolved.tagKey)) {
        throw new IllegalArgumentException(
            "timeKey and tagKey must differ, both are '" + resolved.timeKey + "'");
      }
      return new KinesisRecordEncoder(resolved);
    }

    private static String requireName(String option, String key) {
      Objects.requireNonNull(key, option);
      if (key.isEmpty()) {
        throw new IllegalArgumentException(option + " must not be empty");
      }
      return key;
    }
  }
}
