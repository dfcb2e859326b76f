package dev.logstream.core.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.LogstreamException;
import org.junit.jupiter.api.Test;

class ShardCalculatorTest {

  private static final long MIB = 1_048_576;

  private final ShardCalculator atDefault = ShardCalculator.builder().build();
  private final ShardCalculator atFull = ShardCalculator.builder().targetUtilization(1.0).build();

  private static int shards(ShardCalculator calculator, long records, long bytes) {
    return calculator.shardsForWrite(WriteLoad.of(records, bytes)).shards();
  }

  // --- limits and defaults ---

  @Test
  void limits_matchTheKinesisShardQuotas() {
    assertThat(KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND).isEqualTo(1_000);
    assertThat(KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND).isEqualTo(1_048_576);
    assertThat(KinesisLimits.SHARD_READ_BYTES_PER_SECOND).isEqualTo(2_097_152);
    assertThat(KinesisLimits.SHARD_ENHANCED_FAN_OUT_READ_BYTES_PER_SECOND).isEqualTo(2_097_152);
    assertThat(KinesisLimits.MAX_RECORD_BYTES).isEqualTo(1_048_576);
    assertThat(KinesisLimits.ALARM_UTILIZATION).isEqualTo(0.9);
  }

  @Test
  void builder_noOptions_targetsTheAlarmThresholdWithoutAggregation() {
    assertThat(atDefault.targetUtilization()).isEqualTo(0.9);
    assertThat(atDefault.aggregates()).isFalse();
    assertThat(atDefault).hasToString("ShardCalculator{targetUtilization=0.9, kplAggregation=off}");
  }

  @Test
  void builder_kplAggregation_usesTheDocumentedDefaults() {
    ShardCalculator calculator = ShardCalculator.builder().kplAggregation().build();

    assertThat(calculator.aggregates()).isTrue();
    assertThat(calculator)
        .hasToString(
            "ShardCalculator{targetUtilization=0.9, kplAggregation=on, maxAggregateBytes=51200,"
                + " maxRecordsPerAggregate=4294967295, perRecordOverheadBytes=10,"
                + " perAggregateOverheadBytes=94}");
  }

  // --- write capacity at the limits ---

  @Test
  void shardsForWrite_classJavadocExample_isThreeShardsBoundByRecords() {
    ShardEstimate estimate = atDefault.shardsForWrite(WriteLoad.of(2_500, 1_500_000));

    assertThat(estimate.shards()).isEqualTo(3);
    assertThat(estimate.binding()).isEqualTo(ThroughputDimension.RECORDS);
  }

  @Test
  void shardsForWrite_zeroLoad_isOneShard() {
    ShardEstimate estimate = atDefault.shardsForWrite(WriteLoad.of(0, 0));

    assertThat(estimate)
        .isEqualTo(new ShardEstimate(1, 1, 1, ThroughputDimension.RECORDS, WriteLoad.of(0, 0)));
  }

  @Test
  void shardsForWrite_recordsAtFullTarget_fillExactlyOneShard() {
    assertThat(shards(atFull, 1_000, 0)).isEqualTo(1);
    assertThat(shards(atFull, 1_001, 0)).isEqualTo(2);
    assertThat(shards(atFull, 2_000, 0)).isEqualTo(2);
    assertThat(shards(atFull, 2_001, 0)).isEqualTo(3);
  }

  @Test
  void shardsForWrite_recordsAtDefaultTarget_fillNinetyPercentOfAShard() {
    assertThat(shards(atDefault, 900, 0)).isEqualTo(1);
    assertThat(shards(atDefault, 901, 0)).isEqualTo(2);
    assertThat(shards(atDefault, 1_800, 0)).isEqualTo(2);
    assertThat(shards(atDefault, 1_801, 0)).isEqualTo(3);
  }

  @Test
  void shardsForWrite_bytesAtFullTarget_fillExactlyOneMebibytePerShard() {
    assertThat(shards(atFull, 0, MIB)).isEqualTo(1);
    assertThat(shards(atFull, 0, MIB + 1)).isEqualTo(2);
    assertThat(shards(atFull, 0, 10 * MIB)).isEqualTo(10);
    assertThat(shards(atFull, 0, 10 * MIB + 1)).isEqualTo(11);
  }

