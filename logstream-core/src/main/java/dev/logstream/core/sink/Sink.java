package dev.logstream.core.sink;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A destination for stored records, driven by a dispatcher that reads them from the buffer, sends
 * them in batches and decides what to retry. Retrying, backoff and giving up are never the sink's
 * job: a sink makes one attempt per call and reports what happened to each record.
 *
 * <h2>Contract of {@link #send(List)}</h2>
 *
 * <ul>
 *   <li><b>Within the limits.</b> The batch is non-empty and within {@link #limits()}: at most
 *       {@link SinkLimits#maxRecordsPerBatch()} records, at most {@link SinkLimits#maxBatchBytes()}
 *       payload bytes, none larger than {@link SinkLimits#maxRecordBytes()}. {@code limits()} is
 *       read once, when the dispatcher is built.
 *   <li><b>Never blocks.</b> {@code send} starts the request and returns; it may do CPU work such
 *       as marshalling the request, never wait for the network. The dispatcher calls it from its
 *       own thread, one call at a time, while up to its {@code maxBatchesInFlight} earlier stages
 *       may still be pending.
 *   <li><b>One outcome per record, index-aligned.</b> The stage completes normally with a list
 *       whose element {@code i} is the outcome of {@code batch.get(i)}, and whose size is exactly
 *       {@code batch.size()}. The dispatcher treats a list of another size, a {@code null} list or
 *       a {@code null} element as a bug of the sink: every record concerned is retried (as {@link
 *       RetryReason#INTERNAL_FAILURE}) and the violation is counted and logged.
 *   <li><b>Exceptional completion means "the whole batch, maybe later".</b> A stage that completes
 *       exceptionally marks every record of the batch retryable: {@link RetryReason#TIMEOUT} if the
 *       cause is a {@link java.util.concurrent.TimeoutException}, {@link RetryReason#NETWORK}
 *       otherwise. Use it for failures of the whole request (connection refused, HTTP 5xx after the
 *       client's own retries); report per-record failures as outcomes. A {@code send} that throws
 *       instead of returning a stage is a bug treated like a wrong-sized list.
 *   <li><b>Payloads are shared and read-only.</b> {@link SinkRecord#payload()} is the dispatcher's
 *       only copy of the record, passed again on every attempt: the sink may hand it to its client
 *       without copying, and must never modify it. The list itself is unmodifiable and the sink may
 *       keep it until the stage completes.
 *   <li><b>Always completes.</b> A stage must complete eventually; the dispatcher also gives up on
 *       a stage after its send timeout, retries the batch as {@link RetryReason#TIMEOUT} and
 *       ignores the late outcome, which may cause a duplicate.
 *   <li><b>Any thread.</b> The stage may complete on any thread, including inside {@code send}; the
 *       dispatcher only queues the outcome there and handles it on its own thread.
 * </ul>
 *
 * <p>The dispatcher never closes the sink: whoever built the sink closes it, after stopping the
 * dispatcher.
 */
public interface Sink extends AutoCloseable {

  /**
   * What one batch may carry; must return the same limits every time.
   *
   * @return the limits
   */
  SinkLimits limits();

  /**
   * Makes one attempt to deliver a batch, without blocking (see the class documentation for the
   * full contract).
   *
   * @param batch the records, non-empty, within {@link #limits()}, unmodifiable; payloads must not
   *     be modified
   * @return a stage completing with exactly one outcome per record, index-aligned with {@code
   *     batch}; or completing exceptionally if no record of the batch was delivered and all may be
   *     retried
   */
  CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch);

  /**
   * Releases the sink's resources (clients, connections); does nothing by default. Call it after
   * the dispatcher using the sink has stopped.
   */
  @Override
  default void close() {}
}
