/**
 * The sink SPI: where a dispatcher hands batches of stored records for delivery, and the per-record
 * outcomes a sink reports back.
 *
 * <p>A {@link dev.logstream.core.sink.Sink} declares its {@link dev.logstream.core.sink.SinkLimits}
 * and sends a batch of {@link dev.logstream.core.sink.SinkRecord}s, completing with one {@link
 * dev.logstream.core.sink.RecordOutcome} per record: delivered, retryable (with a {@link
 * dev.logstream.core.sink.RetryReason}) or fatal (with a {@link
 * dev.logstream.core.sink.FatalReason}). Retrying is not the sink's job: one place, the dispatcher,
 * decides when to resend the failed records and when to give up on them.
 */
package dev.logstream.core.sink;
