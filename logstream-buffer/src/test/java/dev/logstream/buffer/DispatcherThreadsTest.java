package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher on its own thread, with a sink completing on other threads: real time, no fakes.
 */
class DispatcherThreadsTest {
  private final ExecutorService sinkThreads = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopSinkThreads() {
    sinkThreads.shutdownNow();
  }

  /** Completes on its own threads; throttles every seventh record's first attempt. */
  private final class AsyncSink implements Sink {
    final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final Map<Long, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    volatile boolean answer = true;

    @Override
    public SinkLimits limits() {
      return new SinkLimits(100, 1 << 20, 1 << 10);
    }

    @Override
    public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
      if (!answer) {
        return new CompletableFuture<>();
      }
      return CompletableFuture.supplyAsync(
          () -> {
            List<RecordOutcome> outcomes = new ArrayList<>();
            for (SinkRecord record : batch) {
              int attempt =
                  attempts
                      .computeIfAbsent(record.sequence(), s -> new AtomicInteger())
                      .incrementAndGet();
              if (record.sequence() % 7 == 0 && attempt == 1) {
                outcomes.add(ScriptedSink.throttled());
              } else {
                deliveries
                    .computeIfAbsent(record.sequence(), s -> new AtomicInteger())
                    .incrementAndGet();
                outcomes.add(RecordOutcome.delivered());
              }
            }
            return outcomes;
          },
          sinkThreads);
    }
  }

  private static boolean dispatcherThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(thread -> thread.getName().equals("logstream-dispatcher") && thread.isAlive());
  }

  @Test
  void defaultScheduler_asyncSinkWithRetries_deliversEveryRecordOnceAndCloseStopsItsThread() {
    FakeSource source = new FakeSource();
    source.addRecords(10_000, 50);
    AsyncSink sink = new AsyncSink();
    Dispatcher dispatcher =
        Dispatcher.builder(source, sink)
            .deadLetterStore(new InMemoryDeadLetterStore())
            .retryPolicy(RetryPolicy.builder().initialDelay(Duration.ofMillis(10)).build())
            .pollInterval(Duration.ofMillis(5))
            .build();

    dispatcher.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> dispatcher.metrics().lastCommittedSequence() == 9_999);
    dispatcher.close();

    assertThat(sink.deliveries).hasSize(10_000);
    assertThat(sink.deliveries.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    DispatcherMetrics metrics = dispatcher.metrics();
    assertThat(metrics.recordsDelivered()).isEqualTo(10_000);
    assertThat(metrics.recordsRetried()).isEqualTo(1_429);
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcherThreadAlive());
  }

  @Test
  void close_batchThatNeverCompletes_returnsAfterTheDrainTimeoutWithoutCommittingIt() {
    FakeSource source = new FakeSource();
    source.addRecords(10, 50);
    AsyncSink sink = new AsyncSink();
    sink.answer = false;
    Dispatcher dispatcher =
        Dispatcher.builder(source, sink)
            .deadLetterStore(new InMemoryDeadLetterStore())
            .drainTimeout(Duration.ofMillis(200))
            .build();
    dispatcher.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.metrics().batchesInFlight() == 1);

    long started = System.nanoTime();
    dispatcher.close();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(dispatcher.metrics().lastCommittedSequence()).isEqualTo(-1);
    assertThat(dispatcher.stop(Duration.ZERO)).isCompletedWithValue(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcherThreadAlive());
  }
}
