package dev.logstream.agent;

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
 * Answers every record delivered and keeps only counts: the agent's {@code --sink discard}, to
 * measure the ingest path and the buffer without a destination's limits.
 */
public final class DiscardSink implements Sink {

  private static final SinkLimits LIMITS = new SinkLimits(500, 5 << 20, 1 << 20);

  private final LongAdder records = new LongAdder();
  private final LongAdder bytes = new LongAdder();

  /** Creates a sink with zero counts. */
  public DiscardSink() {}

  /**
   * Batches of up to 500 records and 5 MiB, records of up to 1 MiB (as for Kinesis, so the
   * dispatcher batches the same way).
   *
   * @return the limits
   */
  @Override
  public SinkLimits limits() {
    return LIMITS;
  }

  /**
   * Counts the batch and completes with delivered for every record.
   *
   * @param batch the records
   * @return a completed stage
   */
  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    long size = 0;
    for (SinkRecord r : batch) {
      size += r.payload().length;
    }
    records.add(batch.size());
    bytes.add(size);
    return CompletableFuture.completedFuture(
        Collections.nCopies(batch.size(), RecordOutcome.delivered()));
  }

  /**
   * Records discarded so far.
   *
   * @return the count
   */
  public long records() {
    return records.sum();
  }

  /**
   * Payload bytes discarded so far.
   *
   * @return the count
   */
  public long bytes() {
    return bytes.sum();
  }

  @Override
  public String toString() {
    return "discard";
  }
}
