package dev.logstream.kinesis;

import dev.logstream.core.sink.FatalReason;
import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of a {@link KinesisSink}'s counters, taken by {@link KinesisSink#metrics()}. Counters
 * are cumulative since the sink was built; sizes count data plus partition key UTF-8 bytes, the way
 * Kinesis counts them.
 *
 * @param recordsPut records Kinesis accepted (a success entry in a PutRecords response); with
 *     aggregation, every record inside an accepted aggregate
 * @param bytesPut data and partition key bytes of the Kinesis records accepted (with aggregation,
 *     of the aggregates, envelope included)
 * @param requests PutRecords requests completed, successfully or not
 * @param failedRequests requests that failed as a whole (an error response, a timeout, an I/O
 *     error), so that no record of theirs was delivered
 * @param failuresByErrorCode records not delivered, by Kinesis error code ({@code
 *     ProvisionedThroughputExceededException}, {@code InternalFailure}, the {@code __type} of a
 *     whole-request error) or, for failures without one, the exception's simple class name;
 *     unmodifiable
 * @param recordsRetried records answered with a retryable outcome
 * @param fatalRecords records answered with a fatal outcome, by reason; unmodifiable, without
 *     reasons that never occurred
 * @param requestLatencyCount requests whose latency was measured (every completed request)
 * @param requestLatencyTotal the sum of their latencies, from sending to the response
 * @param requestLatencyMax the longest of them
 * @param requestsInFlight requests sent and not yet answered
 * @param bytesInFlight data and partition key bytes of the requests in flight
 * @param requestsQueued requests built but waiting for a free slot below {@code
 *     maxRequestsInFlight}
 * @param kinesisRecordsPut Kinesis records accepted: equal to {@code recordsPut} without
 *     aggregation; with it, each accepted aggregate counts once however many records it carries
 * @param capacityUtilization the stream's write utilization as seen by the sink's {@link
 *     CapacityMonitor} ({@link CapacitySnapshot#utilization()}: the larger of records and bytes per
 *     second over the open shards' limits, averaged over the monitor's window; 1.0 is full), or
 *     {@link Double#NaN} when no monitor is attached ({@link
 *     KinesisSink.Builder#capacityMonitor(CapacityMonitor)}) or the monitor does not know the shard
 *     count yet (its snapshot then reports {@code shards == 0} and a utilization of 0, which would
 *     read as an idle stream)
 */
public record KinesisSinkMetrics(
    long recordsPut,
    long bytesPut,
    long requests,
    long failedRequests,
    Map<String, Long> failuresByErrorCode,
    long recordsRetried,
    Map<FatalReason, Long> fatalRecords,
    long requestLatencyCount,
    Duration requestLatencyTotal,
    Duration requestLatencyMax,
    int requestsInFlight,
    long bytesInFlight,
    int requestsQueued,
    long kinesisRecordsPut,
    double capacityUtilization) {

  /**
   * Copies the maps, so the snapshot never changes.
   *
   * @param recordsPut records Kinesis accepted
   * @param bytesPut bytes of the records Kinesis accepted
   * @param requests requests completed
   * @param failedRequests requests that failed as a whole
   * @param failuresByErrorCode records not delivered, by error code
   * @param recordsRetried records answered retryable
   * @param fatalRecords records answered fatal, by reason
   * @param requestLatencyCount requests measured
   * @param requestLatencyTotal the sum of their latencies
   * @param requestLatencyMax the longest latency
   * @param requestsInFlight requests in flight
   * @param bytesInFlight bytes in flight
   * @param requestsQueued requests waiting for a slot
   * @param kinesisRecordsPut Kinesis records accepted
   * @param capacityUtilization the monitor's utilization, or NaN
   */
  public KinesisSinkMetrics {
    failuresByErrorCode = Map.copyOf(failuresByErrorCode);
    fatalRecords = Map.copyOf(fatalRecords);
  }

  /**
   * The mean request latency.
   *
   * @return {@code requestLatencyTotal / requestLatencyCount}, or zero before the first request
   */
  public Duration requestLatencyMean() {
    return requestLatencyCount == 0
        ? Duration.ZERO
        : requestLatencyTotal.dividedBy(requestLatencyCount);
  }
}
