package dev.logstream.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Any event, random bytes included, encodes to JSON that Jackson parses and that decodes back to
 * the same fields, with invalid UTF-8 repaired as the Unicode Standard's maximal-subpart rule says
 * (checked against {@link ReferenceUtf8}, a table-driven reading of the standard).
 */
class KinesisRecordRoundTripProperties {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KinesisRecordEncoder encoder =
      KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();
  private final KinesisRecordDecoder decoder = KinesisRecordDecoder.create();

  @Property(tries = 2000)
  void anyEvent_encodesToJsonThatDecodesToTheSameFields(@ForAll("events") LogEvent event)
      throws Exception {
    byte[] json = encoder.encode(event);

    JSON.readTree(json); // an independent parser accepts it
    LogEvent decoded = decoder.decode(json);

    assertThat(decoded.tag()).isEqualTo(ReferenceUtf8.decode(event.tag().getBytes(UTF_8)));
    assertThat(decoded.time()).isEqualTo(event.time());
    List<LogEvent.Field> expected = expectedTopLevel(event.fields());
    assertThat(aligned(expected, decoded.fields())).isEqualTo(expected);
  }

  @Property(tries = 2000)
  void anyBytes_asLogLine_encodeToValidUtf8Json(@ForAll("rawBytes") byte[] line) throws Exception {
    RecordView record =
        visitor -> {
          visitor.startMap(1);
          visitor.stringValue("log".getBytes(UTF_8), 0, 3);
          visitor.stringValue(line, 0, line.length);
          visitor.endMap();
        };
    GrowableBytes out = new GrowableBytes();

    encoder.encode("t", EventTime.of(0, 0), record, out);

    byte[] json = out.toByteArray();
    assertThat(Utf8.isWellFormed(json, 0, json.length)).isTrue();
    assertThat(JSON.readTree(json).get("log").asText()).isEqualTo(ReferenceUtf8.decode(line));
  }

  /* --------------- the model of what JSON keeps --------------- */

  /**
   * A float 32 is written as the shortest decimal that reads back to the same float, which read as
   * a double is not the float widened: accept any double that rounds to the original float.
   */
  private static List<LogEvent.Field> aligned(
      List<LogEvent.Field> expected, List<LogEvent.Field> actual) {
    if (expected.size() != actual.size()) {
      return actual;
    }
    List<LogEvent.Field> result = new ArrayList<>();
    for (int i = 0; i < actual.size(); i++) {
      LogEvent.Field field = actual.get(i);
      result.add(new LogEvent.Field(field.key(), aligned(expected.get(i).value(), field.value())));
    }
    return result;
  }

  private static FieldValue aligned(FieldValue expected, FieldValue actual) {
    if (expected instanceof FieldValue.FloatValue e
        && actual instanceof FieldValue.FloatValue a
        && (float) e.value() == e.value()
        && (float) a.value() == (float) e.value()) {
      return expected;
    }
    if (expected instanceof FieldValue.ArrayValue e
        && actual instanceof FieldValue.ArrayValue a
        && e.elements().size() == a.elements().size()) {
      List<FieldValue> elements = new ArrayList<>();
      for (int i = 0; i < a.elements().size(); i++) {
        elements.add(aligned(e.elements().get(i), a.elements().get(i)));
      }
      return new FieldValue.ArrayValue(elements);
    }
    if (expected instanceof FieldValue.MapValue e && actual instanceof FieldValue.MapValue a) {
      Map<FieldValue, FieldValue> entries = new LinkedHashMap<>();
      a.entries()
          .forEach(
              (k, v) ->
                  entries.put(k, e.entries().containsKey(k) ? aligned(e.entries().get(k), v) : v));
      return new FieldValue.MapValue(entries);
    }
    return actual;
  }

  private static List<LogEvent.Field> expectedTopLevel(List<LogEvent.Field> fields) {
    List<LogEvent.Field> expected = new ArrayList<>();
    for (LogEvent.Field field : fields) {
      String key = ReferenceUtf8.decode(field.key().getBytes(UTF_8));
      if (!key.equals("time") && !key.equals("tag")) {
        expected.add(new LogEvent.Field(key, expected(field.value())));
      }
    }
    return expected;
  }

