package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.capacity.ThroughputDimension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The capacity monitor on a hand-advanced ticker and an in-process shard count. */
class CapacityMonitorTest {
  private static final Instant WALL = Instant.parse("2026-11-25T12:00:00Z");

  private final AtomicLong nanos = new AtomicLong(7_000_000_000L);
  private final List<CapacityAlert> alerts = new CopyOnWriteArrayList<>();

  private CapacityMonitor.Builder monitor(ShardCountFake describe) {
    return CapacityMonitor.builder("logs")
        .client(describe)
        .listener(alerts::add)
        .ticker(nanos::get)
        .clock(Clock.fixed(WALL, ZoneOffset.UTC));
  }

  private void advanceSeconds(long seconds) {
    nanos.addAndGet(seconds * 1_000_000_000L);
  }

  /** One put per second, then one second on. */
  private void putEverySecond(CapacityMonitor m, int seconds, long records, long bytes) {
    for (int s = 0; s < seconds; s++) {
      m.recordPut(records, bytes, 0);
      advanceSeconds(1);
    }
  }

  @Test
  void utilization_exactlyNinetyPercentOfRecords_isAtThreshold() {
    CapacityMonitor m = monitor(new ShardCountFake(1)).build();

    putEverySecond(m, 60, 900, 900);

    CapacitySnapshot u = m.utilization();
    assertThat(u.shards()).isEqualTo(1);
    assertThat(u.records()).isEqualTo(54_000);
    assertThat(u.recordsUtilization()).isEqualTo(0.9);
    assertThat(u.binding()).isEqualTo(ThroughputDimension.RECORDS);
    assertThat(u.atOrAboveThreshold()).isTrue();
  }

  @Test
  void utilization_oneRecordBelowNinetyPercent_isBelowThreshold() {
    CapacityMonitor m = monitor(new ShardCountFake(1)).build();

    putEverySecond(m, 59, 900, 900);
    m.recordPut(899, 899, 0);
    advanceSeconds(1);

    CapacitySnapshot u = m.utilization();
    assertThat(u.records()).isEqualTo(53_999);
    assertThat(u.atOrAboveThreshold()).isFalse();
  }

  @Test
  void utilization_bytesAtExactlyNinetyPercentOfFourShards_bindsOnBytes() {
    CapacityMonitor m = monitor(new ShardCountFake(4)).window(Duration.ofSeconds(10)).build();
    // 0.9 * 4 shards * 1 MiB/s * 10 s = 37,748,736 bytes
    putEverySecond(m, 9, 10, 3_774_874);
    m.recordPut(10, 37_748_736L - 9 * 3_774_874L, 0);
    advanceSeconds(1);

    CapacitySnapshot u = m.utilization();
    assertThat(u.bytes()).isEqualTo(37_748_736L);
    assertThat(u.bytesUtilization()).isEqualTo(0.9);
    assertThat(u.binding()).isEqualTo(ThroughputDimension.BYTES);
    assertThat(u.atOrAboveThreshold()).isTrue();

    CapacityMonitor below = monitor(new ShardCountFake(4)).window(Duration.ofSeconds(10)).build();
    below.recordPut(0, 37_748_735L, 0);
    advanceSeconds(1);
    assertThat(below.utilization().atOrAboveThreshold()).isFalse();
  }

