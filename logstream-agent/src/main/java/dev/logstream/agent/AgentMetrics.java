package dev.logstream.agent;

import static dev.logstream.agent.MetricFamily.counter;
import static dev.logstream.agent.MetricFamily.counterByLabel;
import static dev.logstream.agent.MetricFamily.gauge;
import static dev.logstream.agent.MetricFamily.gaugeDouble;
import static dev.logstream.agent.MetricFamily.nanosToSeconds;
import static dev.logstream.agent.MetricFamily.seconds;

import dev.logstream.agent.PrometheusText.Sample;
import dev.logstream.agent.PrometheusText.Type;
import dev.logstream.buffer.BufferMetrics;
import dev.logstream.buffer.DispatcherMetrics;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.capacity.ThroughputDimension;
import dev.logstream.core.sink.FatalReason;
import dev.logstream.forward.CloseReason;
import dev.logstream.forward.DropReason;
import dev.logstream.forward.ForwardServerStats;
import dev.logstream.kinesis.CapacityMonitor;
import dev.logstream.kinesis.CapacitySnapshot;
import dev.logstream.kinesis.KinesisSink;
import dev.logstream.kinesis.KinesisSinkMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every counter and gauge of a running {@link Pipeline} (ingest, forward server, buffer,
 * dispatcher), of its sink when it is a {@link KinesisSink}, and of a {@link CapacityMonitor} when
 * one is given, in the Prometheus text format. Names follow Prometheus conventions: {@code
 * logstream_<area>_<name>}, base units ({@code _bytes}, {@code _seconds}), counters end in {@code
 * _total}, enumerations (reasons, error codes, transports, dimensions) are labels.
 */
final class AgentMetrics {

  static final List<MetricFamily<IngestMetrics>> INGEST =
      List.of(
          counter(
              "frames",
              "logstream_ingest_frames_total",
              "Frames handed to the pipeline by the forward server (a frame offered again after"
                  + " backpressure counts again).",
              IngestMetrics::frames),
          counter(
              "events",
              "logstream_ingest_events_total",
              "Events in those frames.",
              IngestMetrics::events),
          counter(
              "recordsStored",
              "logstream_ingest_records_stored_total",
              "Kinesis records appended to the buffer.",
              IngestMetrics::recordsStored),
          counter(
              "bytesStored",
              "logstream_ingest_stored_bytes_total",
              "Bytes of the Kinesis records appended to the buffer.",
              IngestMetrics::bytesStored),
          counter(
              "framesBackpressured",
              "logstream_ingest_frames_backpressured_total",
              "Frames refused because the buffer was full under the block policy (the connection"
                  + " paused).",
              IngestMetrics::framesBackpressured),
          counter(
              "framesFailed",
              "logstream_ingest_frames_failed_total",
              "Frames that could not be stored: no ack, the client resends.",
              IngestMetrics::framesFailed),
          counter(
              "foreignTagEvents",
              "logstream_ingest_foreign_tag_events_total",
              "Events whose tag is not a grid tag of the configured prefix (stored anyway).",
              IngestMetrics::foreignTagEvents),
          counter(
              "encodingErrors",
              "logstream_ingest_encoding_errors_total",
              "Events whose record could not be encoded and were left out.",
              IngestMetrics::encodingErrors),
          counter(
              "heldEventsLost",
              "logstream_ingest_held_events_lost_total",
              "Acknowledged partial-line events that could not be stored when flushed.",
              IngestMetrics::heldEventsLost));

