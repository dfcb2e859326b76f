package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.SinkLimits;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The builder's validation, with exact messages, and the limits it gives the dispatcher. */
class KinesisSinkBuilderTest {

  private static KinesisSink.Builder builder() {
    return KinesisSink.builder("logs")
        .region(Region.US_EAST_1)
        .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS);
  }

  @Test
  void builder_streamNameOrArn_isAccepted() {
    KinesisSink.builder("my_stream-1.logs");
    KinesisSink.builder("arn:aws:kinesis:eu-west-1:123456789012:stream/logs");
    KinesisSink.builder("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/logs");
  }

  @Test
  void builder_neitherNameNorArn_throwsNamingTheValue() {
    assertThatThrownBy(() -> KinesisSink.builder(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must be a stream name or a stream ARN, got ''");
    assertThatThrownBy(() -> KinesisSink.builder("logs/prod"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must be a stream name or a stream ARN, got 'logs/prod'");
    assertThatThrownBy(() -> KinesisSink.builder("arn:aws:s3:::bucket"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must be a stream name or a stream ARN, got 'arn:aws:s3:::bucket'");
  }

  @Test
  void builder_outOfRangeValues_throwNamingOptionAndValue() {
    assertThatThrownBy(() -> builder().maxRecordsPerRequest(501))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordsPerRequest must be in 1..500, got 501");
    assertThatThrownBy(() -> builder().maxRecordsPerRequest(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordsPerRequest must be in 1..500, got 0");
    assertThatThrownBy(() -> builder().maxRequestBytes((10 << 20) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestBytes must be in 1..10485760, got 10485761");
    assertThatThrownBy(() -> builder().maxRecordBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordBytes must be in 1..10485760, got 0");
    assertThatThrownBy(() -> builder().maxRecordBytes((10 << 20) + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordBytes must be in 1..10485760, got 10485761");
    assertThatThrownBy(() -> builder().maxRequestsInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequestsInFlight must be in 1..10000, got 0");
    assertThatThrownBy(() -> builder().maxConcurrency(10_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrency must be in 1..10000, got 10001");
    assertThatThrownBy(() -> builder().apiCallAttemptTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiCallAttemptTimeout must be positive and at most PT1H, got PT0S");
    assertThatThrownBy(() -> builder().apiCallTimeout(Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiCallTimeout must be positive and at most PT1H, got PT2H");
    assertThatThrownBy(() -> builder().endpointOverride(URI.create("ftp://localhost:21")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "endpointOverride must be an absolute http or https URI, got ftp://localhost:21");
    assertThatThrownBy(() -> builder().endpointOverride(URI.create("localhost:4567")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpointOverride must be an absolute http or https URI, got localhost:4567");
  }

  @Test
  void builder_optionSetTwice_throwsNamingTheFirstValue() {
    assertThatThrownBy(() -> builder().region(Region.EU_WEST_1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("region was already set to us-east-1");
    assertThatThrownBy(() -> builder().maxRecordsPerRequest(10).maxRecordsPerRequest(10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRecordsPerRequest was already set to 10");
    assertThatThrownBy(() -> builder().cbor(false).cbor(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cbor was already set to false");
    assertThatThrownBy(() -> builder().protocol(Protocol.HTTP2).protocol(Protocol.HTTP1_1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("protocol was already set to HTTP2");
    assertThatThrownBy(
            () ->
                builder()
                    .partitionKeys(PartitionKeyStrategy.tag())
                    .partitionKeys(PartitionKeyStrategy.randomUuid()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("partitionKeys was already set to field(tag)");
  }

  @Test
  void build_inconsistentOptions_throwNamingBoth() {
    assertThatThrownBy(() -> builder().maxRecordBytes(6 << 20).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxRecordBytes (6291456) must not exceed maxRequestBytes (5242880)");
    assertThatThrownBy(() -> builder().maxConcurrency(4).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxConcurrency (4) must be at least maxRequestsInFlight (16)");
    assertThatThrownBy(() -> builder().apiCallTimeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("apiCallTimeout (PT1S) must not be below apiCallAttemptTimeout (PT10S)");
  }

  @Test
  void build_clientWithAClientOption_throwsNamingTheOption() {
    try (KinesisAsyncClient client =
        KinesisAsyncClient.builder().region(Region.US_EAST_1).build()) {
      assertThatThrownBy(() -> builder().client(client).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "region cannot be set together with client: configure the given client instead");
      assertThatThrownBy(() -> KinesisSink.builder("logs").client(client).cbor(false).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "cbor cannot be set together with client: configure the given client instead");
    }
  }

  @Test
  void limits_defaults_are500RecordsFiveMibPerBatchOneMibPerRecord() {
    try (KinesisSink sink = builder().build()) {
      assertThat(sink.limits()).isEqualTo(new SinkLimits(500, 5 << 20, 1 << 20));
    }
  }

  @Test
  void limits_options_areTheRequestAndRecordLimits() {
    try (KinesisSink sink =
        builder()
            .maxRecordsPerRequest(100)
            .maxRequestBytes(10 << 20)
            .maxRecordBytes(10 << 20)
            .build()) {
      assertThat(sink.limits()).isEqualTo(new SinkLimits(100, 10 << 20, 10 << 20));
    }
  }

  @Test
  void build_cborOff_restoresTheSystemProperty() {
    String before = System.getProperty("aws.cborEnabled");
    try (KinesisSink sink = builder().cbor(false).build()) {
      assertThat(System.getProperty("aws.cborEnabled")).isEqualTo(before);
      assertThat(sink.limits().maxRecordsPerBatch()).isEqualTo(500);
    }
  }
}