  @Test
  void shardsForWrite_bytesAtDefaultTarget_fill943718Point4BytesPerShard() {
    assertThat(shards(atDefault, 0, 943_718)).isEqualTo(1);
    assertThat(shards(atDefault, 0, 943_719)).isEqualTo(2);
    // 0.9 * 10 MiB = 9,437,184 exactly
    assertThat(shards(atDefault, 0, 9_437_184)).isEqualTo(10);
    assertThat(shards(atDefault, 0, 9_437_185)).isEqualTo(11);
  }

  @Test
  void shardsForWrite_targetWhoseProductIsInexactInDouble_usesTheDecimalValue() {
    // 0.7 * 1,048,576 * 15 = 11,010,048 exactly, yet in double arithmetic
    // ceil(11010048 / (0.7 * 1048576)) is 16
    ShardCalculator at70 = ShardCalculator.builder().targetUtilization(0.7).build();
    assertThat(shards(at70, 0, 11_010_048)).isEqualTo(15);
    assertThat(shards(at70, 0, 11_010_049)).isEqualTo(16);
    // and ceil(11 / 0.011 / 1000) is 2 in double arithmetic
    ShardCalculator atOnePointOnePercent =
        ShardCalculator.builder().targetUtilization(0.011).build();
    assertThat(shards(atOnePointOnePercent, 11, 0)).isEqualTo(1);
    assertThat(shards(atOnePointOnePercent, 12, 0)).isEqualTo(2);
  }

  @Test
  void shardsForWrite_manySmallRecords_reportsRecordsAsBinding() {
    ShardEstimate estimate = atDefault.shardsForWrite(WriteLoad.of(10_000, 1_000_000));

    assertThat(estimate)
        .isEqualTo(
            new ShardEstimate(
                12, 12, 2, ThroughputDimension.RECORDS, WriteLoad.of(10_000, 1_000_000)));
  }

  @Test
  void shardsForWrite_fewLargeRecords_reportsBytesAsBinding() {
    ShardEstimate estimate = atDefault.shardsForWrite(WriteLoad.of(100, 5_000_000));

    assertThat(estimate.shards()).isEqualTo(6);
    assertThat(estimate.shardsForRecords()).isEqualTo(1);
    assertThat(estimate.shardsForBytes()).isEqualTo(6);
    assertThat(estimate.binding()).isEqualTo(ThroughputDimension.BYTES);
  }

