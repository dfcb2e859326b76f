package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BufferOptionsTest {
  @TempDir Path dir;

  @Test
  void segmentSize_outOfRangeOrUnaligned_isRejectedNamingTheValue() {
    for (long bad : new long[] {0, 4096, 65535, 65536 + 100, (1L << 30) + 4096}) {
      assertThatThrownBy(() -> SegmentBuffer.builder(dir).segmentSize(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "segmentSize must be a multiple of 4096 from 65536 (64 KiB) to 1073741824 (1 GiB),"
                  + " got "
                  + bad);
    }
  }

  @Test
  void segmentSize_setTwice_isRejected() {
    SegmentBuffer.Builder b = SegmentBuffer.builder(dir).segmentSize(1 << 20);
    assertThatThrownBy(() -> b.segmentSize(1 << 20))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("segmentSize was already set to 1048576");
  }

  @Test
  void maxSegments_outOfRange_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> SegmentBuffer.builder(dir).maxSegments(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSegments must be from 2 to 1000000, got 1");
    assertThatThrownBy(() -> SegmentBuffer.builder(dir).maxSegments(1_000_001))
        .hasMessage("maxSegments must be from 2 to 1000000, got 1000001");
  }

  @Test
  void durabilityAndOverflow_setTwice_areRejectedNamingTheFirstValue() {
    SegmentBuffer.Builder b =
        SegmentBuffer.builder(dir)
            .durability(Durability.always())
            .overflow(OverflowPolicy.reject());
    assertThatThrownBy(() -> b.durability(Durability.never()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("durability was already set to always");
    assertThatThrownBy(() -> b.overflow(OverflowPolicy.block()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("overflow was already set to reject");
  }

  @Test
  void checkpointInterval_outOfRange_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> SegmentBuffer.builder(dir).checkpointInterval(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpointInterval must be between 10ms and 1h, got PT0.009S");
  }

  @Test
  void durabilityParse_acceptsTheAgentsSpellings() {
    assertThat(Durability.parse("never")).isEqualTo(Durability.never());
    assertThat(Durability.parse("ALWAYS")).isEqualTo(Durability.always());
    assertThat(Durability.parse("500ms")).isEqualTo(Durability.interval(Duration.ofMillis(500)));
    assertThat(Durability.parse("1s")).isEqualTo(Durability.interval());
    assertThat(Durability.parse("2m").fsyncInterval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durability.interval().toString()).isEqualTo("interval(PT1S)");
  }

  @Test
  void durabilityParse_unknownText_isRejectedNamingIt() {
    assertThatThrownBy(() -> Durability.parse("sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "durability must be never, always or an interval like 500ms, 1s or 2m, got"
                + " 'sometimes'");
    assertThatThrownBy(() -> Durability.parse("0ms"))
        .hasMessage("durability interval must be between 1ms and 1h, got PT0S");
    assertThatThrownBy(() -> Durability.parse("2h"))
        .hasMessage(
            "durability must be never, always or an interval like 500ms, 1s or 2m, got '2h'");
  }

  @Test
  void overflowParse_acceptsTheAgentsSpellings() {
    assertThat(OverflowPolicy.parse("block")).isEqualTo(OverflowPolicy.block());
    assertThat(OverflowPolicy.parse("reject")).isEqualTo(OverflowPolicy.reject());
    assertThat(OverflowPolicy.parse("drop-oldest")).isEqualTo(OverflowPolicy.dropOldest());
    assertThat(OverflowPolicy.block(Duration.ofSeconds(5)).toString()).isEqualTo("block(PT5S)");
    assertThat(OverflowPolicy.block(Duration.ofSeconds(5)).timeout())
        .hasValue(Duration.ofSeconds(5));
    assertThat(OverflowPolicy.block().timeout()).isEmpty();
  }

  @Test
  void overflowParse_unknownText_isRejectedNamingIt() {
    assertThatThrownBy(() -> OverflowPolicy.parse("drop_newest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("overflow must be block, reject or drop-oldest, got 'drop_newest'");
    assertThatThrownBy(() -> OverflowPolicy.block(Duration.ZERO))
        .hasMessage("overflow block timeout must be between 1ms and 1d, got PT0S");
  }

  @Test
  void appendResult_invalidRange_isRejected() {
    assertThatThrownBy(
            () ->
                new AppendResult(5, 4, java.util.concurrent.CompletableFuture.completedFuture(4L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sequences must satisfy 1 <= first <= last, got 5..4");
  }
}