  static final List<MetricFamily<ForwardServerStats>> FORWARD =
      List.of(
          gauge(
              "connectionsOpen",
              "logstream_forward_connections_open",
              "Client connections open now.",
              ForwardServerStats::connectionsOpen),
          counter(
              "connectionsTotal",
              "logstream_forward_connections_total",
              "Client connections accepted, refused ones included.",
              ForwardServerStats::connectionsTotal),
          counterByLabel(
              "closes",
              "logstream_forward_connections_closed_total",
              "Client connections closed, by reason.",
              "reason",
              s -> byEnum(CloseReason.values(), s::closes)),
          counter(
              "frames",
              "logstream_forward_frames_total",
              "Frames decoded.",
              ForwardServerStats::frames),
          counter(
              "events",
              "logstream_forward_events_total",
              "Valid events decoded.",
              ForwardServerStats::events),
          counterByLabel(
              "dropped",
              "logstream_forward_events_dropped_total",
              "Invalid events dropped by the decoder, by reason.",
              "reason",
              s -> byEnum(DropReason.values(), s::dropped)),
          counter(
              "bytesIn",
              "logstream_forward_received_bytes_total",
              "Bytes read from clients (after TLS).",
              ForwardServerStats::bytesIn),
          counter(
              "decompressedBytes",
              "logstream_forward_decompressed_bytes_total",
              "Bytes that CompressedPackedForward entries decompressed to.",
              ForwardServerStats::decompressedBytes),
          counter(
              "acks",
              "logstream_forward_acks_total",
              "Acks sent to clients.",
              ForwardServerStats::acks),
          new MetricFamily<>(
              List.of("heartbeats", "udpHeartbeats"),
              "logstream_forward_heartbeats_total",
              Type.COUNTER,
              "Heartbeats received, by transport (tcp: a top-level nil; udp: answered).",
              s ->
                  List.of(
                      Sample.of(Map.of("transport", "tcp"), s.heartbeats()),
                      Sample.of(Map.of("transport", "udp"), s.udpHeartbeats()))),
          counter(
              "handshakeFailures",
              "logstream_forward_handshake_failures_total",
              "Handshakes that failed (wrong key or user, malformed PING, timeout).",
              ForwardServerStats::handshakeFailures),
          counter(
              "backpressurePauses",
              "logstream_forward_backpressure_pauses_total",
              "Times a connection stopped reading because storage was full.",
              ForwardServerStats::backpressurePauses),
          counter(
              "nonLogFrames",
              "logstream_forward_non_log_frames_total",
              "Frames of metrics or traces, acknowledged without events.",
              ForwardServerStats::nonLogFrames),
          counter(
              "storeFailures",
              "logstream_forward_store_failures_total",
              "Frames whose storage failed (not acknowledged).",
              ForwardServerStats::storeFailures));

  static final List<MetricFamily<BufferMetrics>> BUFFER =
      List.of(
          counter(
              "recordsAppended",
              "logstream_buffer_records_appended_total",
              "Records appended to the buffer since it was opened.",
              BufferMetrics::recordsAppended),
          counter(
              "bytesAppended",
              "logstream_buffer_appended_bytes_total",
              "Payload bytes appended since the buffer was opened.",
              BufferMetrics::bytesAppended),
          counter(
              "recordsCommitted",
              "logstream_buffer_records_committed_total",
              "Records committed (delivered or dead-lettered) since the buffer was opened.",
              BufferMetrics::recordsCommitted),
          gauge(
              "lastSequence",
              "logstream_buffer_last_sequence",
              "Highest sequence number appended or recovered.",
              BufferMetrics::lastSequence),
          gauge(
              "committedSequence",
              "logstream_buffer_committed_sequence",
              "Sequence number through which everything is delivered.",
              BufferMetrics::committedSequence),
          gauge(
              "durableSequence",
              "logstream_buffer_durable_sequence",
              "Sequence number through which everything was forced to the device.",
              BufferMetrics::durableSequence),
          gauge(
              "backlogRecords",
              "logstream_buffer_backlog_records",
              "Undelivered records in the buffer.",
              BufferMetrics::backlogRecords),
          gauge(
              "bytesInUse",
              "logstream_buffer_in_use_bytes",
              "Bytes of frames in segments that still hold undelivered records.",
              BufferMetrics::bytesInUse),
          gauge(
              "segmentsInUse",
              "logstream_buffer_segments_in_use",
              "Segments holding undelivered records or being written.",
              BufferMetrics::segmentsInUse),
          gauge(
              "segmentsFree",
              "logstream_buffer_segments_free",
              "Allocated segment files kept for reuse.",
              BufferMetrics::segmentsFree),
          gauge(
              "segmentSize",
              "logstream_buffer_segment_size_bytes",
              "Bytes per segment file.",
              BufferMetrics::segmentSize),
          gauge(
              "maxSegments",
              "logstream_buffer_segments_max",
              "The most segments in use at once.",
              BufferMetrics::maxSegments),
          counter(
              "fsyncs",
              "logstream_buffer_fsyncs_total",
              "Forces of segments to the device.",
              BufferMetrics::fsyncs),
          new MetricFamily<>(
              List.of("fsyncNanosTotal"),
              "logstream_buffer_fsync_seconds_total",
              Type.COUNTER,
              "Time spent forcing segments to the device.",
              m -> List.of(Sample.of(nanosToSeconds(m.fsyncNanosTotal())))),
          gaugeDouble(
              "fsyncNanosMax",
              "logstream_buffer_fsync_max_seconds",
              "Longest single force of a segment to the device.",
              m -> nanosToSeconds(m.fsyncNanosMax())),
          counter(
              "appendsBlocked",
              "logstream_buffer_appends_blocked_total",
              "Appends that had to wait for room.",
              BufferMetrics::appendsBlocked),
          counter(
              "appendsRejected",
              "logstream_buffer_appends_rejected_total",
              "Appends refused because the buffer was full.",
              BufferMetrics::appendsRejected),
          counter(
              "segmentsDropped",
              "logstream_buffer_segments_dropped_total",
              "Segments deleted by the drop-oldest overflow policy.",
              BufferMetrics::segmentsDropped),
          new MetricFamily<>(
              List.of("recordsLostOverflow", "recordsLostCorruption"),
              "logstream_buffer_records_lost_total",
              Type.COUNTER,
              "Undelivered records lost, by reason (overflow: deleted by drop-oldest; corruption:"
                  + " missing after recovery found damage).",
              m ->
                  List.of(
                      Sample.of(Map.of("reason", "overflow"), m.recordsLostOverflow()),
                      Sample.of(Map.of("reason", "corruption"), m.recordsLostCorruption()))),
          counter(
              "allocationFailures",
              "logstream_buffer_allocation_failures_total",
              "Segment allocations that failed, e.g. no space left.",
              BufferMetrics::allocationFailures));

