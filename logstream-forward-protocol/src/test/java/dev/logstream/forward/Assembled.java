package dev.logstream.forward;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.logstream.core.EventTime;
import dev.logstream.core.FieldValue;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.LogEvent;
import dev.logstream.core.RecordView;
import dev.logstream.core.TimePrecision;
import dev.logstream.core.ValueVisitor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One event a {@link PartialMessageAssembler} emitted, copied out of its reused view. */
record Assembled(
    String tag, long seconds, int nanos, RecordView view, Map<String, byte[]> fields, byte[] json) {

  static final String TAG = Frames.TAG;
  static final long SECONDS = Frames.SECONDS;
  static final String CONTAINER_A =
      "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76";
  static final String CONTAINER_B =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final String ID_1 = "a".repeat(64);
  static final String ID_2 = "b".repeat(64);

  /** The top-level string field {@code key} as text, or null. */
  String text(String key) {
    byte[] value = fields.get(key);
    return value == null ? null : new String(value, UTF_8);
  }

  /** The top-level string field {@code key}'s bytes, or null. */
  byte[] bytes(String key) {
    return fields.get(key);
  }

  String jsonText() {
    return new String(json, UTF_8);
  }

  /** A Docker piece of container A's line, its time one second per ordinal after SECONDS. */
  static LogEvent piece(String id, int ordinal, boolean last, String log) {
    return piece(CONTAINER_A, id, ordinal, last, log.getBytes(UTF_8));
  }

  /** A Docker piece with raw log bytes. */
  static LogEvent piece(String containerId, String id, int ordinal, boolean last, byte[] log) {
    return LogEvent.builder(TAG, EventTime.of(SECONDS + ordinal, ordinal))
        .field("container_id", containerId)
        .field("container_name", "/redis-test")
        .field("source", "stdout")
        .field("log", new FieldValue.StringValue(log))
        .field("partial_message", "true")
        .field("partial_id", id)
        .field("partial_ordinal", Integer.toString(ordinal))
        .field("partial_last", Boolean.toString(last))
        .field("com.example.team", "grid")
        .build();
  }

  /** Collects what an assembler emits; renders each record as Kinesis JSON with nanoseconds. */
  static final class Collector implements AssembledEventSink {
    final List<Assembled> events = new ArrayList<>();
    private final KinesisRecordEncoder encoder =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();
    RuntimeException failNext;

    @Override
    public void accept(String tag, long seconds, int nanos, RecordView record) {
      if (failNext != null) {
        RuntimeException failure = failNext;
        failNext = null;
        throw failure;
      }
      GrowableBytes out = new GrowableBytes();
      encoder.encode(tag, seconds, nanos, record, out);
      events.add(
          new Assembled(tag, seconds, nanos, record, stringFields(record), out.toByteArray()));
    }

    /** Feeds LogEvents in order. */
    void feed(PartialMessageAssembler assembler, LogEvent... pieces) {
      for (LogEvent piece : pieces) {
        assembler.accept(piece.tag(), piece.time().seconds(), piece.time().nanos(), piece);
      }
    }

    List<String> logs() {
      return events.stream().map(e -> e.text("log")).toList();
    }
  }

  /** The record's top-level string-keyed string fields, in order; other values as "?". */
  static Map<String, byte[]> stringFields(RecordView record) {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    record.accept(
        new ValueVisitor() {
          int depth;
          String key;

          private void scalar(byte[] value) {
            if (depth != 1) {
              return;
            }
            if (key == null) {
              key = value == null ? "?" : new String(value, UTF_8);
            } else {
              fields.put(key, value == null ? new byte[] {'?'} : value);
              key = null;
            }
          }

          @Override
          public void startMap(int size) {
            if (depth == 1) {
              scalar(null);
            }
            depth++;
          }

          @Override
          public void endMap() {
            depth--;
          }

          @Override
          public void startArray(int size) {
            startMap(size);
          }

          @Override
          public void endArray() {
            depth--;
          }

          @Override
          public void stringValue(byte[] bytes, int offset, int length) {
            byte[] copy = new byte[length];
            System.arraycopy(bytes, offset, copy, 0, length);
            scalar(copy);
          }

          @Override
          public void binaryValue(byte[] bytes, int offset, int length) {
            scalar(null);
          }

          @Override
          public void integerValue(long value) {
            scalar(null);
          }

          @Override
          public void unsignedIntegerValue(long bits) {
            scalar(null);
          }

          @Override
          public void floatValue(float value) {
            scalar(null);
          }

          @Override
          public void doubleValue(double value) {
            scalar(null);
          }

          @Override
          public void booleanValue(boolean value) {
            scalar(null);
          }

          @Override
          public void nilValue() {
            scalar(null);
          }

          @Override
          public void extensionValue(byte type, byte[] bytes, int offset, int length) {
            scalar(null);
          }
        });
    return fields;
  }
}
