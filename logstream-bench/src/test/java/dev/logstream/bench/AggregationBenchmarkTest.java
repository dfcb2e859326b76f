package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.kinesis.KplAggregator.Aggregate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark must aggregate exactly {@code BATCH_BYTES} of payload, or ops/s is not MB/s. */
class AggregationBenchmarkTest {

  @Test
  void kplAggregator_oneMegabyteOfPayloads_fillsAggregatesUnderOneMebibyte() throws Exception {
    AggregationBenchmark benchmark = new AggregationBenchmark();
    benchmark.payloadLength = 100;
    benchmark.setUp();

    List<Aggregate> aggregates = benchmark.kplAggregator();

    assertThat(aggregates).allSatisfy(a -> assertThat(a.aggregated()).isTrue());
    assertThat(aggregates).allSatisfy(a -> assertThat(a.kinesisSize()).isLessThan(1 << 20));
    assertThat(aggregates.stream().mapToInt(a -> a.recordIndexes().length).sum())
        .isEqualTo(AggregationBenchmark.BATCH_BYTES / 100);
    assertThat(benchmark.copyAndMd5()).hasSize(16);
  }
}
