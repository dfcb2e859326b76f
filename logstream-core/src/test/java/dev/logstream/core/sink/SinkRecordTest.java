package dev.logstream.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SinkRecordTest {

  @Test
  void payload_isTheSameArrayNotACopy() {
    byte[] payload = {1, 2, 3};

    SinkRecord record = new SinkRecord(7, payload);

    assertThat(record.payload()).isSameAs(payload);
    assertThat(record.sequence()).isEqualTo(7);
  }

  @Test
  void toString_namesSequenceAndSizeButNotTheContent() {
    SinkRecord record =
        new SinkRecord(42, "secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(record).hasToString("SinkRecord[sequence=42, payload=6 bytes]");
  }

  @Test
  void new_negativeSequence_isRejectedWithTheValue() {
    assertThatThrownBy(() -> new SinkRecord(-1, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequence must be >= 0, got -1");
  }

  @Test
  void new_nullPayload_isRejectedNamingIt() {
    assertThatThrownBy(() -> new SinkRecord(0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("payload");
  }
}