  @Test
  void utilization_currentSecond_isNotCountedUntilItEnds() {
    CapacityMonitor m = monitor(new ShardCountFake(1)).build();

    m.recordPut(500, 5_000, 0);
    assertThat(m.utilization().records()).isZero();

    advanceSeconds(1);
    CapacitySnapshot u = m.utilization();
    assertThat(u.records()).isEqualTo(500);
    assertThat(u.bytes()).isEqualTo(5_000);
    assertThat(u.window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(u.recordsUtilization()).isEqualTo(500.0 / 60_000);
  }

  @Test
  void monitor_customThreshold_comparesAtItsDecimalValue() {
    CapacityMonitor m =
        monitor(new ShardCountFake(1)).threshold(0.7).window(Duration.ofSeconds(1)).build();

    m.recordPut(700, 0, 0);
    advanceSeconds(1);
    assertThat(m.utilization().atOrAboveThreshold()).isTrue();
    m.recordPut(699, 0, 0);
    advanceSeconds(1);
    assertThat(m.utilization().atOrAboveThreshold()).isFalse();
  }

  @Test
  void monitor_utilizationSustainedForSustainFor_alertsOnceWithItsStart() {
    CapacityMonitor m =
        monitor(new ShardCountFake(1))
            .window(Duration.ofSeconds(10))
            .sustainFor(Duration.ofSeconds(30))
            .build();

    // 1,000 records/s: the 10 s window holds 9,000 (0.9) at the boundary of second 9
    putEverySecond(m, 39, 1_000, 1_000);
    assertThat(alerts).isEmpty();

    m.recordPut(1_000, 1_000, 0); // evaluates the boundary of second 39: 30 s at or above
    assertThat(alerts)
        .containsExactly(
            new CapacityAlert(
                "logs",
                CapacityAlert.Reason.SUSTAINED_HIGH_UTILIZATION,
                1.0,
                ThroughputDimension.RECORDS,
                1,
                WALL.minusSeconds(30)));

    advanceSeconds(1);
    putEverySecond(m, 100, 1_000, 1_000);
    assertThat(alerts).hasSize(1);
  }

  @Test
  void monitor_utilizationDropsAndRisesAgain_alertsPerEpisode() {
    CapacityMonitor m =
        monitor(new ShardCountFake(1))
            .window(Duration.ofSeconds(1))
            .sustainFor(Duration.ofSeconds(5))
            .build();

    putEverySecond(m, 10, 950, 0);
    putEverySecond(m, 3, 100, 0);
    putEverySecond(m, 10, 950, 0);
    m.utilization();

    assertThat(alerts)
        .extracting(CapacityAlert::reason)
        .containsExactly(
            CapacityAlert.Reason.SUSTAINED_HIGH_UTILIZATION,
            CapacityAlert.Reason.SUSTAINED_HIGH_UTILIZATION);
  }

  @Test
  void monitor_highUtilizationShorterThanSustainFor_doesNotAlert() {
    CapacityMonitor m =
        monitor(new ShardCountFake(1))
            .window(Duration.ofSeconds(1))
            .sustainFor(Duration.ofSeconds(5))
            .build();

    putEverySecond(m, 5, 1_000, 0); // at or above at boundaries 1..5: 4 s
    putEverySecond(m, 1, 0, 0);
    putEverySecond(m, 5, 1_000, 0);
    m.utilization();

    assertThat(alerts).isEmpty();
  }

  @Test
  void monitor_oneSecondSpikeWithDefaults_doesNotAlert() {
    CapacityMonitor m = monitor(new ShardCountFake(1)).build();

    m.recordPut(60_000, 60_000, 0); // a full minute's worth of the shard in one second
    advanceSeconds(1);
    assertThat(m.utilization().recordsUtilization()).isEqualTo(1.0);

    advanceSeconds(300); // evaluated lazily, boundary by boundary
    assertThat(m.utilization().records()).isZero();
    assertThat(alerts).isEmpty();
  }

  @Test
  void monitor_sustainedHighEvaluatedOnlyLater_stillAlertsWithItsStart() {
    CapacityMonitor m =
        monitor(new ShardCountFake(1))
            .window(Duration.ofSeconds(60))
            .sustainFor(Duration.ofSeconds(10))
            .build();
    m.recordPut(60_000, 0, 0);

    advanceSeconds(20); // nobody calls for 20 s; the spike stays in the window for 60 s
    m.utilization();

    assertThat(alerts).extracting(CapacityAlert::since).containsExactly(WALL.minusSeconds(19));
  }

  @Test
  void monitor_throttling_alertsOncePerEpisode() {
    CapacityMonitor m = monitor(new ShardCountFake(2)).window(Duration.ofSeconds(10)).build();
    putEverySecond(m, 3, 100, 1_000);

    m.recordPut(10, 100, 3);
    assertThat(alerts)
        .containsExactly(
            new CapacityAlert(
                "logs",
                CapacityAlert.Reason.THROTTLING,
                300.0 / 20_000,
                ThroughputDimension.RECORDS,
                2,
                WALL));

    advanceSeconds(10);
    m.recordPut(0, 0, 1); // the window still holds the first throttled records
    assertThat(alerts).hasSize(1);

    advanceSeconds(11);
    m.recordPut(0, 0, 1); // a whole window without throttling passed
    assertThat(alerts)
        .extracting(CapacityAlert::reason)
        .containsExactly(CapacityAlert.Reason.THROTTLING, CapacityAlert.Reason.THROTTLING);
    advanceSeconds(1);
    assertThat(m.utilization().throttledRecords()).isEqualTo(1);
  }

  @Test
  void shardCount_readsWithinRefreshInterval_describeOnce() {
    ShardCountFake describe = new ShardCountFake(2, 4);
    CapacityMonitor m = monitor(describe).shardRefreshInterval(Duration.ofSeconds(30)).build();

    for (int s = 0; s < 29; s++) {
      m.recordPut(1, 1, 0);
      assertThat(m.utilization().shards()).isEqualTo(2);
      advanceSeconds(1);
    }

    assertThat(describe.calls).hasValue(1);
    assertThat(describe.lastRequest.streamName()).isEqualTo("logs");
  }

  @Test
  void shardCount_afterRefreshInterval_refreshedOnNextRead() {
    ShardCountFake describe = new ShardCountFake(2, 4);
    CapacityMonitor m = monitor(describe).shardRefreshInterval(Duration.ofSeconds(30)).build();
    advanceSeconds(30);
    m.utilization();
    assertThat(describe.calls).hasValue(1); // not older than the interval yet

    advanceSeconds(1);

    m.utilization(); // triggers the refresh, answered with the cached count
    assertThat(describe.calls).hasValue(2);
    assertThat(m.utilization().shards()).isEqualTo(4);

    advanceSeconds(30);
    m.utilization();
    assertThat(describe.calls).hasValue(2);
  }

  @Test
  void shardCount_describeFails_keepsLastKnownCountAndRetriesAfterInterval() {
    ShardCountFake describe = new ShardCountFake(3, -1, 5);
    CapacityMonitor m = monitor(describe).shardRefreshInterval(Duration.ofSeconds(10)).build();

    advanceSeconds(11);
    m.utilization();
    assertThat(m.utilization().shards()).isEqualTo(3);
    assertThat(describe.calls).hasValue(2);

    advanceSeconds(10);
    m.utilization();
    assertThat(describe.calls).hasValue(2);

    advanceSeconds(1);
    m.utilization();
    assertThat(m.utilization().shards()).isEqualTo(5);
    assertThat(describe.calls).hasValue(3);
  }

  @Test
  void shardCount_neverKnown_utilizationZeroAndNoUtilizationAlert() {
    ShardCountFake describe = new ShardCountFake(-1);
    CapacityMonitor m = monitor(describe).sustainFor(Duration.ZERO).build();

    putEverySecond(m, 5, 100_000, 100_000_000);

    CapacitySnapshot u = m.utilization();
    assertThat(u.shards()).isZero();
    assertThat(u.records()).isEqualTo(500_000);
    assertThat(u.utilization()).isZero();
    assertThat(u.atOrAboveThreshold()).isFalse();
    assertThat(alerts).isEmpty();

    m.recordPut(0, 0, 1); // throttling is still reported
    assertThat(alerts)
        .containsExactly(
            new CapacityAlert(
                "logs", CapacityAlert.Reason.THROTTLING, 0, ThroughputDimension.RECORDS, 0, WALL));
  }

  @Test
  void shardCount_streamArn_describedByArn() {
    String arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/logs";
    ShardCountFake describe = new ShardCountFake(1);
    CapacityMonitor.builder(arn).client(describe).build();

    assertThat(describe.lastRequest.streamARN()).isEqualTo(arn);
    assertThat(describe.lastRequest.streamName()).isNull();
  }

  @Test
  void listener_throws_alertStillCountedAndMonitorKeepsWorking() {
    CapacityMonitor m =
        CapacityMonitor.builder("logs")
            .client(new ShardCountFake(1))
            .listener(
                alert -> {
                  alerts.add(alert);
                  throw new IllegalStateException("listener bug");
                })
            .ticker(nanos::get)
            .build();

    m.recordPut(0, 0, 1);
    advanceSeconds(1);

    assertThat(alerts).hasSize(1);
    assertThat(m.utilization().throttledRecords()).isEqualTo(1);
  }

  @Test
  void recordPut_negativeCount_throwsNamingTheCounts() {
    CapacityMonitor m = monitor(new ShardCountFake(1)).build();

    assertThatThrownBy(() -> m.recordPut(1, -2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "counts must be >= 0, got acceptedRecords=1, acceptedBytes=-2, throttledRecords=0");
  }

  @Test
  void builder_defaults_seedThresholdAndOneMinuteWindow() {
    CapacityMonitor m = CapacityMonitor.builder("logs").client(new ShardCountFake(1)).build();

    assertThat(m.threshold()).isEqualTo(0.9);
    assertThat(m.stream()).isEqualTo("logs");
    assertThat(m.utilization().window()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void builder_badValues_throwNamingOptionAndValue() {
    assertThatThrownBy(() -> CapacityMonitor.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stream must not be blank, got ' '");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").threshold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threshold must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").threshold(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threshold must be in (0, 1], got 1.5");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").threshold(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threshold must be in (0, 1], got NaN");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").window(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds from PT1S to PT1H, got PT0S");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").window(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds from PT1S to PT1H, got PT1.5S");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").window(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be whole seconds from PT1S to PT1H, got PT1H1M");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").sustainFor(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sustainFor must be whole seconds from PT0S to PT1H, got PT-1S");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").shardRefreshInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shardRefreshInterval must be positive and at most PT24H, got PT0S");
    assertThatThrownBy(
            () -> CapacityMonitor.builder("logs").shardRefreshInterval(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shardRefreshInterval must be positive and at most PT24H, got PT48H");
  }

  @Test
  void builder_optionSetTwiceOrClientMissing_throwsIllegalState() {
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").threshold(0.8).threshold(0.9))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("threshold was already set to 0.8");
    assertThatThrownBy(
            () ->
                CapacityMonitor.builder("logs")
                    .window(Duration.ofSeconds(5))
                    .window(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window was already set to PT5S");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client must be set");
    assertThatThrownBy(() -> CapacityMonitor.builder("logs").client(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("client");
  }
}
