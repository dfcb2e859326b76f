package dev.logstream.bench.load;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * A sink that answers "delivered" for every record at once and only counts them, so the load
 * generator measures the agent's ingest and buffer, not a network.
 */
public final class DiscardingSink implements Sink {
  private static final SinkLimits LIMITS = new SinkLimits(500, 5 << 20, 1 << 20);

  private final LongAdder records = new LongAdder();

  /** Creates a sink with Kinesis's batch limits (500 records, 5 MiB, 1 MiB per record). */
  public DiscardingSink() {}

  @Override
  public SinkLimits limits() {
    return LIMITS;
  }

  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    records.add(batch.size());
    return CompletableFuture.completedFuture(
        Collections.nCopies(batch.size(), RecordOutcome.delivered()));
  }

  /**
   * The records answered so far.
   *
   * @return the count
   */
  public long records() {
    return records.sum();
  }
}