  static final List<MetricFamily<DispatcherMetrics>> DISPATCHER =
      List.of(
          counter(
              "recordsRead",
              "logstream_dispatcher_records_read_total",
              "Records read from the buffer.",
              DispatcherMetrics::recordsRead),
          counter(
              "recordsSent",
              "logstream_dispatcher_records_sent_total",
              "Records handed to the sink, once per attempt.",
              DispatcherMetrics::recordsSent),
          counter(
              "recordsDelivered",
              "logstream_dispatcher_records_delivered_total",
              "Records the sink reported delivered.",
              DispatcherMetrics::recordsDelivered),
          counter(
              "recordsRetried",
              "logstream_dispatcher_records_retried_total",
              "Failed attempts followed by a scheduled retry.",
              DispatcherMetrics::recordsRetried),
          counterByLabel(
              "recordsDeadLetteredByReason",
              "logstream_dispatcher_records_dead_lettered_total",
              "Records written to the dead-letter store, by the reason of their final outcome.",
              "reason",
              m -> lowerCaseKeys(m.recordsDeadLetteredByReason())),
          counter(
              "sinkContractViolations",
              "logstream_dispatcher_sink_contract_violations_total",
              "Batches for which the sink broke its contract.",
              DispatcherMetrics::sinkContractViolations),
          counter(
              "deadLetterWriteFailures",
              "logstream_dispatcher_dead_letter_write_failures_total",
              "Calls to the dead-letter store that threw (the letters are written again later).",
              DispatcherMetrics::deadLetterWriteFailures),
          gauge(
              "batchesInFlight",
              "logstream_dispatcher_batches_in_flight",
              "Batches sent whose outcome has not arrived yet.",
              DispatcherMetrics::batchesInFlight),
          gauge(
              "recordsInFlight",
              "logstream_dispatcher_records_in_flight",
              "Records in the batches in flight.",
              DispatcherMetrics::recordsInFlight),
          gauge(
              "retriesPending",
              "logstream_dispatcher_retries_pending",
              "Records waiting for their backoff to end.",
              DispatcherMetrics::retriesPending),
          gauge(
              "uncommittedRecords",
              "logstream_dispatcher_uncommitted_records",
              "Records read but not yet committed.",
              DispatcherMetrics::uncommittedRecords),
          gauge(
              "lastCommittedSequence",
              "logstream_dispatcher_last_committed_sequence",
              "Highest sequence number committed to the buffer, -1 if none yet.",
              DispatcherMetrics::lastCommittedSequence));