  private static FieldValue expected(FieldValue value) {
    if (value instanceof FieldValue.StringValue string) {
      return FieldValue.string(ReferenceUtf8.decode(string.bytes()));
    } else if (value instanceof FieldValue.BinaryValue binary) {
      return FieldValue.string(Base64.getEncoder().encodeToString(binary.bytes()));
    } else if (value instanceof FieldValue.FloatValue floating) {
      double d = floating.value();
      if (!Double.isFinite(d)) {
        return FieldValue.string(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      }
      return new FieldValue.FloatValue(floating.singlePrecision() ? (float) d : d, false);
    } else if (value instanceof FieldValue.ArrayValue array) {
      return new FieldValue.ArrayValue(
          array.elements().stream().map(KinesisRecordRoundTripProperties::expected).toList());
    } else if (value instanceof FieldValue.MapValue map) {
      Map<FieldValue, FieldValue> entries = new LinkedHashMap<>();
      map.entries()
          .forEach(
              (k, v) ->
                  entries.put(
                      FieldValue.string(ReferenceUtf8.decode(((FieldValue.StringValue) k).bytes())),
                      expected(v)));
      return new FieldValue.MapValue(entries);
    }
    return value;
  }

  /* --------------- generators --------------- */

  @Provide
  Arbitrary<byte[]> rawBytes() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        Arbitraries.strings().ofMaxLength(32).map(s -> s.getBytes(UTF_8)),
        Arbitraries.strings()
            .ofMaxLength(32)
            .map(s -> s.getBytes(UTF_8))
            .map(b -> b.length > 1 ? java.util.Arrays.copyOf(b, b.length - 1) : b));
  }

  @Provide
  Arbitrary<LogEvent> events() {
    Arbitrary<String> tags = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<EventTime> times =
        Combinators.combine(
                Arbitraries.longs().between(0, EventTime.MAX_SECONDS),
                Arbitraries.integers().between(0, EventTime.MAX_NANOS))
            .as(EventTime::of);
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of("log", "source", "container_id", "time", "tag", "partial_id"),
            Arbitraries.strings().ofMinLength(1).ofMaxLength(12));
    Arbitrary<List<Tuple.Tuple2<String, FieldValue>>> fields =
        Combinators.combine(keys, values(3)).as(Tuple::of).list().ofMaxSize(8);
    return Combinators.combine(tags, times, fields)
        .as(
            (tag, time, list) -> {
              LogEvent.Builder builder = LogEvent.builder(tag, time);
              list.forEach(t -> builder.field(t.get1(), t.get2()));
              return builder.build();
            });
  }

  private Arbitrary<FieldValue> values(int depth) {
    Arbitrary<FieldValue> scalars =
        Arbitraries.oneOf(
            rawBytes().map(FieldValue.StringValue::new),
            rawBytes().map(FieldValue.BinaryValue::new),
            Arbitraries.longs().map(FieldValue::integer),
            Arbitraries.bigIntegers()
                .between(
                    BigInteger.valueOf(Long.MAX_VALUE),
                    BigInteger.TWO.pow(64).subtract(BigInteger.ONE))
                .map(FieldValue.IntegerValue::new),
            Arbitraries.doubles()
                .withSpecialValue(Double.NaN)
                .withSpecialValue(Double.POSITIVE_INFINITY)
                .withSpecialValue(Double.NEGATIVE_INFINITY)
                .map(d -> new FieldValue.FloatValue(d, false)),
            Arbitraries.floats().map(f -> new FieldValue.FloatValue(f, true)),
            Arbitraries.of(true, false).map(FieldValue.BooleanValue::new),
            Arbitraries.just(FieldValue.NilValue.INSTANCE));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<FieldValue> arrays =
        values(depth - 1).list().ofMaxSize(4).map(FieldValue.ArrayValue::new);
    Arbitrary<FieldValue> maps =
        Combinators.combine(rawBytes().map(FieldValue.StringValue::new), values(depth - 1))
            .as(Tuple::of)
            .list()
            .ofMaxSize(4)
            .map(
                list -> {
                  Map<FieldValue, FieldValue> entries = new LinkedHashMap<>();
                  list.forEach(t -> entries.put(t.get1(), t.get2()));
                  return new FieldValue.MapValue(entries);
                });
    return Arbitraries.frequencyOf(Tuple.of(6, scalars), Tuple.of(1, arrays), Tuple.of(1, maps));
  }
}
