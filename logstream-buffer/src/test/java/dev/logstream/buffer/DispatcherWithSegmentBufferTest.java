package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.SinkLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher delivering a real segment buffer, on real threads. */
class DispatcherWithSegmentBufferTest {
  private static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .initialDelay(Duration.ofMillis(5))
          .maxDelay(Duration.ofMillis(50))
          .build();

  @TempDir Path dir;
  private final ExecutorService sinkThreads = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopSinkThreads() {
    sinkThreads.shutdownNow();
  }

  private SegmentBuffer openBuffer() throws Exception {
    return SegmentBuffer.builder(dir)
        .segmentSize(64 << 10)
        .maxSegments(64)
        .durability(Durability.never())
        .open();
  }

  @Test
  void dispatcher_appendsWhileRunning_deliversEveryRecordOnceAndReleasesSegments()
      throws Exception {
    AsyncTestSink sink = new AsyncTestSink(new SinkLimits(50, 64 << 10, 4 << 10), sinkThreads);
    try (SegmentBuffer buffer = openBuffer();
        DirectoryDeadLetterStore dead = DirectoryDeadLetterStore.open(dir.resolve("dead-letter"))) {
      // a poll interval of a minute: only the buffer's append notification can wake it in time
      Dispatcher dispatcher =
          Dispatcher.builder(buffer, sink)
              .retryPolicy(FAST_RETRIES)
              .pollInterval(Duration.ofMinutes(1))
              .deadLetterStore(dead)
              .build();
      dispatcher.start();
      int records = 5000;
      for (int i = 1; i <= records; i++) {
        byte[] r = ("{\"log\":\"line " + i + (i % 1000 == 0 ? " bad" : "") + "\"}").getBytes(UTF_8);
        buffer.append(r, 0, r.length);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> buffer.metrics().committedSequence() == records);
      assertThat(dispatcher.stop(Duration.ofSeconds(5)).get()).isTrue();

      assertThat(sink.deliveries).hasSize(records - 5);
      assertThat(sink.deliveries.values()).allMatch(n -> n.get() == 1);
      List<DeadLetter> letters = new ArrayList<>();
      dead.replay(letters::add);
      assertThat(letters)
          .extracting(DeadLetter::sequence)
          .containsExactly(1000L, 2000L, 3000L, 4000L, 5000L);
      assertThat(buffer.metrics().segmentsInUse()).isEqualTo(1);
      assertThat(buffer.metrics().backlogRecords()).isZero();
      DispatcherMetrics m = dispatcher.metrics();
      assertThat(m.recordsDelivered()).isEqualTo(records - 5);
      assertThat(m.recordsRetried()).isPositive();
    }
  }

  @Test
  void dispatcher_stoppedWithUndeliveredRecords_restartDeliversTheRestAfterReopen()
      throws Exception {
    AsyncTestSink sink = new AsyncTestSink(new SinkLimits(50, 64 << 10, 4 << 10), sinkThreads);
    sink.answer = false;
    try (SegmentBuffer buffer = openBuffer();
        DirectoryDeadLetterStore dead = DirectoryDeadLetterStore.open(dir.resolve("dead-letter"))) {
      for (int i = 1; i <= 300; i++) {
        byte[] r = ("line " + i).getBytes(UTF_8);
        buffer.append(r, 0, r.length);
      }
      Dispatcher dispatcher =
          Dispatcher.builder(buffer, sink).retryPolicy(FAST_RETRIES).deadLetterStore(dead).build();
      dispatcher.start();
      await().until(() -> dispatcher.metrics().batchesInFlight() > 0);
      assertThat(dispatcher.stop(Duration.ZERO).get()).isFalse();
      assertThat(buffer.metrics().committedSequence()).isZero();
    }
    sink.answer = true;
    try (SegmentBuffer buffer = openBuffer();
        DirectoryDeadLetterStore dead = DirectoryDeadLetterStore.open(dir.resolve("dead-letter"))) {
      assertThat(buffer.recoveryReport().recordsRecovered()).isEqualTo(300);
      Dispatcher dispatcher =
          Dispatcher.builder(buffer, sink).retryPolicy(FAST_RETRIES).deadLetterStore(dead).build();
      dispatcher.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> buffer.metrics().committedSequence() == 300);
      dispatcher.close();
    }
    assertThat(sink.deliveries).hasSize(300);
    assertThat(sink.deliveries.values()).allMatch(n -> n.get() == 1);
    try (SegmentBuffer buffer = openBuffer()) {
      assertThat(buffer.recoveryReport().recordsRecovered()).isZero();
    }
  }
}
