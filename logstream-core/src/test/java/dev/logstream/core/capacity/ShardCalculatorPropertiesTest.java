package dev.logstream.core.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

/**
 * The returned shard count is the fewest that keep both dimensions at or below the target, checked
 * against the calculator's own {@link Utilization} and against an independent {@link BigDecimal}
 * oracle. Ranges keep every answer below {@link Integer#MAX_VALUE} shards.
 */
class ShardCalculatorPropertiesTest {

  @Property(tries = 2_000)
  void shardsForWrite_anyLoadAndTarget_isTheFewestShardsWithinTheTarget(
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long records,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long bytes,
      @ForAll @DoubleRange(min = 0.001, max = 1.0) @Scale(4) double target) {
    ShardCalculator calculator = ShardCalculator.builder().targetUtilization(target).build();

    assertFewestShardsWithinTarget(calculator, WriteLoad.of(records, bytes), target);
  }

  @Property(tries = 2_000)
  void shardsForWrite_anyLoadTargetAndAggregation_isTheFewestShardsWithinTheTarget(
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long records,
      @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long bytes,
      @ForAll @DoubleRange(min = 0.001, max = 1.0) @Scale(4) double target,
      @ForAll @IntRange(min = 128, max = 1_048_576) int maxAggregateBytes,
      @ForAll @LongRange(min = 1, max = 100_000) long maxRecordsPerAggregate,
      @ForAll @IntRange(min = 0, max = 16) int perRecordOverheadBytes,
      @ForAll @IntRange(min = 0, max = 127) int perAggregateOverheadBytes) {
    ShardCalculator calculator =
        ShardCalculator.builder()
            .targetUtilization(target)
            .kplAggregation()
            .maxAggregateBytes(maxAggregateBytes)
            .maxRecordsPerAggregate(maxRecordsPerAggregate)
            .perRecordOverheadBytes(perRecordOverheadBytes)
            .perAggregateOverheadBytes(perAggregateOverheadBytes)
            .build();
    WriteLoad load = WriteLoad.of(records, bytes);

    assertFewestShardsWithinTarget(calculator, load, target);
    ShardEstimate plain =
        ShardCalculator.builder().targetUtilization(target).build().shardsForWrite(load);
    ShardEstimate aggregated = calculator.shardsForWrite(load);
    assertThat(aggregated.kinesisLoad().recordsPerSecond()).isLessThanOrEqualTo(records);
    assertThat(aggregated.kinesisLoad().bytesPerSecond()).isGreaterThanOrEqualTo(bytes);
    assertThat(aggregated.shardsForRecords()).isLessThanOrEqualTo(plain.shardsForRecords());
  }

  @Property(tries = 1_000)
  void shardsForSharedRead_anyLoadAndConsumers_isTheFewestShardsWithinTheTarget(
      @ForAll @LongRange(min = 0, max = 100_000_000_000L) long bytes,
      @ForAll @IntRange(min = 1, max = 20) int consumers,
      @ForAll @DoubleRange(min = 0.001, max = 1.0) @Scale(4) double target) {
    ShardCalculator calculator = ShardCalculator.builder().targetUtilization(target).build();

    int shards = calculator.shardsForSharedRead(WriteLoad.of(0, bytes), consumers);

    BigDecimal demand = BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(consumers));
    assertThat(withinTarget(demand, KinesisLimits.SHARD_READ_BYTES_PER_SECOND, shards, target))
        .isTrue();
    if (shards > 1) {
      assertThat(
              withinTarget(demand, KinesisLimits.SHARD_READ_BYTES_PER_SECOND, shards - 1, target))
          .isFalse();
    }
  }

  @Property(tries = 1_000)
  void shardsForWrite_loadExactlyAtTheTargetOfSShards_isSShardsAndOneMoreIsSPlusOne(
      @ForAll @IntRange(min = 1, max = 1_000_000) int shards,
      @ForAll @IntRange(min = 10, max = 10_000) int targetTenThousandths) {
    double target = targetTenThousandths / 10_000.0;
    ShardCalculator calculator = ShardCalculator.builder().targetUtilization(target).build();
    long records = floorOfTarget(KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND, shards, target);
    long bytes = floorOfTarget(KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND, shards, target);

    assertThat(calculator.shardsForWrite(WriteLoad.of(records, 0)).shards()).isEqualTo(shards);
    assertThat(calculator.shardsForWrite(WriteLoad.of(records + 1, 0)).shards())
        .isEqualTo(shards + 1);
    assertThat(calculator.shardsForWrite(WriteLoad.of(0, bytes)).shards()).isEqualTo(shards);
    assertThat(calculator.shardsForWrite(WriteLoad.of(0, bytes + 1)).shards())
        .isEqualTo(shards + 1);
    long readBytes = floorOfTarget(KinesisLimits.SHARD_READ_BYTES_PER_SECOND, shards, target);
    assertThat(calculator.shardsForSharedRead(WriteLoad.of(0, readBytes), 1)).isEqualTo(shards);
    assertThat(calculator.shardsForSharedRead(WriteLoad.of(0, readBytes + 1), 1))
        .isEqualTo(shards + 1);
  }

  /** {@code floor(target * perShard * shards)}: the most a dimension may carry on that many. */
  private static long floorOfTarget(long perShard, int shards, double target) {
    return BigDecimal.valueOf(target)
        .multiply(BigDecimal.valueOf(perShard))
        .multiply(BigDecimal.valueOf(shards))
        .longValue();
  }

  private static void assertFewestShardsWithinTarget(
      ShardCalculator calculator, WriteLoad load, double target) {
    ShardEstimate estimate = calculator.shardsForWrite(load);
    int shards = estimate.shards();

    assertThat(shards).isGreaterThanOrEqualTo(1);
    assertThat(calculator.utilization(load, shards).exceeds(target)).isFalse();
    assertThat(oracleWithinTarget(estimate.kinesisLoad(), shards, target)).isTrue();
    if (shards > 1) {
      assertThat(calculator.utilization(load, shards - 1).exceeds(target)).isTrue();
      assertThat(oracleWithinTarget(estimate.kinesisLoad(), shards - 1, target)).isFalse();
    }
  }

  private static boolean oracleWithinTarget(WriteLoad kinesisLoad, int shards, double target) {
    return withinTarget(
            BigDecimal.valueOf(kinesisLoad.recordsPerSecond()),
            KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND,
            shards,
            target)
        && withinTarget(
            BigDecimal.valueOf(kinesisLoad.bytesPerSecond()),
            KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND,
            shards,
            target);
  }

  /** {@code demand <= target * perShard * shards}, in exact decimal arithmetic. */
  private static boolean withinTarget(BigDecimal demand, long perShard, int shards, double target) {
    BigDecimal capacity =
        BigDecimal.valueOf(target)
            .multiply(BigDecimal.valueOf(perShard))
            .multiply(BigDecimal.valueOf(shards));
    return demand.compareTo(capacity) <= 0;
  }
}
