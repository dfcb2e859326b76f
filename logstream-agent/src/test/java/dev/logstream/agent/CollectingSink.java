package dev.logstream.agent;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/** A sink that keeps what it is sent, in memory; it can be made to answer retryable (an outage). */
final class CollectingSink implements Sink {
  private final List<String> records = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicBoolean closed = new AtomicBoolean();

  @Override
  public SinkLimits limits() {
    return new SinkLimits(500, 5 << 20, 1 << 20);
  }

  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    List<RecordOutcome> outcomes = new ArrayList<>(batch.size());
    for (SinkRecord r : batch) {
      if (down.get()) {
        outcomes.add(RecordOutcome.retryable(dev.logstream.core.sink.RetryReason.NETWORK, "down"));
      } else {
        records.add(new String(r.payload(), StandardCharsets.UTF_8));
        outcomes.add(RecordOutcome.delivered());
      }
    }
    return CompletableFuture.completedFuture(outcomes);
  }

  List<String> records() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
