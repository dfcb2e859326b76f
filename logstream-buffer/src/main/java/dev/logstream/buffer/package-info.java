/**
 * The crash-safe buffer between the receiver and the network: a segment buffer keeps CRC-32C framed
 * records in fixed-size memory-mapped segment files and recovers them after a crash; a dispatcher
 * delivers them to a sink in batches, retrying failed records under a retry policy and moving the
 * ones it gives up on to a dead-letter store.
 *
 * <p>Delivery side: {@link dev.logstream.buffer.Dispatcher} (reads, batches within the sink's
 * limits, retries per record, commits the finished prefix), {@link
 * dev.logstream.buffer.RetryPolicy} (backoff, attempts, age), {@link
 * dev.logstream.buffer.DeadLetterStore} with its default {@link
 * dev.logstream.buffer.DirectoryDeadLetterStore} (JSON lines, replayable), and {@link
 * dev.logstream.buffer.DispatcherMetrics}. The sink SPI itself lives in {@code
 * dev.logstream.core.sink}.
 */
package dev.logstream.buffer;
