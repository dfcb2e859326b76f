package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

/** Both variants must build one request of 500 entries carrying exactly the batch's payloads. */
class PutRecordsRequestBenchmarkTest {
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private final PutRecordsRequestBenchmark benchmark = new PutRecordsRequestBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.setUp();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void batch_500DockerEvents_distinctRecordsOfAbout400Bytes() {
    assertThat(benchmark.batch).hasSize(500);
    assertThat(benchmark.batch).allSatisfy(r -> assertThat(r.payload()).hasSize(409));
    assertThat(benchmark.batch.stream().map(r -> new String(r.payload())).distinct()).hasSize(500);
  }

  @Test
  void logstream_500Payloads_requestWrapsEachPayloadArrayWithARandomUuidKey() {
    PutRecordsRequest request = benchmark.logstream();

    assertThat(request.streamName()).isEqualTo("logs");
    assertThat(request.records()).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(request.records().get(i).data().asByteArrayUnsafe())
          .isSameAs(benchmark.batch.get(i).payload());
      assertThat(request.records().get(i).partitionKey()).matches(UUID_PATTERN);
    }
    assertThat(request.records().stream().map(e -> e.partitionKey()).distinct()).hasSize(500);
  }

  @Test
  void naiveSdkLoop_500Payloads_requestCopiesEachPayloadWithARandomUuidKey() {
    PutRecordsRequest request = benchmark.naiveSdkLoop();

    assertThat(request.streamName()).isEqualTo("logs");
    assertThat(request.records()).hasSize(500);
    for (int i = 0; i < 500; i++) {
      byte[] data = request.records().get(i).data().asByteArrayUnsafe();
      assertThat(data).isEqualTo(benchmark.batch.get(i).payload());
      assertThat(data).isNotSameAs(benchmark.batch.get(i).payload());
      assertThat(UUID.fromString(request.records().get(i).partitionKey()).version()).isEqualTo(4);
    }
  }
}
