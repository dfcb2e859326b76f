package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  /* --------------- defaults --------------- */

  @Test
  void defaults_areTheDocumentedValues() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.multiplier()).isEqualTo(2.0);
    assertThat(policy.jitter()).isEqualTo(0.125);
    assertThat(policy.maxDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.maxAttempts()).isEqualTo(17);
    assertThat(policy.maxAge()).isEmpty();
    assertThat(policy.resetOnProgress()).isTrue();
    assertThat(policy).isEqualTo(RetryPolicy.builder().build());
  }

  @Test
  void builder_everyOption_isKept() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(300))
            .multiplier(1.5)
            .jitter(0.0)
            .maxDelay(Duration.ofSeconds(30))
            .maxAttempts(9)
            .maxAge(Duration.ofHours(72))
            .resetOnProgress(false)
            .build();

    assertThat(policy.initialDelay()).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.multiplier()).isEqualTo(1.5);
    assertThat(policy.jitter()).isEqualTo(0.0);
    assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.maxAttempts()).isEqualTo(9);
    assertThat(policy.maxAge()).isEqualTo(Optional.of(Duration.ofHours(72)));
    assertThat(policy.resetOnProgress()).isFalse();
    assertThat(policy)
        .hasToString(
            "RetryPolicy{initialDelay=PT0.3S, multiplier=1.5, jitter=0.0, maxDelay=PT30S,"
                + " maxAttempts=9, maxAge=PT72H, resetOnProgress=false}");
  }

  @Test
  void build_twice_givesEqualPolicies() {
    RetryPolicy.Builder builder = RetryPolicy.builder().maxAttempts(3);

    assertThat(builder.build()).isEqualTo(builder.build()).hasSameHashCodeAs(builder.build());
  }

  /* --------------- the schedule --------------- */

  @Test
  void delayBeforeAttempt_defaultsWithoutJitter_doubleFromOneSecondUpToTheCap() {
    RetryPolicy policy = RetryPolicy.builder().jitter(0).build();
    List<Long> seconds = new ArrayList<>();

    for (int attempt = 1; attempt <= 17; attempt++) {
      seconds.add(policy.delayBeforeAttempt(attempt, FixedRandom.middle()).toSeconds());
    }

    assertThat(seconds)
        .containsExactly(
            0L, 1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L, 300L, 300L, 300L, 300L,
            300L);
    assertThat(seconds.stream().mapToLong(Long::longValue).sum()).isEqualTo(511 + 7 * 300);
  }

  @Test
  void delayBeforeAttempt_fractionalMultiplier_isExactToTheNanosecond() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(300))
            .multiplier(1.5)
            .jitter(0)
            .build();

    assertThat(policy.delayBeforeAttempt(2, FixedRandom.middle()))
        .isEqualTo(Duration.ofMillis(300));
    assertThat(policy.delayBeforeAttempt(3, FixedRandom.middle()))
        .isEqualTo(Duration.ofMillis(450));
    assertThat(policy.delayBeforeAttempt(4, FixedRandom.middle()))
        .isEqualTo(Duration.ofMillis(675));
  }

  @Test
  void delayBeforeAttempt_firstAttempt_isImmediateAndDrawsNoRandomness() {
    FixedRandom random = FixedRandom.middle();

    assertThat(RetryPolicy.defaults().delayBeforeAttempt(1, random)).isEqualTo(Duration.ZERO);
    assertThat(random.calls()).isZero();
  }

  @Test
  void delayBeforeAttempt_lowestRandom_isTheBaseMinusTheJitter() {
    assertThat(RetryPolicy.defaults().delayBeforeAttempt(4, new FixedRandom(0.0)))
        .isEqualTo(Duration.ofMillis(3500));
  }

  @Test
  void delayBeforeAttempt_highRandom_isTheBasePlusAlmostTheJitter() {
    Duration delay = RetryPolicy.defaults().delayBeforeAttempt(4, new FixedRandom(0.75));

    assertThat(delay).isEqualTo(Duration.ofMillis(4250));
  }

  @Test
  void delayBeforeAttempt_jitterAtTheCap_neverExceedsTheCap() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.delayBeforeAttempt(30, new FixedRandom(0.999)))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.delayBeforeAttempt(30, new FixedRandom(0.0)))
        .isEqualTo(Duration.ofSeconds(262, 500_000_000));
  }

  @Test
  void delayBeforeAttempt_attempt60_saturatesAtTheCap() {
    RetryPolicy policy = RetryPolicy.builder().jitter(0).build();

    assertThat(policy.delayBeforeAttempt(60, FixedRandom.middle()))
        .isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void delayBeforeAttempt_integerMaxValue_saturatesAtTheCapEvenWithTheLargestOptions() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(RetryPolicy.DELAY_LIMIT)
            .maxDelay(RetryPolicy.DELAY_LIMIT)
            .multiplier(RetryPolicy.MULTIPLIER_LIMIT)
            .jitter(1.0)
            .build();

    assertThat(policy.delayBeforeAttempt(Integer.MAX_VALUE, new FixedRandom(0.99)))
        .isEqualTo(Duration.ofHours(24));
    assertThat(policy.delayBeforeAttempt(Integer.MAX_VALUE, new FixedRandom(0.0)))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void delayNanosBeforeAttempt_matchesTheDuration() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.delayNanosBeforeAttempt(5, new FixedRandom(0.25)))
        .isEqualTo(policy.delayBeforeAttempt(5, new FixedRandom(0.25)).toNanos())
        .isEqualTo(7_500_000_000L);
  }

  @Test
  void delayBeforeAttempt_attemptZero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.defaults().delayBeforeAttempt(0, FixedRandom.middle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must be >= 1, got 0");
  }

  @Test
  void delayBeforeAttempt_nullRandom_isRejectedNamingIt() {
    assertThatThrownBy(() -> RetryPolicy.defaults().delayBeforeAttempt(2, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("random");
  }

  /* --------------- validation --------------- */

  @Test
  void initialDelay_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay must be positive and at most PT24H, got PT0S");
  }

  @Test
  void initialDelay_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialDelay(Duration.ofSeconds(2))
                    .initialDelay(Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("initialDelay was already set to PT2S");
  }

  @Test
  void maxDelay_aboveTheLimit_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofHours(25)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must be positive and at most PT24H, got PT25H");
  }

  @Test
  void maxDelay_negative_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must be positive and at most PT24H, got PT-1S");
  }

  @Test
  void maxDelay_null_isRejectedNamingTheOption() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxDelay");
  }

  @Test
  void multiplier_belowOne_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be in 1.0..100.0, got 0.5");
  }

  @Test
  void multiplier_notANumber_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be in 1.0..100.0, got NaN");
  }

  @Test
  void multiplier_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(3).multiplier(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("multiplier was already set to 3.0");
  }

  @Test
  void jitter_aboveOne_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitter must be in 0.0..1.0, got 1.5");
  }

  @Test
  void jitter_negative_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(-0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitter must be in 0.0..1.0, got -0.1");
  }

  @Test
  void maxAttempts_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1, got 0");
  }

  @Test
  void maxAttempts_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(5).maxAttempts(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAttempts was already set to 5");
  }

  @Test
  void maxAge_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAge must be positive and at most PT8760H, got PT0S");
  }

  @Test
  void maxAge_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(
            () -> RetryPolicy.builder().maxAge(Duration.ofHours(1)).maxAge(Duration.ofHours(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAge was already set to PT1H");
  }

  @Test
  void resetOnProgress_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(() -> RetryPolicy.builder().resetOnProgress(false).resetOnProgress(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("resetOnProgress was already set to false");
  }

  @Test
  void build_initialDelayAboveMaxDelay_isRejectedWithBothValues() {
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialDelay(Duration.ofMinutes(10))
                    .maxDelay(Duration.ofMinutes(5))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("initialDelay (PT10M) must not exceed maxDelay (PT5M)");
  }

  @Test
  void build_initialDelayAboveTheDefaultMaxDelay_isRejectedWithBothValues() {
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ofHours(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("initialDelay (PT1H) must not exceed maxDelay (PT5M)");
  }
}
