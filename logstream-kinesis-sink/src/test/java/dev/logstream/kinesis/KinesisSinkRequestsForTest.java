package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.SinkRecord;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/** {@link KinesisSink#requestsFor(List)}: the requests {@code send} would make, not sent. */
class KinesisSinkRequestsForTest {

  private static KinesisSink.Builder sink(String stream) {
    return KinesisSink.builder(stream)
        .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS)
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://127.0.0.1:9"))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")));
  }

  @Test
  void requestsFor_600Records_twoRequestsWrappingThePayloadArraysInOrder() {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      batch.add(new SinkRecord(i, ("{\"log\":\"line " + i + "\"}").getBytes(UTF_8)));
    }
    try (KinesisSink sink = sink("logs").partitionKeys(PartitionKeyStrategy.fixed("k")).build()) {

      List<PutRecordsRequest> requests = sink.requestsFor(batch);

      assertThat(requests)
          .extracting(PutRecordsRequest::streamName)
          .containsExactly("logs", "logs");
      assertThat(requests).extracting(r -> r.records().size()).containsExactly(500, 100);
      List<PutRecordsRequestEntry> entries = new ArrayList<>(requests.get(0).records());
      entries.addAll(requests.get(1).records());
      for (int i = 0; i < 600; i++) {
        assertThat(entries.get(i).data().asByteArrayUnsafe()).isSameAs(batch.get(i).payload());
        assertThat(entries.get(i).partitionKey()).isEqualTo("k");
      }
      assertThat(sink.metrics().requests()).isZero();
    }
  }

  @Test
  void requestsFor_streamArnAndTooLargeRecord_arnSetAndRecordLeftOut() {
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/logs";
    try (KinesisSink sink =
        sink(arn).maxRecordBytes(10).partitionKeys(PartitionKeyStrategy.fixed("k")).build()) {

      List<PutRecordsRequest> requests =
          sink.requestsFor(
              List.of(
                  new SinkRecord(0, "small".getBytes(UTF_8)),
                  new SinkRecord(1, "much too large".getBytes(UTF_8))));

      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).streamARN()).isEqualTo(arn);
      assertThat(requests.get(0).streamName()).isNull();
      assertThat(requests.get(0).records())
          .extracting(e -> e.data().asUtf8String())
          .containsExactly("small");
    }
  }
}
