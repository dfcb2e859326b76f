package dev.logstream.agent;

import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.kinesis.CapacityMonitor;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agent's one-line progress report: rates since the previous line, the backlog, cumulative
 * retries and dead letters, and the stream's capacity utilization.
 *
 * <p>The dispatcher's counters start from zero again when a reload replaces the sink; a counter
 * that went down is taken as restarted, so totals go on from where the old dispatcher left off
 * (what the old dispatcher did after the previous line and before it stopped is not counted).
 */
final class ProgressReport {

  private final Pipeline pipeline;
  private final Supplier<Optional<CapacityMonitor>> monitor;
  private long lastNanos;
  private long lastEvents;
  private final Counter delivered = new Counter();
  private final Counter retried = new Counter();
  private final Counter deadLettered = new Counter();

  ProgressReport(Pipeline pipeline, Supplier<Optional<CapacityMonitor>> monitor, long nowNanos) {
    this.pipeline = pipeline;
    this.monitor = monitor;
    this.lastNanos = nowNanos;
    this.lastEvents = pipeline.ingestMetrics().events();
    DispatcherMetrics d = pipeline.dispatcherMetrics();
    delivered.total(d.recordsDelivered());
    retried.total(d.recordsRetried());
    deadLettered.total(d.recordsDeadLettered());
  }

  /** Returns the line for now and makes now the start of the next line's rates. */
  synchronized String next(long nowNanos) {
    double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
    long events = pipeline.ingestMetrics().events();
    DispatcherMetrics d = pipeline.dispatcherMetrics();
    long deliveredBefore = delivered.total;
    delivered.total(d.recordsDelivered());
    retried.total(d.recordsRetried());
    deadLettered.total(d.recordsDeadLettered());
    long backlog = pipeline.buffer().metrics().backlogRecords();
    String capacity =
        monitor
            .get()
            .map(m -> m.utilization())
            .filter(s -> s.shards() > 0)
            .map(
                s ->
                    String.format(
                        Locale.ROOT, "%.2f%% of %d shards", s.utilization() * 100, s.shards()))
            .orElse("n/a");
    String line =
        String.format(
            Locale.ROOT,
            "progress: %.1f events/s in, %.1f records/s out, backlog %d, retries %d,"
                + " dead letters %d, capacity %s",
            (events - lastEvents) / seconds,
            (delivered.total - deliveredBefore) / seconds,
            backlog,
            retried.total,
            deadLettered.total,
            capacity);
    lastNanos = nowNanos;
    lastEvents = events;
    return line;
  }

  /** A cumulative count over dispatchers whose own counters restart from zero. */
  private static final class Counter {
    private long base;
    private long lastSeen;
    private long total;

    void total(long current) {
      if (current < lastSeen) {
        base += lastSeen;
      }
      lastSeen = current;
      total = base + current;
    }
  }
}
