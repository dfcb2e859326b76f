package dev.logstream.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisRecordEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SEED_TAG = "grid.devel/www-data/redis-test:devel/www-data/redis-test";
  private static final EventTime SEED_TIME = EventTime.of(1449236367L, 0);

  private final KinesisRecordEncoder encoder = KinesisRecordEncoder.create();

  private static LogEvent.Builder seedEvent() {
    return LogEvent.builder(SEED_TAG, SEED_TIME)
        .field(
            "container_name",
            "/mesos-20151118-102904-3271688202-5050-7886-S0.651d6d6d-1ebd-438e-b70e-f9955b98f6fb")
        .field("source", "stdout")
        .field("log", "MESSAGE")
        .field("container_id", "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76");
  }

  private String encode(LogEvent event) {
    return new String(encoder.encode(event), UTF_8);
  }

  private String encodeWithField(String key, FieldValue value) {
    return encode(LogEvent.builder("t", SEED_TIME).field(key, value).build());
  }

  /* --------------- the seed's format --------------- */

  @Test
  void encode_seedExample_reproducesTheSeedRecordByteForByte() {
    String expected =
        "{\"container_name\":\"/mesos-20151118-102904-3271688202-5050-7886-S0.651d6d6d-1ebd-438e-"
            + "b70e-f9955b98f6fb\",\"source\":\"stdout\",\"log\":\"MESSAGE\",\"container_id\":\""
            + "1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76\",\"time\":\""
            + "2015-12-04T13:39:27Z\",\"tag\":\"grid.devel/www-data/redis-test:devel/www-data/"
            + "redis-test\"}";

    assertThat(encode(seedEvent().build())).isEqualTo(expected);
  }

  @Test
  void encode_defaultPrecision_truncatesToWholeSeconds() {
    LogEvent event = LogEvent.builder("t", EventTime.of(1449236367L, 999_999_999)).build();

    assertThat(encode(event)).isEqualTo("{\"time\":\"2015-12-04T13:39:27Z\",\"tag\":\"t\"}");
  }

  @Test
  void encode_eachPrecision_writesExactlyItsDigits() {
    EventTime time = EventTime.of(1449236367L, 120_000_789);
    Map<TimePrecision, String> expected =
        Map.of(
            TimePrecision.SECONDS, "2015-12-04T13:39:27Z",
            TimePrecision.MILLIS, "2015-12-04T13:39:27.120Z",
            TimePrecision.MICROS, "2015-12-04T13:39:27.120000Z",
            TimePrecision.NANOS, "2015-12-04T13:39:27.120000789Z");

    expected.forEach(
        (precision, text) -> {
          KinesisRecordEncoder custom =
              KinesisRecordEncoder.builder().timePrecision(precision).build();
          String json = new String(custom.encode(LogEvent.builder("t", time).build()), UTF_8);
          assertThat(json).isEqualTo("{\"time\":\"" + text + "\",\"tag\":\"t\"}");
        });
  }

  @Test
  void encode_extremeTimes_formatsEpochAndLastSecondOf2106() {
    KinesisRecordEncoder nanos =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();

    assertThat(new String(nanos.encode(LogEvent.builder("t", EventTime.of(0, 0)).build()), UTF_8))
        .contains("\"1970-01-01T00:00:00.000000000Z\"");
    LogEvent last =
        LogEvent.builder("t", EventTime.of(EventTime.MAX_SECONDS, EventTime.MAX_NANOS)).build();
    assertThat(new String(nanos.encode(last), UTF_8))
        .contains("\"2106-02-07T06:28:15.999999999Z\"");
  }

  @Test
  void encode_leapDayAndYearEnds_matchJavaTime() {
    long[] samples = {951_782_400L, 951_868_799L, 4_107_542_400L, 1_704_067_199L, 1_709_164_800L};
    for (long seconds : samples) {
      EventTime time = EventTime.ofEpochSecond(seconds);
      JsonNode node = parse(encoder.encode(LogEvent.builder("t", time).build()));
      assertThat(node.get("time").asText()).isEqualTo(time.toInstant().toString());
    }
  }

  @Test
  void encode_customKeys_injectsUnderThoseNames() {
    KinesisRecordEncoder custom =
        KinesisRecordEncoder.builder().timeKey("@timestamp").tagKey("fluent_tag").build();

    String json =
        new String(
            custom.encode(LogEvent.builder("a", SEED_TIME).field("log", "x").build()), UTF_8);

    assertThat(json)
        .isEqualTo("{\"log\":\"x\",\"@timestamp\":\"2015-12-04T13:39:27Z\",\"fluent_tag\":\"a\"}");
  }

  /* --------------- injected keys win --------------- */

  @Test
  void encode_recordWithTimeAndTagFields_dropsThemForTheInjectedOnes() {
    LogEvent event =
        LogEvent.builder("real", SEED_TIME)
            .field("time", "fake time")
            .field("log", "x")
            .field(
                "tag",
                new FieldValue.MapValue(Map.of(FieldValue.string("a"), FieldValue.integer(1))))
            .build();

    assertThat(encode(event))
        .isEqualTo("{\"log\":\"x\",\"time\":\"2015-12-04T13:39:27Z\",\"tag\":\"real\"}");
  }

  @Test
  void encode_nestedTimeKey_isKeptBecauseOnlyTopLevelIsReserved() {
    Map<FieldValue, FieldValue> nested = new LinkedHashMap<>();
    nested.put(FieldValue.string("time"), FieldValue.string("inner"));

    assertThat(encodeWithField("meta", new FieldValue.MapValue(nested)))
        .startsWith("{\"meta\":{\"time\":\"inner\"},");
  }

  /* --------------- strings: escaping and repair --------------- */

  @Test
  void encode_controlCharactersQuotesAndBackslashes_areEscaped() {
    String json = encodeWithField("log", FieldValue.string("a\"b\\c\n\t\u0000\u001f\u007f"));

    assertThat(json).startsWith("{\"log\":\"a\\\"b\\\\c\\n\\t\\u0000\\u001F\u007f\",");
    assertThat(parse(json.getBytes(UTF_8)).get("log").asText())
        .isEqualTo("a\"b\\c\n\t\u0000\u001f\u007f");
  }

  @Test
  void encode_validMultibyteUtf8_isPassedThroughUnescaped() {
    String json = encodeWithField("log", FieldValue.string("žluťoučký kůň 日本 😀"));

    assertThat(json).startsWith("{\"log\":\"žluťoučký kůň 日本 😀\",");
  }

  @Test
  void encode_lineSplitInsideACharacter_endsWithOneReplacementCharacter() {
    byte[] euro = "€".getBytes(UTF_8); // E2 82 AC, Docker cut after the second byte
    byte[] piece = {'a', euro[0], euro[1]};

    String log = logOf(piece);

    assertThat(log).isEqualTo("a\uFFFD");
  }

  @Test
  void encode_invalidUtf8_replacesEachMaximalSubpartWithOneReplacementCharacter() {
    // Examples from the Unicode Standard, table 3-8 and the WHATWG encoding tests.
    assertThat(logOf(bytes(0x80))).isEqualTo("\uFFFD");
    assertThat(logOf(bytes(0xC0, 0xAF))).isEqualTo("\uFFFD\uFFFD"); // overlong lead
    assertThat(logOf(bytes(0xE0, 0x80, 0xAF))).isEqualTo("\uFFFD\uFFFD\uFFFD"); // overlong
    assertThat(logOf(bytes(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD"); // surrogate
    assertThat(logOf(bytes(0xF4, 0x90, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
    assertThat(logOf(bytes(0xF0, 0x9F, 0x98))).isEqualTo("\uFFFD"); // truncated emoji
    assertThat(logOf(bytes(0xE2, 0x82, 'x'))).isEqualTo("\uFFFDx");
    assertThat(logOf(bytes(0xFF, 'a', 0xFE))).isEqualTo("\uFFFDa\uFFFD");
    assertThat(logOf(bytes(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63)))
        .isEqualTo("a\uFFFD\uFFFD\uFFFDb\uFFFDc");
  }

  @Test
  void encode_invalidUtf8InKey_isRepairedToo() {
    byte[] key = {'k', (byte) 0xFF};
    RecordView record =
        visitor -> {
          visitor.startMap(1);
          visitor.stringValue(key, 0, key.length);
          visitor.integerValue(1);
          visitor.endMap();
        };

    JsonNode node = parse(encodeView(record));

    assertThat(node.has("k\uFFFD")).isTrue();
  }

  @Test
  void encode_tagWithQuotesAndLoneSurrogate_staysValidJson() {
    LogEvent event = LogEvent.builder("a\"b\ud800", SEED_TIME).build();

    assertThat(parse(encoder.encode(event)).get("tag").asText()).isEqualTo("a\"b?");
  }

  /* --------------- other msgpack types --------------- */

  @Test
  void encode_binary_isBase64() {
    assertThat(encodeWithField("b", new FieldValue.BinaryValue(new byte[] {0, 1, 2, (byte) 255})))
        .startsWith("{\"b\":\"AAEC/w==\",");
  }

  @Test
  void encode_integersAtTheLimits_keepEveryDigit() {
    BigInteger maxUnsigned = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    assertThat(encodeWithField("n", new FieldValue.IntegerValue(maxUnsigned)))
        .startsWith("{\"n\":18446744073709551615,");
    assertThat(encodeWithField("n", FieldValue.integer(Long.MIN_VALUE)))
        .startsWith("{\"n\":-9223372036854775808,");
  }

  @Test
  void encode_nonFiniteFloats_becomeStrings() {
    assertThat(encodeWithField("f", new FieldValue.FloatValue(Double.NaN, false)))
        .startsWith("{\"f\":\"NaN\",");
    assertThat(encodeWithField("f", new FieldValue.FloatValue(Double.POSITIVE_INFINITY, true)))
        .startsWith("{\"f\":\"Infinity\",");
    assertThat(encodeWithField("f", new FieldValue.FloatValue(Double.NEGATIVE_INFINITY, false)))
        .startsWith("{\"f\":\"-Infinity\",");
  }

  @Test
  void encode_floats_useShortestRepresentation() {
    assertThat(encodeWithField("f", new FieldValue.FloatValue(0.1f, true)))
        .startsWith("{\"f\":0.1,");
    assertThat(encodeWithField("f", new FieldValue.FloatValue(1e300, false)))
        .startsWith("{\"f\":1.0E300,");
  }

  @Test
  void encode_booleansAndNil_areJsonLiterals() {
    LogEvent event =
        LogEvent.builder("t", SEED_TIME)
            .field("a", new FieldValue.BooleanValue(true))
            .field("b", new FieldValue.BooleanValue(false))
            .field("c", FieldValue.NilValue.INSTANCE)
            .build();

    assertThat(encode(event)).startsWith("{\"a\":true,\"b\":false,\"c\":null,");
  }

  @Test
  void encode_nestedArraysAndMaps_keepStructureAndOrder() {
    Map<FieldValue, FieldValue> labels = new LinkedHashMap<>();
    labels.put(FieldValue.string("z"), FieldValue.string("1"));
    labels.put(FieldValue.string("a"), new FieldValue.ArrayValue(List.of(FieldValue.integer(1))));

    assertThat(encodeWithField("labels", new FieldValue.MapValue(labels)))
        .startsWith("{\"labels\":{\"z\":\"1\",\"a\":[1]},");
  }

  @Test
  void encode_nonStringKeys_becomeTheirJsonText() {
    Map<FieldValue, FieldValue> map = new LinkedHashMap<>();
    map.put(FieldValue.integer(7), FieldValue.string("int"));
    map.put(new FieldValue.BooleanValue(true), FieldValue.string("bool"));
    map.put(FieldValue.NilValue.INSTANCE, FieldValue.string("nil"));
    map.put(
        new FieldValue.ArrayValue(List.of(FieldValue.integer(1), FieldValue.string("x"))),
        FieldValue.string("array"));
    map.put(new FieldValue.BinaryValue(new byte[] {1}), FieldValue.string("bin"));

    JsonNode node = parse(encodeWithField("m", new FieldValue.MapValue(map)).getBytes(UTF_8));

    JsonNode m = node.get("m");
    assertThat(m.get("7").asText()).isEqualTo("int");
    assertThat(m.get("true").asText()).isEqualTo("bool");
    assertThat(m.get("null").asText()).isEqualTo("nil");
    assertThat(m.get("[1,\"x\"]").asText()).isEqualTo("array");
    assertThat(m.get("AQ==").asText()).isEqualTo("bin");
  }

  @Test
  void encode_mapKeysNestedInMapKeys_keepShortNamesWhole() {
    RecordView record =
        visitor -> {
          visitor.startMap(1);
          keyChain(visitor, 2);
          visitor.integerValue(1);
          visitor.endMap();
        };

    JsonNode node = parse(encodeView(record));

    assertThat(node.get("{\"{\\\"{}\\\":null}\":null}").asInt()).isEqualTo(1);
  }

  @Test
  void encode_mapKeysNestedFortyDeep_areCutAt1024BytesInsteadOfDoublingPerLevel() {
    RecordView record =
        visitor -> {
          visitor.startMap(1);
          keyChain(visitor, 40); // 2^40 bytes of backslashes if each level doubled
          visitor.integerValue(1);
          visitor.endMap();
        };

    byte[] json = encodeView(record);

    assertThat(json.length).isLessThan(4096);
    String name = parse(json).fieldNames().next();
    assertThat(name.getBytes(UTF_8)).hasSize(1024);
    assertThat(name).startsWith("{\"{\\\"{\\\\\\\"");
  }

  /** A map with one pair whose key is a map with one pair whose key ... {@code levels} deep. */
  private static void keyChain(ValueVisitor visitor, int levels) {
    if (levels == 0) {
      visitor.startMap(0);
      visitor.endMap();
      return;
    }
    visitor.startMap(1);
    keyChain(visitor, levels - 1);
    visitor.nilValue();
    visitor.endMap();
  }

  @Test
  void encode_eventTimeExtension_isIsoString() {
    byte[] payload = {0x56, 0x61, (byte) 0x97, (byte) 0x8F, 0, 0, 0, 0}; // 1449236367 s
    FieldValue ext = new FieldValue.ExtensionValue((byte) 0, payload);

    assertThat(encodeWithField("at", ext)).startsWith("{\"at\":\"2015-12-04T13:39:27Z\",");
  }

  @Test
  void encode_msgpackTimestampExtensions_areIsoStrings() {
    byte[] ts32 = {0x56, 0x61, (byte) 0x97, (byte) 0x8F};
    byte[] ts96 = {0, 0, 0, 5, 0, 0, 0, 0, 0x56, 0x61, (byte) 0x97, (byte) 0x8F};
    KinesisRecordEncoder nanos =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();

    assertThat(encodeWithField("at", new FieldValue.ExtensionValue((byte) -1, ts32)))
        .startsWith("{\"at\":\"2015-12-04T13:39:27Z\",");
    LogEvent event =
        LogEvent.builder("t", SEED_TIME)
            .field("at", new FieldValue.ExtensionValue((byte) -1, ts96))
            .build();
    assertThat(new String(nanos.encode(event), UTF_8))
        .startsWith("{\"at\":\"2015-12-04T13:39:27.000000005Z\",");
  }

  @Test
  void encode_otherExtension_isBase64OfPayload() {
    assertThat(encodeWithField("x", new FieldValue.ExtensionValue((byte) 7, new byte[] {1, 2})))
        .startsWith("{\"x\":\"AQI=\",");
  }

  /* --------------- record view contract --------------- */

  @Test
  void encode_viewWithScalarRoot_isRejectedAndBufferUnchanged() {
    GrowableBytes out = new GrowableBytes();
    out.write('x');

    assertThatThrownBy(() -> encoder.encode("t", SEED_TIME, v -> v.integerValue(1), out))
        .isInstanceOf(RecordEncodingException.class)
        .hasMessage("record must be a map, got a scalar value");
    assertThat(out.toByteArray()).containsExactly('x');
  }

  @Test
  void encode_viewWithArrayRoot_isRejected() {
    assertThatThrownBy(() -> encodeView(v -> v.startArray(0)))
        .isInstanceOf(RecordEncodingException.class)
        .hasMessage("record must be a map, got an array");
  }

  @Test
  void encode_viewThatNeverClosesItsMap_isRejected() {
    assertThatThrownBy(() -> encodeView(v -> v.startMap(0)))
        .isInstanceOf(RecordEncodingException.class)
        .hasMessage("record view ended before its root map was closed");
  }

  @Test
  void encode_viewWithTwoRoots_isRejected() {
    assertThatThrownBy(
            () ->
                encodeView(
                    v -> {
                      v.startMap(0);
                      v.endMap();
                      v.startMap(0);
                    }))
        .isInstanceOf(RecordEncodingException.class)
        .hasMessage("record view emitted more than one root value");
  }

  @Test
  void encode_viewEndingAMapAfterAKey_isRejected() {
    byte[] key = "k".getBytes(UTF_8);
    assertThatThrownBy(
            () ->
                encodeView(
                    v -> {
                      v.startMap(1);
                      v.stringValue(key, 0, 1);
                      v.endMap();
                    }))
        .isInstanceOf(RecordEncodingException.class)
        .hasMessage("record view ended a map between a key and its value");
  }

  @Test
  void encode_afterAFailedRecord_encodesTheNextOneCorrectly() {
    assertThatThrownBy(() -> encodeView(v -> v.startMap(0)));

    assertThat(encode(seedEvent().build())).startsWith("{\"container_name\":");
  }

  @Test
  void encode_manyRecordsIntoOneBuffer_appendsEachWhole() {
    GrowableBytes out = new GrowableBytes(4);
    LogEvent event = seedEvent().build();

    int first = encoder.encode(event.tag(), event.time(), event, out);
    int second = encoder.encode(event.tag(), event.time(), event, out);

    assertThat(out.length()).isEqualTo(first + second);
    assertThat(new String(out.array(), first, second, UTF_8)).isEqualTo(encode(event));
  }

  @Test
  void encode_timeAsParts_writesTheSameAsEventTime() {
    LogEvent event = seedEvent().build();
    GrowableBytes out = new GrowableBytes();

    encoder.encode(event.tag(), 1449236367L, 0, event, out);

    assertThat(new String(out.toByteArray(), UTF_8)).isEqualTo(encode(event));
  }

  @Test
  void encode_timePartsOutOfRange_areRejectedWithTheEventTimeMessage() {
    GrowableBytes out = new GrowableBytes();
    LogEvent event = seedEvent().build();

    assertThatThrownBy(() -> encoder.encode("t", 1L << 32, 0, event, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EventTime seconds must be in 0..4294967295 (unsigned 32-bit), got 4294967296");
    assertThatThrownBy(() -> encoder.encode("t", 0, 1_000_000_000, event, out))
        .hasMessage("EventTime nanos must be in 0..999999999, got 1000000000");
    assertThat(out.length()).isZero();
  }

  /* --------------- builder --------------- */

  @Test
  void builder_timePrecisionTwice_isRejected() {
    KinesisRecordEncoder.Builder builder =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.MILLIS);

    assertThatThrownBy(() -> builder.timePrecision(TimePrecision.NANOS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timePrecision was already set to MILLIS");
  }

  @Test
  void builder_emptyTimeKey_isRejected() {
    assertThatThrownBy(() -> KinesisRecordEncoder.builder().timeKey(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeKey must not be empty");
  }

  @Test
  void builder_tagKeyTwice_isRejected() {
    assertThatThrownBy(() -> KinesisRecordEncoder.builder().tagKey("a").tagKey("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tagKey was already set to 'a'");
  }

  @Test
  void builder_sameTimeAndTagKey_isRejectedAtBuild() {
    KinesisRecordEncoder.Builder builder = KinesisRecordEncoder.builder().timeKey("tag");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeKey and tagKey must differ, both are 'tag'");
  }

  /* --------------- helpers --------------- */

  private byte[] encodeView(RecordView view) {
    GrowableBytes out = new GrowableBytes();
    encoder.encode("t", SEED_TIME, view, out);
    return out.toByteArray();
  }

  private String logOf(byte[] raw) {
    RecordView record =
        visitor -> {
          visitor.startMap(1);
          visitor.stringValue("log".getBytes(UTF_8), 0, 3);
          visitor.stringValue(raw, 0, raw.length);
          visitor.endMap();
        };
    return parse(encodeView(record)).get("log").asText();
  }

  private static byte[] bytes(int... values) {
    byte[] result = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (byte) values[i];
    }
    return result;
  }

  private static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not valid JSON: " + new String(json, UTF_8), e);
    }
  }
}