  static final List<MetricFamily<KinesisSinkMetrics>> KINESIS =
      List.of(
          counter(
              "recordsPut",
              "logstream_kinesis_records_put_total",
              "Records Kinesis accepted (with aggregation, every record inside an accepted"
                  + " aggregate).",
              KinesisSinkMetrics::recordsPut),
          counter(
              "kinesisRecordsPut",
              "logstream_kinesis_entries_put_total",
              "Kinesis records accepted (an aggregate counts once).",
              KinesisSinkMetrics::kinesisRecordsPut),
          counter(
              "bytesPut",
              "logstream_kinesis_put_bytes_total",
              "Data and partition key bytes of the Kinesis records accepted.",
              KinesisSinkMetrics::bytesPut),
          counter(
              "requests",
              "logstream_kinesis_requests_total",
              "PutRecords requests completed, successfully or not.",
              KinesisSinkMetrics::requests),
          counter(
              "failedRequests",
              "logstream_kinesis_failed_requests_total",
              "PutRecords requests that failed as a whole.",
              KinesisSinkMetrics::failedRequests),
          counterByLabel(
              "failuresByErrorCode",
              "logstream_kinesis_record_failures_total",
              "Records not delivered, by Kinesis error code (or exception class name).",
              "error_code",
              KinesisSinkMetrics::failuresByErrorCode),
          counter(
              "recordsRetried",
              "logstream_kinesis_records_retried_total",
              "Records answered with a retryable outcome.",
              KinesisSinkMetrics::recordsRetried),
          counterByLabel(
              "fatalRecords",
              "logstream_kinesis_fatal_records_total",
              "Records answered with a fatal outcome, by reason.",
              "reason",
              m -> byEnum(FatalReason.values(), r -> m.fatalRecords().getOrDefault(r, 0L))),
          new MetricFamily<>(
              List.of("requestLatencyTotal", "requestLatencyCount"),
              "logstream_kinesis_request_latency_seconds",
              Type.SUMMARY,
              "PutRecords latency, from sending to the response.",
              m ->
                  List.of(
                      new Sample(
                          "_sum",
                          Map.of(),
                          PrometheusText.render(seconds(m.requestLatencyTotal()))),
                      new Sample("_count", Map.of(), Long.toString(m.requestLatencyCount())))),
          gaugeDouble(
              "requestLatencyMax",
              "logstream_kinesis_request_latency_max_seconds",
              "The longest PutRecords latency.",
              m -> seconds(m.requestLatencyMax())),
          gauge(
              "requestsInFlight",
              "logstream_kinesis_requests_in_flight",
              "Requests sent and not yet answered.",
              KinesisSinkMetrics::requestsInFlight),
          gauge(
              "bytesInFlight",
              "logstream_kinesis_in_flight_bytes",
              "Data and partition key bytes of the requests in flight.",
              KinesisSinkMetrics::bytesInFlight),
          gauge(
              "requestsQueued",
              "logstream_kinesis_requests_queued",
              "Requests built and waiting for a free in-flight slot.",
              KinesisSinkMetrics::requestsQueued),
          gaugeDouble(
              "capacityUtilization",
              "logstream_kinesis_capacity_utilization_ratio",
              "Write utilization of the stream's shards (the higher of records and bytes), from"
                  + " the attached capacity monitor; NaN without one or before the shard count is"
                  + " known.",
              KinesisSinkMetrics::capacityUtilization));

