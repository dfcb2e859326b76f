package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a {@link KinesisSink} reports to its capacity monitor, against a faulty endpoint. */
class CapacityMonitorSinkTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<CapacityAlert> alerts = new CopyOnWriteArrayList<>();
  private FaultyKinesisEndpoint endpoint;
  private KinesisSink sink;

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private CapacityMonitor monitor(String stream) {
    return CapacityMonitor.builder(stream)
        .client(new ShardCountFake(1))
        .listener(alerts::add)
        .ticker(nanos::get)
        .build();
  }

  private static long kinesisBytes(List<FaultyKinesisEndpoint.Entry> entries) {
    return entries.stream()
        .mapToLong(e -> e.data().length + e.partitionKey().getBytes(UTF_8).length)
        .sum();
  }

  @Test
  void send_someRecordsThrottled_monitorCountsAcceptedAndThrottledEntries() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    endpoint.then(
        endpoint.perRecord(
            (i, e) -> i == 1 || i == 4 ? "ProvisionedThroughputExceededException" : null));
    CapacityMonitor monitor = monitor("logs");
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").capacityMonitor(monitor).build();

    List<RecordOutcome> outcomes =
        KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(6));
    nanos.addAndGet(1_000_000_000L);

    assertThat(outcomes).filteredOn(o -> o == RecordOutcome.delivered()).hasSize(4);
    CapacitySnapshot u = monitor.utilization();
    assertThat(u.records()).isEqualTo(4);
    assertThat(u.bytes()).isEqualTo(kinesisBytes(endpoint.accepted)).isPositive();
    assertThat(u.throttledRecords()).isEqualTo(2);
    assertThat(alerts)
        .extracting(CapacityAlert::reason)
        .containsExactly(CapacityAlert.Reason.THROTTLING);
  }

  @Test
  void send_wholeRequestThrottled_monitorCountsEveryEntryThrottled() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    endpoint.then(
        FaultyKinesisEndpoint.error(400, "ProvisionedThroughputExceededException", "slow down"));
    CapacityMonitor monitor = monitor("logs");
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").capacityMonitor(monitor).build();

    List<RecordOutcome> outcomes =
        KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(3));
    nanos.addAndGet(1_000_000_000L);

    assertThat(outcomes)
        .allMatch(
            o -> o instanceof RecordOutcome.Retryable r && r.reason() == RetryReason.THROTTLED);
    CapacitySnapshot u = monitor.utilization();
    assertThat(u.records()).isZero();
    assertThat(u.throttledRecords()).isEqualTo(3);
    assertThat(alerts).hasSize(1);
  }

  @Test
  void send_internalFailure_isNotThrottling() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    endpoint.then(endpoint.perRecord((i, e) -> i == 0 ? "InternalFailure" : null));
    CapacityMonitor monitor = monitor("logs");
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").capacityMonitor(monitor).build();

    KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(2));
    nanos.addAndGet(1_000_000_000L);

    CapacitySnapshot u = monitor.utilization();
    assertThat(u.records()).isEqualTo(1);
    assertThat(u.throttledRecords()).isZero();
    assertThat(alerts).isEmpty();
  }

  @Test
  void metrics_monitorKnowsShards_capacityUtilizationIsTheMonitorsUtilization() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    endpoint.then(endpoint.perRecord((i, e) -> i == 1 ? "InternalFailure" : null));
    CapacityMonitor monitor = monitor("logs");
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").capacityMonitor(monitor).build();

    KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(5));
    assertThat(sink.metrics().capacityUtilization()).isZero();
    nanos.addAndGet(1_000_000_000L);

    // 4 entries accepted in a 60 s window on 1 shard: records (not bytes) bind
    assertThat(sink.metrics().capacityUtilization()).isEqualTo(4.0 / (60 * 1_000));
    assertThat(sink.metrics().capacityUtilization()).isEqualTo(monitor.utilization().utilization());
  }

  @Test
  void metrics_shardCountNotKnown_capacityUtilizationIsNaN() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    CapacityMonitor monitor =
        CapacityMonitor.builder("logs").client(new ShardCountFake(-1)).ticker(nanos::get).build();
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").capacityMonitor(monitor).build();

    KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(2));
    nanos.addAndGet(1_000_000_000L);

    assertThat(monitor.utilization().shards()).isZero();
    assertThat(monitor.utilization().utilization()).isZero();
    assertThat(sink.metrics().capacityUtilization()).isNaN();
  }

  @Test
  void metrics_noMonitor_capacityUtilizationIsNaN() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").build();

    KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(2));

    assertThat(sink.metrics().capacityUtilization()).isNaN();
  }

  @Test
  void builder_monitorOfAnotherStream_throwsNamingBoth() {
    CapacityMonitor other = monitor("other");

    assertThatThrownBy(() -> KinesisSink.builder("logs").capacityMonitor(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacityMonitor watches stream 'other', not 'logs'");
    assertThatThrownBy(
            () ->
                KinesisSink.builder("logs")
                    .capacityMonitor(monitor("logs"))
                    .capacityMonitor(monitor("logs")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("capacityMonitor was already set to ");
  }
}
