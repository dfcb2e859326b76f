package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The capacity monitor against kinesis-mock: the real DescribeStreamSummary and PutRecords. */
class CapacityMonitorOnKinesisMockTest {
  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("capacity:4");

  @Test
  void monitor_fourShardStream_readsFourShardsAndCountsWhatTheSinkPut() throws Exception {
    try (KinesisAsyncClient client = KINESIS.newClient()) {
      CapacityMonitor monitor =
          CapacityMonitor.builder("capacity").client(client).window(Duration.ofSeconds(60)).build();
      await().atMost(30, TimeUnit.SECONDS).until(() -> monitor.utilization().shards() == 4);

      try (KinesisSink sink =
          KinesisSink.builder("capacity")
              .endpointOverride(KINESIS.endpoint())
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
              .capacityMonitor(monitor)
              .build()) {
        List<RecordOutcome> outcomes =
            sink.send(KinesisSinkEndpointTest.records(200))
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertThat(outcomes).allMatch(o -> o == RecordOutcome.delivered());
      }

      // counted once the second it was put in has ended
      await().atMost(10, TimeUnit.SECONDS).until(() -> monitor.utilization().records() == 200);
      CapacitySnapshot u = monitor.utilization();
      assertThat(u.shards()).isEqualTo(4);
      assertThat(u.recordsUtilization()).isEqualTo(200.0 / (60 * 4 * 1_000));
      assertThat(u.atOrAboveThreshold()).isFalse();
    }
  }
}