  static final List<MetricFamily<CapacitySnapshot>> CAPACITY =
      List.of(
          capacityGauge(
              "shards",
              "logstream_capacity_shards",
              "Open shards of the stream, 0 while not known.",
              c -> (double) c.shards()),
          capacityGauge(
              "window",
              "logstream_capacity_window_seconds",
              "The span the capacity rates are averaged over.",
              c -> seconds(c.window())),
          capacityGauge(
              "records",
              "logstream_capacity_window_records",
              "Kinesis records accepted within the window.",
              c -> (double) c.records()),
          capacityGauge(
              "bytes",
              "logstream_capacity_window_bytes",
              "Data plus partition key bytes accepted within the window.",
              c -> (double) c.bytes()),
          capacityGauge(
              "throttledRecords",
              "logstream_capacity_window_throttled_records",
              "Kinesis records throttled within the window.",
              c -> (double) c.throttledRecords()),
          new MetricFamily<>(
              List.of("stream", "recordsUtilization", "bytesUtilization"),
              "logstream_capacity_utilization_ratio",
              Type.GAUGE,
              "Write rate over the shards' limit, by dimension (1 = fully used).",
              c ->
                  List.of(
                      Sample.of(
                          labels("stream", c.stream(), "dimension", "records"),
                          c.recordsUtilization()),
                      Sample.of(
                          labels("stream", c.stream(), "dimension", "bytes"),
                          c.bytesUtilization()))),
          new MetricFamily<>(
              List.of("binding"),
              "logstream_capacity_binding_dimension",
              Type.GAUGE,
              "1 for the busier dimension (records on a tie), 0 for the other.",
              c -> {
                List<Sample> samples = new ArrayList<>();
                for (ThroughputDimension d : ThroughputDimension.values()) {
                  samples.add(
                      Sample.of(
                          labels("stream", c.stream(), "dimension", lower(d)),
                          c.binding() == d ? 1 : 0));
                }
                return samples;
              }),
          capacityGauge(
              "atOrAboveThreshold",
              "logstream_capacity_at_or_above_threshold",
              "1 if either dimension is at or above the monitor's threshold.",
              c -> c.atOrAboveThreshold() ? 1 : 0));

  private final Pipeline pipeline;
  private final CapacityMonitor capacity;

  AgentMetrics(Pipeline pipeline, CapacityMonitor capacity) {
    this.pipeline = pipeline;
    this.capacity = capacity;
  }

  /** Reads every source once and returns the exposition text. */
  String scrape() {
    PrometheusText out = new PrometheusText();
    SegmentBuffer buffer;
    ForwardServerStats stats;
    IngestMetrics ingest;
    DispatcherMetrics dispatcher;
    try {
      stats = pipeline.server().stats();
      buffer = pipeline.buffer();
      ingest = pipeline.ingestMetrics();
      dispatcher = pipeline.dispatcherMetrics();
    } catch (IllegalStateException notRunning) {
      // new or closed: only say so, the components' counters are gone or not there yet
      up(out, false);
      writeCapacity(out);
      return out.text();
    }
    up(out, true);
    write(out, INGEST, ingest);
    write(out, FORWARD, stats);
    write(out, BUFFER, buffer.metrics());
    out.family(
        "logstream_buffer_failed",
        Type.GAUGE,
        "1 if the buffer failed for good (an fsync or disk write failed).",
        List.of(Sample.of(buffer.failure() == null ? 0 : 1)));
    write(out, DISPATCHER, dispatcher);
    if (pipeline.sink() instanceof KinesisSink kinesis) {
      write(out, KINESIS, kinesis.metrics());
    }
    writeCapacity(out);
    return out.text();
  }

  private void writeCapacity(PrometheusText out) {
    if (capacity != null) {
      write(out, CAPACITY, capacity.utilization());
    }
  }

  private static void up(PrometheusText out, boolean running) {
    out.family(
        "logstream_pipeline_up",
        Type.GAUGE,
        "1 while the pipeline runs (started and not closed).",
        List.of(Sample.of(running ? 1 : 0)));
  }

  static <S> void write(PrometheusText out, List<MetricFamily<S>> families, S source) {
    for (MetricFamily<S> family : families) {
      family.write(out, source);
    }
  }

  private static MetricFamily<CapacitySnapshot> capacityGauge(
      String component,
      String name,
      String help,
      java.util.function.ToDoubleFunction<CapacitySnapshot> value) {
    return new MetricFamily<>(
        List.of("stream", component),
        name,
        Type.GAUGE,
        help,
        c -> List.of(Sample.of(Map.of("stream", c.stream()), value.applyAsDouble(c))));
  }

  private static <E extends Enum<E>> Map<String, Long> byEnum(E[] values, Function<E, Long> count) {
    Map<String, Long> byName = new LinkedHashMap<>();
    for (E value : values) {
      byName.put(lower(value), count.apply(value));
    }
    return byName;
  }

  private static Map<String, Long> lowerCaseKeys(Map<String, Long> counts) {
    Map<String, Long> lowered = new LinkedHashMap<>();
    counts.forEach((k, v) -> lowered.put(k.toLowerCase(Locale.ROOT), v));
    return lowered;
  }

  private static Map<String, String> labels(String k1, String v1, String k2, String v2) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(k1, v1);
    labels.put(k2, v2);
    return labels;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
