package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * {@link KinesisSink.Builder#maxRecordBytesFromStream()} against kinesis-mock 0.6.2, whose
 * DescribeStreamSummary predates the 2025 large-record change and does not report {@code
 * MaxRecordSizeInKiB}: the sink falls back to the default 1 MiB.
 */
class KinesisSinkRecordLimitOnKinesisMockTest {
  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams("limits:1");

  @Test
  void build_kinesisMockStream_readsNoMaxRecordSizeAndUsesTheDefault1MiB() throws Exception {
    try (KinesisSink sink =
        KinesisSink.builder("limits")
            .endpointOverride(KINESIS.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .maxRecordBytesFromStream()
            .build()) {
      assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 5 << 20, 1 << 20));
      assertThat(KinesisSinkEndpointTest.send(sink, KinesisSinkEndpointTest.records(3)))
          .containsExactly(
              RecordOutcome.delivered(), RecordOutcome.delivered(), RecordOutcome.delivered());
    }
  }
}
