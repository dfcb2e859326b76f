package dev.logstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogEventTest {
  private static final EventTime TIME = EventTime.ofEpochSecond(1);

  @Test
  void dockerAccessors_partialPiece_readDockersKeys() {
    LogEvent event =
        LogEvent.builder("t", TIME)
            .field("container_id", "abc")
            .field("container_name", "/web")
            .field("source", "stderr")
            .field("log", "part")
            .field("partial_message", "true")
            .field("partial_id", "f00d")
            .field("partial_ordinal", "2")
            .field("partial_last", "false")
            .build();

    assertThat(event.containerId()).contains("abc");
    assertThat(event.containerName()).contains("/web");
    assertThat(event.source()).contains("stderr");
    assertThat(event.log()).contains("part");
    assertThat(event.isPartial()).isTrue();
    assertThat(event.partialId()).contains("f00d");
    assertThat(event.partialOrdinal()).contains(2);
    assertThat(event.isPartialLast()).isFalse();
  }

  @Test
  void dockerAccessors_wholeLine_reportNotPartial() {
    LogEvent event = LogEvent.builder("t", TIME).field("log", "x").build();

    assertThat(event.isPartial()).isFalse();
    assertThat(event.partialOrdinal()).isEmpty();
    assertThat(event.containerId()).isEmpty();
  }

  @Test
  void partialOrdinal_notAPositiveNumber_isEmpty() {
    assertThat(LogEvent.builder("t", TIME).field("partial_ordinal", "x").build().partialOrdinal())
        .isEmpty();
    assertThat(LogEvent.builder("t", TIME).field("partial_ordinal", "0").build().partialOrdinal())
        .isEmpty();
  }

  @Test
  void stringField_nonStringValue_isEmpty() {
    LogEvent event = LogEvent.builder("t", TIME).field("log", FieldValue.integer(1)).build();

    assertThat(event.stringField("log")).isEmpty();
    assertThat(event.field("log")).contains(FieldValue.integer(1));
  }

  @Test
  void stringValue_bytes_areCopiedInAndOut() {
    byte[] raw = {'a'};
    FieldValue.StringValue value = new FieldValue.StringValue(raw);
    raw[0] = 'b';
    value.bytes()[0] = 'c';

    assertThat(value.text()).isEqualTo("a");
  }

  @Test
  void integerValue_outsideMsgpackRange_isRejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new FieldValue.IntegerValue(java.math.BigInteger.TWO.pow(64)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "integer must be in -2^63..2^64-1 (msgpack int64/uint64), got 18446744073709551616");
  }
}
