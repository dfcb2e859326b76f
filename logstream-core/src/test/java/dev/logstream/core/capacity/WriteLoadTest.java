package dev.logstream.core.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WriteLoadTest {

  @Test
  void of_zeroAndMaximumRates_areAccepted() {
    assertThat(WriteLoad.of(0, Long.MAX_VALUE))
        .isEqualTo(new WriteLoad(0, Long.MAX_VALUE))
        .extracting(WriteLoad::recordsPerSecond, WriteLoad::bytesPerSecond)
        .containsExactly(0L, Long.MAX_VALUE);
  }

  @Test
  void of_negativeRecords_isRejectedWithTheValue() {
    assertThatThrownBy(() -> WriteLoad.of(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recordsPerSecond must be >= 0, got -1");
  }

  @Test
  void of_negativeBytes_isRejectedWithTheValue() {
    assertThatThrownBy(() -> WriteLoad.of(0, Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytesPerSecond must be >= 0, got -9223372036854775808");
  }
}
