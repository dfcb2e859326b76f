package dev.logstream.core.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UtilizationTest {

  private final ShardCalculator calculator = ShardCalculator.builder().build();

  @Test
  void utilization_900RecordsOnOneShard_isExactlyAtTheAlarmAndNotAboveTheTarget() {
    Utilization utilization = calculator.utilization(WriteLoad.of(900, 0), 1);

    assertThat(utilization.recordsUtilization()).isEqualTo(0.9);
    assertThat(utilization.exceeds(0.9)).isFalse();
    assertThat(utilization.reachesAlarm()).isTrue();
  }

  @Test
  void reaches_exactlyAtAnyFraction_isTrueAndOneBelowIsFalse() {
    assertThat(calculator.utilization(WriteLoad.of(700, 0), 1).reaches(0.7)).isTrue();
    assertThat(calculator.utilization(WriteLoad.of(699, 0), 1).reaches(0.7)).isFalse();
    assertThatThrownBy(() -> calculator.utilization(WriteLoad.of(1, 0), 1).reaches(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be finite and >= 0, got -0.1");
  }

  @Test
  void utilization_899RecordsOnOneShard_isBelowTheAlarm() {
    assertThat(calculator.utilization(WriteLoad.of(899, 0), 1).reachesAlarm()).isFalse();
  }

  @Test
  void utilization_901RecordsOnOneShard_exceedsTheTarget() {
    assertThat(calculator.utilization(WriteLoad.of(901, 0), 1).exceeds(0.9)).isTrue();
  }

  @Test
  void utilization_bytesJustBelowNinetyPercentOfOneMebibyte_isBelowTheAlarm() {
    // 0.9 * 1,048,576 = 943,718.4
    assertThat(calculator.utilization(WriteLoad.of(0, 943_718), 1).reachesAlarm()).isFalse();
    assertThat(calculator.utilization(WriteLoad.of(0, 943_719), 1).reachesAlarm()).isTrue();
  }

  @Test
  void utilization_1800RecordsOnTwoShards_reachesTheAlarmWithoutExceedingTheTarget() {
    Utilization utilization = calculator.utilization(WriteLoad.of(1_800, 0), 2);

    assertThat(utilization.reachesAlarm()).isTrue();
    assertThat(utilization.exceeds(0.9)).isFalse();
    assertThat(utilization.exceeds(0.8999)).isTrue();
  }

  @Test
  void utilization_bytesBusierThanRecords_reportsBytesAsMaxAndBinding() {
    Utilization utilization = calculator.utilization(WriteLoad.of(100, 524_288), 1);

    assertThat(utilization.recordsUtilization()).isEqualTo(0.1);
    assertThat(utilization.bytesUtilization()).isEqualTo(0.5);
    assertThat(utilization.maxUtilization()).isEqualTo(0.5);
    assertThat(utilization.binding()).isEqualTo(ThroughputDimension.BYTES);
  }

  @Test
  void utilization_equallyBusyDimensions_reportsRecords() {
    Utilization utilization = calculator.utilization(WriteLoad.of(500, 524_288), 1);

    assertThat(utilization.binding()).isEqualTo(ThroughputDimension.RECORDS);
    assertThat(calculator.utilization(WriteLoad.of(0, 0), 1).binding())
        .isEqualTo(ThroughputDimension.RECORDS);
  }

  @Test
  void utilization_overloadedShards_isAboveOne() {
    Utilization utilization = calculator.utilization(WriteLoad.of(3_000, 0), 2);

    assertThat(utilization.maxUtilization()).isEqualTo(1.5);
    assertThat(utilization.exceeds(1.0)).isTrue();
  }

  @Test
  void utilization_zeroShards_isRejectedWithTheValue() {
    assertThatThrownBy(() -> calculator.utilization(WriteLoad.of(1, 1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shards must be >= 1, got 0");
  }

  @Test
  void utilization_nullLoad_isRejected() {
    assertThatThrownBy(() -> calculator.utilization(null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("load");
  }

  @Test
  void constructor_zeroShards_isRejectedWithTheValue() {
    assertThatThrownBy(() -> new Utilization(WriteLoad.of(0, 0), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shards must be >= 1, got 0");
  }

  @Test
  void exceeds_nanFraction_isRejected() {
    Utilization utilization = calculator.utilization(WriteLoad.of(1, 1), 1);

    assertThatThrownBy(() -> utilization.exceeds(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be finite and >= 0, got NaN");
    assertThatThrownBy(() -> utilization.exceeds(-0.5))
        .hasMessage("fraction must be finite and >= 0, got -0.5");
    assertThatThrownBy(() -> utilization.exceeds(Double.POSITIVE_INFINITY))
        .hasMessage("fraction must be finite and >= 0, got Infinity");
  }

  @Test
  void exceeds_zeroFraction_isTrueForAnyLoadAndFalseForNone() {
    assertThat(calculator.utilization(WriteLoad.of(0, 1), 1).exceeds(0)).isTrue();
    assertThat(calculator.utilization(WriteLoad.of(0, 0), 1).exceeds(0)).isFalse();
  }

  @Test
  void utilization_aggregatingCalculator_measuresTheAggregatedLoad() {
    ShardCalculator aggregating =
        ShardCalculator.builder()
            .kplAggregation()
            .maxRecordsPerAggregate(10)
            .perRecordOverheadBytes(0)
            .perAggregateOverheadBytes(0)
            .build();

    Utilization utilization = aggregating.utilization(WriteLoad.of(9_000, 0), 1);

    assertThat(utilization.kinesisLoad()).isEqualTo(WriteLoad.of(900, 0));
    assertThat(utilization.reachesAlarm()).isTrue();
    assertThat(utilization.exceeds(0.9)).isFalse();
  }
}
