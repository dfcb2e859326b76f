package dev.logstream.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SinkLimitsTest {

  @Test
  void new_kinesisLimits_keepsEveryComponent() {
    SinkLimits limits = new SinkLimits(500, 10L << 20, 1 << 20);

    assertThat(limits.maxRecordsPerBatch()).isEqualTo(500);
    assertThat(limits.maxBatchBytes()).isEqualTo(10L << 20);
    assertThat(limits.maxRecordBytes()).isEqualTo(1 << 20);
  }

  @Test
  void new_smallestLimits_areAccepted() {
    SinkLimits limits = new SinkLimits(1, 1, 1);

    assertThat(limits).isEqualTo(new SinkLimits(1, 1, 1));
  }

  @Test
  void new_zeroRecordsPerBatch_isRejectedWithTheValue() {
    assertThatThrownBy(() -> new SinkLimits(0, 100, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordsPerBatch must be >= 1, got 0");
  }

  @Test
  void new_negativeRecordBytes_isRejectedWithTheValue() {
    assertThatThrownBy(() -> new SinkLimits(500, 100, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordBytes must be >= 1, got -5");
  }

  @Test
  void new_batchBytesBelowRecordBytes_isRejectedWithBothValues() {
    assertThatThrownBy(() -> new SinkLimits(500, 1023, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxBatchBytes must be >= maxRecordBytes (1024) so that any accepted record fits in a"
                + " batch, got 1023");
  }
}
