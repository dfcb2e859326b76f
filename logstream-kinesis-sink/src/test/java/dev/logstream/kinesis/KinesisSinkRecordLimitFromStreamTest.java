package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link KinesisSink.Builder#maxRecordBytesFromStream()} against a scripted endpoint. */
class KinesisSinkRecordLimitFromStreamTest {
  private final FaultyKinesisEndpoint endpoint;
  private KinesisSink sink;

  KinesisSinkRecordLimitFromStreamTest() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
  }

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close();
    }
    endpoint.close();
  }

  private KinesisSink.Builder fromStream(String stream, Integer maxRecordSizeInKiB) {
    endpoint.describe = FaultyKinesisEndpoint.summary(maxRecordSizeInKiB);
    return KinesisEndpointSinks.sinkTo(endpoint, stream).maxRecordBytesFromStream();
  }

  @Test
  void build_streamReports2MiB_limitsAre2MiBAndA2MiBRecordIsSent() throws Exception {
    sink = fromStream("logs", 2048).partitionKeys(PartitionKeyStrategy.fixed("k")).build();

    assertThat(endpoint.described).containsExactly("logs");
    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 5 << 20, 2 << 20));
    byte[] payload = new byte[(2 << 20) - 1];
    Arrays.fill(payload, (byte) 'x');

    List<RecordOutcome> outcomes =
        KinesisSinkEndpointTest.send(sink, List.of(new SinkRecord(0, payload)));

    assertThat(outcomes).containsExactly(RecordOutcome.delivered());
    assertThat(endpoint.accepted)
        .singleElement()
        .satisfies(e -> assertThat(e.data()).isEqualTo(payload));
  }

  @Test
  void build_streamReports10MiB_requestLimitGrowsTo10MiB() {
    sink = fromStream("logs", 10240).build();

    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 10 << 20, 10 << 20));
  }

  @Test
  void build_streamReportsMoreThan10MiB_recordLimitIsCappedAt10MiB() {
    sink = fromStream("logs", 20480).build();

    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 10 << 20, 10 << 20));
  }

  @Test
  void build_streamReportsNoMaxRecordSize_limitsAreTheDefault1MiB() {
    sink = fromStream("logs", null).build();

    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 5 << 20, 1 << 20));
  }

  @Test
  void build_streamArn_describesByArn() {
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/logs";
    sink = fromStream(arn, 3072).build();

    assertThat(endpoint.described).containsExactly(arn);
    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 5 << 20, 3 << 20));
  }

  @Test
  void build_maxRequestBytesAtOrAboveTheStreamLimit_keepsIt() {
    sink = fromStream("logs", 2048).maxRequestBytes(3 << 20).build();

    assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 3 << 20, 2 << 20));
  }

  @Test
  void build_maxRequestBytesBelowTheStreamLimit_throwsNamingBoth() {
    KinesisSink.Builder builder = fromStream("logs", 2048).maxRequestBytes(1 << 20);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "maxRequestBytes (1048576) is below the record limit of stream 'logs' (2097152):"
                + " raise maxRequestBytes or leave it unset");
  }

  @Test
  void build_aggregateLargerThanTheStreamLimit_throwsNamingBoth() {
    KinesisSink.Builder builder =
        fromStream("logs", 1024)
            .aggregation(KplAggregator.builder().maxAggregateBytes(2 << 20).build());

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "aggregation maxAggregateBytes (2097152) must not exceed maxRecordBytes (1048576)");
  }

  @Test
  void build_describeFails_throwsNamingStreamAndCause() {
    endpoint.describe =
        FaultyKinesisEndpoint.describeError(
            400, "ResourceNotFoundException", "Stream logs under account 123456789012 not found.");
    KinesisSink.Builder builder =
        KinesisEndpointSinks.sinkTo(endpoint, "logs").maxRecordBytesFromStream();

    assertThatThrownBy(builder::build)
        .isInstanceOf(KinesisSinkException.class)
        .hasMessage(
            "maxRecordBytesFromStream: DescribeStreamSummary of stream 'logs' failed"
                + " (ResourceNotFoundException: Stream logs under account 123456789012 not found."
                + " (Service: Kinesis, Status Code: 400, Request ID: test-request)"
                + " (SDK Attempt Count: 1)); set maxRecordBytes explicitly");
  }

  @Test
  void builder_combinedWithMaxRecordBytesOrSetTwice_throws() {
    assertThatThrownBy(
            () -> KinesisSink.builder("logs").maxRecordBytes(2048).maxRecordBytesFromStream())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRecordBytesFromStream cannot be set together with maxRecordBytes (2048)");
    assertThatThrownBy(
            () -> KinesisSink.builder("logs").maxRecordBytesFromStream().maxRecordBytes(2048))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRecordBytes cannot be set together with maxRecordBytesFromStream");
    assertThatThrownBy(
            () -> KinesisSink.builder("logs").maxRecordBytesFromStream().maxRecordBytesFromStream())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRecordBytesFromStream was already set to true");
  }
}
