package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both variants must deliver all 16 batches of 500 records per operation through the endpoint, and
 * the counters must count exactly those records and their payload bytes.
 */
class SinkThroughputBenchmarkTest {
  private static final long RECORDS = 16 * 500;

  private final SinkThroughputBenchmark benchmark = new SinkThroughputBenchmark();
  private final SinkThroughputBenchmark.Accepted counters = new SinkThroughputBenchmark.Accepted();
  private long payloadBytes;

  @BeforeEach
  void setUp() throws Exception {
    benchmark.inFlight = 4;
    benchmark.setUp();
    counters.reset();
    payloadBytes =
        benchmark.batches.stream()
            .flatMap(b -> b.stream())
            .mapToLong((SinkRecord r) -> r.payload().length)
            .sum();
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @Test
  void sinkSend_16Batches_8000RecordsAcceptedIn16Requests() {
    assertThat(benchmark.sinkSend(counters)).isEqualTo(RECORDS);

    assertThat(benchmark.endpoint.requests.sum()).isEqualTo(16);
    assertThat(benchmark.endpoint.entries.sum()).isEqualTo(RECORDS);
    assertThat(counters.records).isEqualTo(RECORDS);
    assertThat(counters.payloadBytes).isEqualTo(payloadBytes).isEqualTo(RECORDS * 409);
    assertThat(benchmark.sink.metrics().recordsPut()).isEqualTo(RECORDS);
  }

  @Test
  void sdkLoop_16Requests_8000RecordsAcceptedIn16Requests() throws Exception {
    assertThat(benchmark.sdkLoop(counters)).isEqualTo(RECORDS);

    assertThat(benchmark.endpoint.requests.sum()).isEqualTo(16);
    assertThat(benchmark.endpoint.entries.sum()).isEqualTo(RECORDS);
    assertThat(counters.records).isEqualTo(RECORDS);
    assertThat(counters.payloadBytes).isEqualTo(payloadBytes);
  }

  @Test
  void requests_prebuiltForTheLoop_carryTheBatchesPayloads() {
    assertThat(benchmark.requests).hasSize(16);
    for (int b = 0; b < 16; b++) {
      for (int i = 0; i < 500; i++) {
        assertThat(benchmark.requests.get(b).records().get(i).data().asByteArray())
            .isEqualTo(benchmark.batches.get(b).get(i).payload());
      }
    }
  }

  @Test
  void count_partitionKeyMembers_countsEntries() {
    byte[] body =
        "{\"Records\":[{\"Data\":\"AA==\",\"PartitionKey\":\"a\"},{\"PartitionKey\":\"b\"}]}"
            .getBytes();

    assertThat(InstantKinesisEndpoint.count(body)).isEqualTo(2);
  }
}
