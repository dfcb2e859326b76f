package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkLimits;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher's linger: records that trickle in after it caught up share one batch. */
class DispatcherLingerTest {

  @TempDir Path dir;
  private final FakeScheduler scheduler = new FakeScheduler();
  private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();

  private Dispatcher started(SegmentBuffer buffer, ScriptedSink sink, Duration linger) {
    Dispatcher dispatcher =
        Dispatcher.builder(buffer, sink)
            .deadLetterStore(deadLetters)
            .scheduler(scheduler)
            .ticker(scheduler::nanoTime)
            .clock(scheduler.clock())
            .random(FixedRandom.middle())
            .pollInterval(Duration.ofMinutes(1))
            .linger(linger)
            .build();
    dispatcher.start();
    scheduler.runDue();
    return dispatcher;
  }

  private static void append(SegmentBuffer buffer, String text) {
    byte[] b = text.getBytes(UTF_8);
    buffer.append(b, 0, b.length);
  }

  private SegmentBuffer open() throws Exception {
    return SegmentBuffer.builder(dir).segmentSize(64 << 10).durability(Durability.never()).open();
  }

  private ScriptedSink sink() {
    return new ScriptedSink(new SinkLimits(500, 1 << 20, 1 << 10), scheduler::nanoTime)
        .otherwise(RecordOutcome.delivered());
  }

  @Test
  void linger_recordsArrivingOneByOne_goOutAsOneBatchAfterTheLinger() throws Exception {
    ScriptedSink sink = sink();
    try (SegmentBuffer buffer = open()) {
      Dispatcher dispatcher = started(buffer, sink, Duration.ofMillis(5));
      append(buffer, "a");
      scheduler.advance(Duration.ofMillis(2));
      append(buffer, "b");
      append(buffer, "c");
      scheduler.runDue();
      assertThat(sink.calls()).isEmpty();
      scheduler.advance(Duration.ofMillis(3));
      assertThat(sink.calls()).hasSize(1);
      assertThat(sink.calls().get(0).records).hasSize(3);
      assertThat(sink.calls().get(0).at).isEqualTo(Duration.ofMillis(5));
      assertThat(dispatcher.metrics().recordsDelivered()).isEqualTo(3);
    }
  }

  @Test
  void linger_zero_readsEachRecordAtOnce() throws Exception {
    ScriptedSink sink = sink();
    try (SegmentBuffer buffer = open()) {
      started(buffer, sink, Duration.ZERO);
      append(buffer, "a");
      scheduler.runDue();
      append(buffer, "b");
      scheduler.runDue();
      assertThat(sink.calls()).hasSize(2);
      assertThat(sink.calls()).allSatisfy(call -> assertThat(call.at).isEqualTo(Duration.ZERO));
    }
  }

  @Test
  void linger_backlogAtStart_isReadWithoutLingering() throws Exception {
    ScriptedSink sink = sink();
    try (SegmentBuffer buffer = open()) {
      append(buffer, "a");
      append(buffer, "b");
      started(buffer, sink, Duration.ofMillis(500));
      assertThat(sink.calls()).hasSize(1);
      assertThat(sink.calls().get(0).records).hasSize(2);
    }
  }

  @Test
  void linger_outOfRange_failsNamingTheOption() {
    assertThatThrownBy(
            () -> Dispatcher.builder(new FakeSource(), sink()).linger(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("linger must be in PT0S..PT1S, got PT2S");
  }
}
