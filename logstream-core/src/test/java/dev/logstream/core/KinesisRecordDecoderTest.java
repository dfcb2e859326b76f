package dev.logstream.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class KinesisRecordDecoderTest {
  private final KinesisRecordDecoder decoder = KinesisRecordDecoder.create();

  private LogEvent decode(String json) {
    return decoder.decode(json.getBytes(UTF_8));
  }

  @Test
  void decode_seedRecord_givesTagTimeAndDockerFields() {
    LogEvent event =
        decode(
            "{\"container_name\":\"/mesos-1\",\"source\":\"stdout\",\"log\":\"MESSAGE\","
                + "\"container_id\":\"1d26\",\"time\":\"2015-12-04T13:39:27Z\","
                + "\"tag\":\"grid.devel/www-data/redis-test:devel/www-data/redis-test\"}");

    assertThat(event.tag()).isEqualTo("grid.devel/www-data/redis-test:devel/www-data/redis-test");
    assertThat(event.time()).isEqualTo(EventTime.of(1449236367L, 0));
    assertThat(event.containerName()).contains("/mesos-1");
    assertThat(event.source()).contains("stdout");
    assertThat(event.log()).contains("MESSAGE");
    assertThat(event.containerId()).contains("1d26");
    assertThat(event.fields())
        .extracting(LogEvent.Field::key)
        .containsExactly("container_name", "source", "log", "container_id");
  }

  @Test
  void decode_fractionalTime_keepsNanoseconds() {
    LogEvent event = decode("{\"time\":\"2015-12-04T13:39:27.000000005Z\",\"tag\":\"t\"}");

    assertThat(event.time()).isEqualTo(EventTime.of(1449236367L, 5));
  }

  @Test
  void decode_jsonTypes_mapToFieldValues() {
    LogEvent event =
        decode(
            "{\"i\":18446744073709551615,\"f\":1.5,\"b\":true,\"n\":null,\"a\":[1],"
                + "\"o\":{\"k\":\"v\"},\"time\":\"1970-01-01T00:00:00Z\",\"tag\":\"t\"}");

    assertThat(event.field("i"))
        .contains(new FieldValue.IntegerValue(new BigInteger("18446744073709551615")));
    assertThat(event.field("f")).contains(new FieldValue.FloatValue(1.5, false));
    assertThat(event.field("b")).contains(new FieldValue.BooleanValue(true));
    assertThat(event.field("n")).contains(FieldValue.NilValue.INSTANCE);
    assertThat(event.field("a"))
        .contains(new FieldValue.ArrayValue(List.of(FieldValue.integer(1))));
    assertThat(event.field("o").orElseThrow()).isInstanceOf(FieldValue.MapValue.class);
  }

  @Test
  void decode_integerBeyondMsgpackRange_becomesDouble() {
    LogEvent event =
        decode("{\"i\":99999999999999999999999,\"time\":\"1970-01-01T00:00:00Z\",\"tag\":\"t\"}");

    assertThat(event.field("i")).contains(new FieldValue.FloatValue(1e23, false));
  }

  @Test
  void decode_notJson_explainsWhy() {
    assertThatThrownBy(() -> decode("{\"log\":"))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageStartingWith("record data is not valid JSON: ");
  }

  @Test
  void decode_array_isRejectedWithAPreview() {
    assertThatThrownBy(() -> decode("[1,2]"))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessage("record data must be a JSON object: '[1,2]'");
  }

  @Test
  void decode_missingTime_namesTheKey() {
    assertThatThrownBy(() -> decode("{\"tag\":\"t\"}"))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessage("record has no 'time' field");
  }

  @Test
  void decode_missingTag_namesTheKey() {
    assertThatThrownBy(() -> decode("{\"time\":\"1970-01-01T00:00:00Z\"}"))
        .hasMessage("record has no 'tag' field");
  }

  @Test
  void decode_badTime_quotesTheValue() {
    assertThatThrownBy(() -> decode("{\"time\":\"yesterday\",\"tag\":\"t\"}"))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessage("record field 'time' is not an ISO-8601 UTC time: 'yesterday'");
  }

  @Test
  void decode_timeBeforeEpoch_isRejected() {
    assertThatThrownBy(() -> decode("{\"time\":\"1969-12-31T23:59:59Z\",\"tag\":\"t\"}"))
        .hasMessage("record field 'time' is not an ISO-8601 UTC time: '1969-12-31T23:59:59Z'");
  }

  @Test
  void decode_numericTag_isRejected() {
    assertThatThrownBy(() -> decode("{\"time\":\"1970-01-01T00:00:00Z\",\"tag\":1}"))
        .hasMessage("record field 'tag' must be a string, got VALUE_NUMBER_INT");
  }

  @Test
  void decode_trailingContent_isRejected() {
    assertThatThrownBy(() -> decode("{\"time\":\"1970-01-01T00:00:00Z\",\"tag\":\"t\"} {}"))
        .hasMessage("record data has content after its JSON object");
  }

  @Test
  void decode_customKeys_readsThem() {
    KinesisRecordDecoder custom = KinesisRecordDecoder.withKeys("@ts", "fluent_tag");

    LogEvent event =
        custom.decode("{\"@ts\":\"1970-01-01T00:00:01Z\",\"fluent_tag\":\"x\"}".getBytes(UTF_8));

    assertThat(event.tag()).isEqualTo("x");
    assertThat(event.time()).isEqualTo(EventTime.ofEpochSecond(1));
  }
}
