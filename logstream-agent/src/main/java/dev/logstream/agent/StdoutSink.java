package dev.logstream.agent;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes each record's JSON as one line to a {@link PrintStream} and answers it delivered: the
 * agent's {@code --sink stdout}, for trying the agent out and for piping into other tools.
 *
 * <p>The records the encoder writes are single-line JSON objects, so one record is one line. A
 * batch is written and flushed under the stream's lock, so lines of concurrent writers do not
 * interleave. If the stream fails ({@link PrintStream#checkError()}), the batch is answered
 * retryable. {@link #close()} flushes the stream and leaves it open.
 */
public final class StdoutSink implements Sink {

  private static final SinkLimits LIMITS = new SinkLimits(500, 5 << 20, 1 << 20);

  private final PrintStream out;

  private StdoutSink(PrintStream out) {
    this.out = out;
  }

  /**
   * A sink writing to the given stream.
   *
   * @param out where lines go, e.g. {@link System#out}
   * @return the sink
   */
  public static StdoutSink to(PrintStream out) {
    return new StdoutSink(Objects.requireNonNull(out, "out"));
  }

  /**
   * Batches of up to 500 records and 5 MiB, records of up to 1 MiB (as for Kinesis, so the
   * dispatcher behaves the same).
   *
   * @return the limits
   */
  @Override
  public SinkLimits limits() {
    return LIMITS;
  }

  /**
   * Writes the batch, one line per record, and completes with delivered for each, or with retryable
   * for each if the stream reports an error.
   *
   * @param batch the records
   * @return a completed stage
   */
  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    boolean failed;
    synchronized (out) {
      for (SinkRecord r : batch) {
        out.write(r.payload(), 0, r.payload().length);
        out.write('\n');
      }
      out.flush();
      failed = out.checkError();
    }
    RecordOutcome outcome =
        failed
            ? RecordOutcome.retryable(RetryReason.NETWORK, "output stream failed")
            : RecordOutcome.delivered();
    return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), outcome));
  }

  /** Flushes the stream; it stays open. */
  @Override
  public void close() {
    out.flush();
  }

  @Override
  public String toString() {
    return "stdout";
  }
}
