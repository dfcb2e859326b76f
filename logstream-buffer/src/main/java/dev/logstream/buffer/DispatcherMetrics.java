package dev.logstream.buffer;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of a {@link Dispatcher}'s counters and gauges, taken by {@link Dispatcher#metrics()}.
 * Counters ({@code records...}, {@code ...Failures}, {@code ...Violations}) only grow over the
 * dispatcher's life; gauges ({@code ...InFlight}, {@code ...Pending}, {@code uncommittedRecords})
 * describe the moment of the snapshot.
 *
 * <p>Once the dispatcher has stopped, the in-flight and pending gauges are zero (late outcomes are
 * ignored), and {@link #uncommittedRecords()} counts the records left for the next run.
 *
 * <p>Every record read ends up counted exactly once in {@link #recordsDelivered()} or {@link
 * #recordsDeadLettered()}, unless the dispatcher stops first; {@link #recordsSent()} counts every
 * attempt, so {@code recordsSent - recordsDelivered} is the number of failed attempts.
 *
 * @param recordsRead records read from the buffer
 * @param recordsSent records handed to the sink, once per attempt
 * @param recordsDelivered records the sink reported delivered
 * @param recordsRetried failed attempts followed by a scheduled retry
 * @param recordsDeadLetteredByReason records written to the dead-letter store, by the name of their
 *     final outcome's reason ({@code THROTTLED}, {@code TOO_LARGE}, ...); reasons never seen are
 *     absent; unmodifiable, sorted by name
 * @param sinkContractViolations batches for which the sink broke its contract: threw from {@code
 *     send}, returned no stage, or completed with a missing, wrong-sized or incomplete outcome list
 * @param deadLetterWriteFailures calls to the dead-letter store that threw (the letters are kept
 *     and written again later)
 * @param batchesInFlight batches sent whose outcome has not arrived yet
 * @param recordsInFlight records in those batches
 * @param retriesPending records waiting for their backoff to end
 * @param uncommittedRecords records read but not yet committed: in flight, waiting, or finished
 *     behind an unfinished one
 * @param lastCommittedSequence the highest sequence committed to the buffer, or -1 if none yet
 */
public record DispatcherMetrics(
    long recordsRead,
    long recordsSent,
    long recordsDelivered,
    long recordsRetried,
    Map<String, Long> recordsDeadLetteredByReason,
    long sinkContractViolations,
    long deadLetterWriteFailures,
    int batchesInFlight,
    int recordsInFlight,
    int retriesPending,
    int uncommittedRecords,
    long lastCommittedSequence) {

  /**
   * Copies the map of dead letters by reason into an unmodifiable, sorted map.
   *
   * @param recordsRead records read from the buffer
   * @param recordsSent records handed to the sink, once per attempt
   * @param recordsDelivered records the sink reported delivered
   * @param recordsRetried failed attempts followed by a scheduled retry
   * @param recordsDeadLetteredByReason records dead-lettered, by reason name
   * @param sinkContractViolations batches for which the sink broke its contract
   * @param deadLetterWriteFailures calls to the dead-letter store that threw
   * @param batchesInFlight batches awaiting their outcome
   * @param recordsInFlight records in those batches
   * @param retriesPending records waiting for their backoff to end
   * @param uncommittedRecords records read but not yet committed
   * @param lastCommittedSequence the highest committed sequence, or -1
   * @throws NullPointerException if the map, a key or a value is null
   */
  public DispatcherMetrics {
    recordsDeadLetteredByReason =
        Collections.unmodifiableMap(
            new TreeMap<>(Objects.requireNonNull(recordsDeadLetteredByReason, "byReason")));
    recordsDeadLetteredByReason.values().forEach(v -> Objects.requireNonNull(v, "count"));
  }

  /**
   * The records written to the dead-letter store, all reasons together.
   *
   * @return the sum of {@link #recordsDeadLetteredByReason()}
   */
  public long recordsDeadLettered() {
    return recordsDeadLetteredByReason.values().stream().mapToLong(Long::longValue).sum();
  }
}
