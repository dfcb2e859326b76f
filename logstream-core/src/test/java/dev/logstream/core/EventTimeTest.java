package dev.logstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimeTest {

  @Test
  void of_maximumUnsignedSeconds_isTheLastSecondOf2106() {
    EventTime last = EventTime.of(EventTime.MAX_SECONDS, EventTime.MAX_NANOS);

    assertThat(last.toInstant()).isEqualTo(Instant.parse("2106-02-07T06:28:15.999999999Z"));
  }

  @Test
  void of_secondsAboveUnsigned32Bits_isRejectedWithTheValue() {
    assertThatThrownBy(() -> EventTime.of(4_294_967_296L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EventTime seconds must be in 0..4294967295 (unsigned 32-bit), got 4294967296");
  }

  @Test
  void of_negativeSeconds_isRejected() {
    assertThatThrownBy(() -> EventTime.of(-1, 0))
        .hasMessage("EventTime seconds must be in 0..4294967295 (unsigned 32-bit), got -1");
  }

  @Test
  void of_nanosOfOneFullSecond_isRejectedWithTheValue() {
    assertThatThrownBy(() -> EventTime.of(0, 1_000_000_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EventTime nanos must be in 0..999999999, got 1000000000");
  }

  @Test
  void of_negativeNanos_isRejected() {
    assertThatThrownBy(() -> EventTime.of(0, -1))
        .hasMessage("EventTime nanos must be in 0..999999999, got -1");
  }

  @Test
  void fromWire_highBitSetInSeconds_readsUnsigned() {
    EventTime time = EventTime.fromWire(0xFFFF_FFFF, 5);

    assertThat(time.seconds()).isEqualTo(4_294_967_295L);
    assertThat(time.nanos()).isEqualTo(5);
  }

  @Test
  void fromWire_nanosWithHighBitSet_isRejectedAsUnsignedValue() {
    assertThatThrownBy(() -> EventTime.fromWire(0, 0xFFFF_FFFF))
        .hasMessage("EventTime nanos must be in 0..999999999, got 4294967295");
  }

  @Test
  void fromInstant_roundTripsThroughToInstant() {
    Instant instant = Instant.parse("2015-12-04T13:39:27.123456789Z");

    assertThat(EventTime.fromInstant(instant).toInstant()).isEqualTo(instant);
  }

  @Test
  void fromInstant_beforeEpoch_isRejected() {
    assertThatThrownBy(() -> EventTime.fromInstant(Instant.parse("1969-12-31T23:59:59Z")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compareTo_ordersBySecondsThenNanos() {
    assertThat(EventTime.of(1, 999)).isLessThan(EventTime.of(2, 0));
    assertThat(EventTime.of(2, 1)).isGreaterThan(EventTime.of(2, 0));
  }

  @Test
  void toEpochMilli_truncatesSubMillisecondPart() {
    assertThat(EventTime.of(1, 1_999_999).toEpochMilli()).isEqualTo(1001);
  }
}
