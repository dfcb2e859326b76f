package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.SinkLimits;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

  private static boolean dispatcherThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(thread -> thread.getName().equals("logstream-dispatcher") && thread.isAlive());
  }

  @Test
  void defaultScheduler_asyncSinkWithRetries_deliversEveryRecordOnceAndCloseStopsItsThread() {
    FakeSource source = new FakeSource();
    source.addRecords(10_000, 50);
    AsyncTestSink sink = new AsyncTestSink(new SinkLimits(100, 1 << 20, 1 << 10), sinkThreads);
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
    AsyncTestSink sink = new AsyncTestSink(new SinkLimits(100, 1 << 20, 1 << 10), sinkThreads);
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