  @Test
  void shardsForWrite_nullLoad_isRejected() {
    assertThatThrownBy(() -> atDefault.shardsForWrite(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("load");
  }

  // --- overflow ---

  @Test
  void shardsForWrite_exactlyIntMaxShards_isReturned() {
    long records = Integer.MAX_VALUE * 1_000L;

    assertThat(shards(atFull, records, 0)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void shardsForWrite_oneRecordMoreThanIntMaxShardsCarry_isRejected() {
    long records = Integer.MAX_VALUE * 1_000L + 1;

    assertThatThrownBy(() -> shards(atFull, records, 0))
        .isInstanceOf(LogstreamException.class)
        .hasMessage(
            "shards needed for write of WriteLoad[recordsPerSecond=2147483647001,"
                + " bytesPerSecond=0] at targetUtilization 1.0 exceed 2147483647,"
                + " the largest shard count the Kinesis API carries");
  }

  @Test
  void shardsForWrite_maximumBytes_isRejectedRatherThanSaturated() {
    assertThatThrownBy(() -> shards(atDefault, 0, Long.MAX_VALUE))
        .isInstanceOf(LogstreamException.class)
        .hasMessage(
            "shards needed for write of WriteLoad[recordsPerSecond=0,"
                + " bytesPerSecond=9223372036854775807] at targetUtilization 0.9 exceed"
                + " 2147483647, the largest shard count the Kinesis API carries");
  }

  @Test
  void shardsForWrite_smallestPositiveTarget_isExactAndRejectsAnyLoad() {
    ShardCalculator tiny = ShardCalculator.builder().targetUtilization(Double.MIN_VALUE).build();

    assertThat(shards(tiny, 0, 0)).isEqualTo(1);
    assertThatThrownBy(() -> shards(tiny, 1, 0))
        .isInstanceOf(LogstreamException.class)
        .hasMessageContaining("at targetUtilization 4.9E-324 exceed 2147483647");
  }

  // --- KPL aggregation ---

  @Test
  void shardsForWrite_defaultAggregation_packsRecordsAndChargesFraming() {
    ShardCalculator aggregating = ShardCalculator.builder().kplAggregation().build();
    // 190-byte records + 10 framing = 200; (51,200 - 94) / 200 = 255 per aggregate;
    // ceil(10,000 / 255) = 40 aggregates; bytes 1,900,000 + 10,000 * 10 + 40 * 94 = 2,003,760
    ShardEstimate estimate = aggregating.shardsForWrite(WriteLoad.of(10_000, 1_900_000));

    assertThat(estimate)
        .isEqualTo(
            new ShardEstimate(3, 1, 3, ThroughputDimension.BYTES, WriteLoad.of(40, 2_003_760)));
    assertThat(shards(atDefault, 10_000, 1_900_000)).isEqualTo(12);
  }

  @Test
  void shardsForWrite_aggregatesOfTwoAtFullTarget_areExactAtTheRecordLimit() {
    ShardCalculator pairs =
        ShardCalculator.builder()
            .targetUtilization(1.0)
            .kplAggregation()
            .maxRecordsPerAggregate(2)
            .perRecordOverheadBytes(0)
            .perAggregateOverheadBytes(0)
            .build();

    assertThat(pairs.shardsForWrite(WriteLoad.of(2_000, 0)))
        .isEqualTo(new ShardEstimate(1, 1, 1, ThroughputDimension.RECORDS, WriteLoad.of(1_000, 0)));
    // 2,001 user records make 1,001 aggregates: the last one holds a single record
    assertThat(pairs.shardsForWrite(WriteLoad.of(2_001, 0)).kinesisLoad())
        .isEqualTo(WriteLoad.of(1_001, 0));
    assertThat(shards(pairs, 2_001, 0)).isEqualTo(2);
  }

  @Test
  void shardsForWrite_exactlyTwoRecordsFitTheAggregate_aggregates() {
    // 94 + 2 * (100 + 10) = 314 bytes
    ShardCalculator calculator =
        ShardCalculator.builder().kplAggregation().maxAggregateBytes(314).build();

    assertThat(calculator.shardsForWrite(WriteLoad.of(1_000, 100_000)).kinesisLoad())
        .isEqualTo(WriteLoad.of(500, 100_000 + 1_000 * 10 + 500 * 94));
  }

  @Test
  void shardsForWrite_onlyOneRecordFitsTheAggregate_sendsRecordsUnaggregated() {
    ShardCalculator calculator =
        ShardCalculator.builder().kplAggregation().maxAggregateBytes(313).build();

    assertThat(calculator.shardsForWrite(WriteLoad.of(1_000, 100_000)).kinesisLoad())
        .isEqualTo(WriteLoad.of(1_000, 100_000));
  }

  @Test
  void shardsForWrite_recordsLargerThanTheAggregate_sendsRecordsUnaggregated() {
    ShardCalculator aggregating = ShardCalculator.builder().kplAggregation().build();

    ShardEstimate estimate = aggregating.shardsForWrite(WriteLoad.of(100, 6_000_000));

    assertThat(estimate.kinesisLoad()).isEqualTo(WriteLoad.of(100, 6_000_000));
    assertThat(estimate.shards()).isEqualTo(shards(atDefault, 100, 6_000_000)).isEqualTo(7);
  }

  @Test
  void shardsForWrite_countCapBelowTheSizeCap_limitsRecordsPerAggregate() {
    ShardCalculator calculator =
        ShardCalculator.builder().kplAggregation().maxRecordsPerAggregate(10).build();

    assertThat(calculator.shardsForWrite(WriteLoad.of(1_000, 10_000)).kinesisLoad())
        .isEqualTo(WriteLoad.of(100, 10_000 + 1_000 * 10 + 100 * 94));
  }

  @Test
  void shardsForWrite_largestAggregateOfOneMebibyte_packsUpToTheRecordLimit() {
    ShardCalculator calculator =
        ShardCalculator.builder()
            .kplAggregation()
            .maxAggregateBytes(1_048_576)
            .perRecordOverheadBytes(0)
            .perAggregateOverheadBytes(0)
            .build();

    // 1,024-byte records: exactly 1,024 per 1 MiB aggregate
    assertThat(calculator.shardsForWrite(WriteLoad.of(2_048, 2_048 * 1_024L)).kinesisLoad())
        .isEqualTo(WriteLoad.of(2, 2 * MIB));
  }

  @Test
  void shardsForWrite_aggregationWithoutRecords_passesTheLoadThrough() {
    ShardCalculator aggregating = ShardCalculator.builder().kplAggregation().build();

    assertThat(aggregating.shardsForWrite(WriteLoad.of(0, 0)))
        .isEqualTo(new ShardEstimate(1, 1, 1, ThroughputDimension.RECORDS, WriteLoad.of(0, 0)));
  }

  @Test
  void utilization_aggregatedBytesBeyondLong_isRejectedWithTheLoad() {
    ShardCalculator aggregating = ShardCalculator.builder().kplAggregation().build();

    // about 2 bytes per record: thousands fit an aggregate, and the framing overflows a long
    WriteLoad load = WriteLoad.of(Long.MAX_VALUE / 2, Long.MAX_VALUE);

    assertThatThrownBy(() -> aggregating.utilization(load, 1))
        .isInstanceOf(LogstreamException.class)
        .hasMessage(
            "bytesPerSecond after KPL aggregation overhead exceeds 9223372036854775807 for"
                + " WriteLoad[recordsPerSecond=4611686018427387903,"
                + " bytesPerSecond=9223372036854775807]");
  }

  // --- read capacity ---

  @Test
  void shardsForSharedRead_twoConsumersAtFullTarget_shareTwoMebibytesPerShard() {
    assertThat(atFull.shardsForSharedRead(WriteLoad.of(0, MIB), 2)).isEqualTo(1);
    assertThat(atFull.shardsForSharedRead(WriteLoad.of(0, MIB + 1), 2)).isEqualTo(2);
    assertThat(atFull.shardsForSharedRead(WriteLoad.of(0, MIB), 3)).isEqualTo(2);
    assertThat(atFull.shardsForSharedRead(WriteLoad.of(0, 2 * MIB), 1)).isEqualTo(1);
  }

  @Test
  void shardsForSharedRead_twoConsumersAtDefaultTarget_matchTheWriteBoundary() {
    // 2 * 943,718 = 1,887,436 <= 0.9 * 2 MiB = 1,887,436.8
    assertThat(atDefault.shardsForSharedRead(WriteLoad.of(0, 943_718), 2)).isEqualTo(1);
    assertThat(atDefault.shardsForSharedRead(WriteLoad.of(0, 943_719), 2)).isEqualTo(2);
  }

  @Test
  void shardsForSharedRead_fiveConsumers_needMoreShardsThanTheWrites() {
    WriteLoad load = WriteLoad.of(1_000, 3 * MIB);

    assertThat(atFull.shardsForWrite(load).shards()).isEqualTo(3);
    assertThat(atFull.shardsForSharedRead(load, 5)).isEqualTo(8); // 15 MiB / 2 MiB = 7.5
  }

  @Test
  void shardsForSharedRead_zeroLoad_isOneShard() {
    assertThat(atDefault.shardsForSharedRead(WriteLoad.of(0, 0), 20)).isEqualTo(1);
  }

  @Test
  void shardsForSharedRead_aggregatingCalculator_readsTheFramedBytes() {
    ShardCalculator aggregating =
        ShardCalculator.builder().targetUtilization(1.0).kplAggregation().build();
    // 2 MiB of user bytes alone fit one shard for one consumer; framing pushes it over
    WriteLoad load = WriteLoad.of(1_000, 2 * MIB);

    assertThat(atFull.shardsForSharedRead(load, 1)).isEqualTo(1);
    assertThat(aggregating.shardsForSharedRead(load, 1)).isEqualTo(2);
  }

  @Test
  void shardsForSharedRead_zeroConsumers_isRejectedWithTheValue() {
    assertThatThrownBy(() -> atDefault.shardsForSharedRead(WriteLoad.of(1, 1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consumers must be >= 1, got 0");
  }

  @Test
  void shardsForSharedRead_beyondIntMaxShards_isRejectedNamingTheConsumers() {
    assertThatThrownBy(
            () -> atDefault.shardsForSharedRead(WriteLoad.of(0, Long.MAX_VALUE), Integer.MAX_VALUE))
        .isInstanceOf(LogstreamException.class)
        .hasMessage(
            "shards needed for 2147483647 shared-throughput consumers of"
                + " WriteLoad[recordsPerSecond=0, bytesPerSecond=9223372036854775807] at"
                + " targetUtilization 0.9 exceed 2147483647, the largest shard count the"
                + " Kinesis API carries");
  }

  // --- builder validation ---

  @Test
  void targetUtilization_aboveOne_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ShardCalculator.builder().targetUtilization(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("targetUtilization must be in (0, 1], got 1.5");
  }

  @Test
  void targetUtilization_zeroNegativeOrNaN_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ShardCalculator.builder().targetUtilization(0))
        .hasMessage("targetUtilization must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> ShardCalculator.builder().targetUtilization(-0.9))
        .hasMessage("targetUtilization must be in (0, 1], got -0.9");
    assertThatThrownBy(() -> ShardCalculator.builder().targetUtilization(Double.NaN))
        .hasMessage("targetUtilization must be in (0, 1], got NaN");
    assertThatThrownBy(() -> ShardCalculator.builder().targetUtilization(Double.POSITIVE_INFINITY))
        .hasMessage("targetUtilization must be in (0, 1], got Infinity");
  }

  @Test
  void targetUtilization_setTwice_isRejected() {
    ShardCalculator.Builder builder = ShardCalculator.builder().targetUtilization(0.9);

    assertThatThrownBy(() -> builder.targetUtilization(0.8))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("targetUtilization was already set to 0.9");
  }

  @Test
  void kplAggregation_setTwice_isRejected() {
    ShardCalculator.Builder builder = ShardCalculator.builder().kplAggregation();

    assertThatThrownBy(builder::kplAggregation)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("kplAggregation was already set");
  }

  @Test
  void maxAggregateBytes_outOfRange_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ShardCalculator.builder().maxAggregateBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAggregateBytes must be in 1..1048576, got 0");
    assertThatThrownBy(() -> ShardCalculator.builder().maxAggregateBytes(1_048_577))
        .hasMessage("maxAggregateBytes must be in 1..1048576, got 1048577");
  }

  @Test
  void maxRecordsPerAggregate_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ShardCalculator.builder().maxRecordsPerAggregate(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRecordsPerAggregate must be >= 1, got 0");
  }

  @Test
  void overheadBytes_negative_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ShardCalculator.builder().perRecordOverheadBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perRecordOverheadBytes must be in 0..1048576, got -1");
    assertThatThrownBy(() -> ShardCalculator.builder().perAggregateOverheadBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perAggregateOverheadBytes must be in 0..1048576, got -1");
  }

  @Test
  void aggregationOptions_setTwice_areRejected() {
    assertThatThrownBy(() -> ShardCalculator.builder().maxAggregateBytes(64).maxAggregateBytes(65))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAggregateBytes was already set to 64");
    assertThatThrownBy(
            () -> ShardCalculator.builder().maxRecordsPerAggregate(2).maxRecordsPerAggregate(3))
        .hasMessage("maxRecordsPerAggregate was already set to 2");
    assertThatThrownBy(
            () -> ShardCalculator.builder().perRecordOverheadBytes(6).perRecordOverheadBytes(10))
        .hasMessage("perRecordOverheadBytes was already set to 6");
    assertThatThrownBy(
            () ->
                ShardCalculator.builder().perAggregateOverheadBytes(0).perAggregateOverheadBytes(1))
        .hasMessage("perAggregateOverheadBytes was already set to 0");
  }

  @Test
  void build_aggregationOptionWithoutAggregation_isRejected() {
    assertThatThrownBy(() -> ShardCalculator.builder().maxAggregateBytes(1_000).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAggregateBytes requires kplAggregation()");
    assertThatThrownBy(() -> ShardCalculator.builder().perAggregateOverheadBytes(20).build())
        .hasMessage("perAggregateOverheadBytes requires kplAggregation()");
  }

  @Test
  void build_aggregateOverheadFillingTheAggregate_isRejected() {
    assertThatThrownBy(
            () -> ShardCalculator.builder().kplAggregation().maxAggregateBytes(94).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("perAggregateOverheadBytes (94) must be less than maxAggregateBytes (94)");
  }

  @Test
  void shardEstimate_inconsistentCounts_isRejected() {
    assertThatThrownBy(
            () -> new ShardEstimate(2, 3, 1, ThroughputDimension.RECORDS, WriteLoad.of(0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shards must be max(shardsForRecords, shardsForBytes) = 3, got 2");
    assertThatThrownBy(
            () -> new ShardEstimate(1, 0, 1, ThroughputDimension.RECORDS, WriteLoad.of(0, 0)))
        .hasMessage("shardsForRecords must be >= 1, got 0");
  }
}
