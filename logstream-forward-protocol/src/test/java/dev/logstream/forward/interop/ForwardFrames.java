package dev.logstream.forward.interop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.MapValue;
import org.msgpack.value.Value;

/**
 * A minimal, test-only forward-protocol reader built directly on msgpack-core, independent of the
 * production decoder it is meant to check. It splits a byte stream into top-level values and
 * decodes Message, Forward, PackedForward and CompressedPackedForward (gzip) frames into events.
 */
public final class ForwardFrames {

  /** The carrier modes of the forward protocol, named as in the specification. */
  public enum Mode {
    /** {@code [tag, time, record, option?]}: one event. */
    MESSAGE("Message"),
    /** {@code [tag, [[time, record], ...], option?]}. */
    FORWARD("Forward"),
    /** {@code [tag, bin|str of concatenated entries, option?]}. */
    PACKED_FORWARD("PackedForward"),
    /** PackedForward whose payload is gzip, option {@code compressed: "gzip"}. */
    COMPRESSED_PACKED_FORWARD("CompressedPackedForward");

    private final String specName;

    Mode(String specName) {
      this.specName = specName;
    }

    /** The name the specification uses. */
    public String specName() {
      return specName;
    }
  }

  /**
   * One decoded event.
   *
   * @param tag the frame's tag
   * @param mode the frame's mode
   * @param timePrecision integer seconds or EventTime
   * @param time the event time
   * @param fields the record's keys with their values' raw bytes (strings and binaries)
   */
  public record Event(
      String tag,
      Mode mode,
      TimePrecision timePrecision,
      Instant time,
      Map<String, byte[]> fields) {

    /** The raw bytes of field {@code log}. */
    public byte[] logBytes() {
      byte[] log = fields.get("log");
      if (log == null) {
        throw new AssertionError("event has no log field: " + fields.keySet());
      }
      return log;
    }

    /** Field {@code key} decoded as strict UTF-8, so equal strings mean equal bytes. */
    public String field(String key) {
      byte[] raw = fields.get(key);
      if (raw == null) {
        throw new AssertionError("event has no " + key + " field: " + fields.keySet());
      }
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(raw))
            .toString();
      } catch (CharacterCodingException e) {
        throw new AssertionError("field " + key + " is not valid UTF-8", e);
      }
    }

    /** {@code field("log")}. */
    public String log() {
      return field("log");
    }
  }

  /**
   * One top-level array.
   *
   * @param mode its mode
   * @param tag its tag
   * @param events how many events it carries
   * @param optionKeys the keys of its option map, empty when absent or nil
   * @param packedPayloadType {@code "bin"} or {@code "str"} for PackedForward modes, else null
   * @param offset where it starts in the stream
   * @param length how many bytes it takes
   */
  public record Frame(
      Mode mode,
      String tag,
      int events,
      List<String> optionKeys,
      String packedPayloadType,
      long offset,
      long length) {}

  /**
   * A decoded stream.
   *
   * @param frames the top-level arrays
   * @param events all events, in stream order
   * @param heartbeats how many top-level {@code nil} values it contained
   * @param consumedBytes bytes decoded; less than the stream length only for a lenient decode
   */
  public record Decoded(
      List<Frame> frames, List<Event> events, int heartbeats, long consumedBytes) {

    /** The {@link Event#log()} values, in order. */
    public List<String> logs() {
      return events.stream().map(Event::log).toList();
    }

    /** The distinct modes seen, in first-seen order, by their specification names. */
    public List<String> modes() {
      return frames.stream().map(f -> f.mode().specName()).distinct().toList();
    }
  }

  private ForwardFrames() {}

  /**
   * Decodes a complete stream.
   *
   * @throws AssertionError when the stream ends inside a value or a value is not a forward frame
   */
  public static Decoded decode(byte[] stream) {
    return decode(stream, false);
  }

  /** Decodes the complete values at the start of a stream that may still be arriving. */
  public static Decoded decodeArrived(byte[] stream) {
    return decode(stream, true);
  }

  private static Decoded decode(byte[] stream, boolean lenient) {
    List<Frame> frames = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    int heartbeats = 0;
    long consumed = 0;
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(stream)) {
      while (unpacker.hasNext()) {
        long start = unpacker.getTotalReadBytes();
        Value value;
        try {
          value = unpacker.unpackValue();
        } catch (MessageInsufficientBufferException e) {
          if (lenient) {
            break;
          }
          throw new AssertionError("stream ends inside the value at byte " + start, e);
        }
        consumed = unpacker.getTotalReadBytes();
        if (value.isNilValue()) {
          heartbeats++;
          continue;
        }
        int before = events.size();
        Frame frame = decodeFrame(value, start, consumed - start, events);
        frames.add(frame);
        if (events.size() - before != frame.events()) {
          throw new IllegalStateException("frame event count mismatch at byte " + start);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Decoded(List.copyOf(frames), List.copyOf(events), heartbeats, consumed);
  }

  private static Frame decodeFrame(Value value, long offset, long length, List<Event> events)
      throws IOException {
    if (!value.isArrayValue() || value.asArrayValue().size() < 2) {
      throw new AssertionError("value at byte " + offset + " is not a forward frame: " + value);
    }
    ArrayValue array = value.asArrayValue();
    if (!array.get(0).isStringValue()) {
      throw new AssertionError("frame at byte " + offset + " has no str tag: " + array.get(0));
    }
    String tag = array.get(0).asStringValue().asString();
    Value second = array.get(1);
    if (second.isIntegerValue() || second.isExtensionValue()) {
      if (array.size() < 3 || array.size() > 4) {
        throw new AssertionError("Message frame at byte " + offset + " has " + array.size());
      }
      events.add(event(tag, Mode.MESSAGE, second, array.get(2), offset));
      return new Frame(Mode.MESSAGE, tag, 1, optionKeys(array, 3), null, offset, length);
    }
    Value options = array.size() > 2 ? array.get(2) : null;
    if (second.isArrayValue()) {
      for (Value entry : second.asArrayValue()) {
        events.add(entry(tag, Mode.FORWARD, entry, offset));
      }
      return new Frame(
          Mode.FORWARD,
          tag,
          second.asArrayValue().size(),
          optionKeys(array, 2),
          null,
          offset,
          length);
    }
    if (second.isRawValue()) {
      byte[] payload = second.asRawValue().asByteArray();
      boolean gzip =
          options != null
              && options.isMapValue()
              && "gzip".equals(optionString(options.asMapValue(), "compressed"));
      Mode mode = gzip ? Mode.COMPRESSED_PACKED_FORWARD : Mode.PACKED_FORWARD;
      if (gzip) {
        // GZIPInputStream reads concatenated gzip members, as the specification allows.
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(payload))) {
          payload = in.readAllBytes();
        }
      }
      int count = 0;
      try (MessageUnpacker entries = MessagePack.newDefaultUnpacker(payload)) {
        while (entries.hasNext()) {
          events.add(entry(tag, mode, entries.unpackValue(), offset));
          count++;
        }
      }
      return new Frame(
          mode,
          tag,
          count,
          optionKeys(array, 2),
          second.isBinaryValue() ? "bin" : "str",
          offset,
          length);
    }
    throw new AssertionError("frame at byte " + offset + " has an unknown second element");
  }

  private static Event entry(String tag, Mode mode, Value entry, long offset) {
    if (!entry.isArrayValue() || entry.asArrayValue().size() != 2) {
      throw new AssertionError("entry in frame at byte " + offset + " is not [time, record]");
    }
    return event(tag, mode, entry.asArrayValue().get(0), entry.asArrayValue().get(1), offset);
  }

  private static Event event(String tag, Mode mode, Value time, Value record, long offset) {
    if (time.isArrayValue() && time.asArrayValue().size() >= 1) {
      time = time.asArrayValue().get(0); // forward protocol v1.5: [time, metadata]
    }
    TimePrecision precision;
    Instant instant;
    if (time.isIntegerValue()) {
      precision = TimePrecision.SECONDS;
      instant = Instant.ofEpochSecond(time.asIntegerValue().toLong());
    } else if (time.isExtensionValue() && time.asExtensionValue().getType() == 0) {
      ExtensionValue ext = time.asExtensionValue();
      ByteBuffer data = ByteBuffer.wrap(ext.getData());
      if (data.remaining() != 8) {
        throw new AssertionError("EventTime of " + data.remaining() + " bytes at byte " + offset);
      }
      precision = TimePrecision.EVENT_TIME;
      instant =
          Instant.ofEpochSecond(
              Integer.toUnsignedLong(data.getInt()), Integer.toUnsignedLong(data.getInt()));
    } else {
      throw new AssertionError("bad time " + time + " in frame at byte " + offset);
    }
    if (!record.isMapValue()) {
      throw new AssertionError("record in frame at byte " + offset + " is not a map");
    }
    Map<String, byte[]> fields = new LinkedHashMap<>();
    for (Map.Entry<Value, Value> field : record.asMapValue().entrySet()) {
      Value value = field.getValue();
      byte[] raw =
          value.isRawValue()
              ? value.asRawValue().asByteArray()
              : value.toJson().getBytes(StandardCharsets.UTF_8);
      fields.put(field.getKey().asStringValue().asString(), raw);
    }
    return new Event(tag, mode, precision, instant, fields);
  }

  private static List<String> optionKeys(ArrayValue frame, int index) {
    if (frame.size() <= index || frame.get(index).isNilValue()) {
      return List.of();
    }
    if (!frame.get(index).isMapValue()) {
      throw new AssertionError("option is not a map: " + frame.get(index));
    }
    return frame.get(index).asMapValue().keySet().stream().map(Value::toString).toList();
  }

  private static String optionString(MapValue options, String key) {
    for (Map.Entry<Value, Value> entry : options.entrySet()) {
      if (entry.getKey().isStringValue()
          && entry.getKey().asStringValue().asString().equals(key)
          && entry.getValue().isRawValue()) {
        return entry.getValue().asRawValue().asString();
      }
    }
    return null;
  }
}
