package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink that answers on other threads, the way a network sink does: every seventh record is
 * throttled on its first attempt, records whose payload contains "bad" are fatal, the rest are
 * delivered. Counts attempts and deliveries per sequence; can be told to never answer.
 */
final class AsyncTestSink implements Sink {
  final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
  final Map<Long, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  volatile boolean answer = true;
  private final SinkLimits limits;
  private final Executor threads;

  AsyncTestSink(SinkLimits limits, Executor threads) {
    this.limits = limits;
    this.threads = threads;
  }

  @Override
  public SinkLimits limits() {
    return limits;
  }

  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    if (!answer) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.supplyAsync(
        () -> {
          List<RecordOutcome> outcomes = new ArrayList<>();
          for (SinkRecord r : batch) {
            int attempt =
                attempts.computeIfAbsent(r.sequence(), s -> new AtomicInteger()).incrementAndGet();
            if (new String(r.payload(), UTF_8).contains("bad")) {
              outcomes.add(RecordOutcome.fatal(FatalReason.INVALID, "rejected by the test"));
            } else if (r.sequence() % 7 == 0 && attempt == 1) {
              outcomes.add(ScriptedSink.throttled());
            } else {
              deliveries.computeIfAbsent(r.sequence(), s -> new AtomicInteger()).incrementAndGet();
              outcomes.add(RecordOutcome.delivered());
            }
          }
          return outcomes;
        },
        threads);
  }
}
