package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The backoff never overflows, never goes negative, never exceeds the cap, never shrinks. */
class RetryPolicyProperties {

  @Property(tries = 2_000)
  void delayBeforeAttempt_withoutJitter_isNonDecreasingAndWithinTheCap(
      @ForAll @LongRange(min = 1, max = 86_400_000) long initialMillis,
      @ForAll @LongRange(min = 0, max = 86_400_000) long extraMillis,
      @ForAll @DoubleRange(min = 1.0, max = 100.0) double multiplier,
      @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE - 1) int attempt) {
    Duration initial = Duration.ofMillis(initialMillis);
    Duration max = Duration.ofMillis(Math.min(initialMillis + extraMillis, 86_400_000));
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(initial)
            .maxDelay(max)
            .multiplier(multiplier)
            .jitter(0)
            .build();

    long delay = policy.delayNanosBeforeAttempt(attempt, FixedRandom.middle());
    long next = policy.delayNanosBeforeAttempt(attempt + 1, FixedRandom.middle());

    assertThat(delay).isBetween(0L, max.toNanos());
    assertThat(next).isBetween(delay, max.toNanos());
    if (attempt >= 2) {
      assertThat(delay).isGreaterThanOrEqualTo(initial.toNanos());
    }
  }

  @Property(tries = 2_000)
  void delayBeforeAttempt_withJitter_isNeverNegativeNorAboveTheCap(
      @ForAll @LongRange(min = 1, max = 86_400_000) long initialMillis,
      @ForAll @LongRange(min = 0, max = 86_400_000) long extraMillis,
      @ForAll @DoubleRange(min = 1.0, max = 100.0) double multiplier,
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double jitter,
      @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double random,
      @ForAll int attempt) {
    Duration max = Duration.ofMillis(Math.min(initialMillis + extraMillis, 86_400_000));
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(initialMillis))
            .maxDelay(max)
            .multiplier(multiplier)
            .jitter(jitter)
            .build();
    int positiveAttempt = attempt == Integer.MIN_VALUE ? 1 : Math.max(1, Math.abs(attempt));

    long delay = policy.delayNanosBeforeAttempt(positiveAttempt, new FixedRandom(random));

    assertThat(delay).isBetween(0L, max.toNanos());
  }

  @Property(tries = 1_000)
  void delayBeforeAttempt_withJitter_staysWithinTheJitterBandOfTheUnjitteredDelay(
      @ForAll @DoubleRange(min = 0.0, max = 1.0) double jitter,
      @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) double random,
      @ForAll @IntRange(min = 2, max = 100) int attempt) {
    RetryPolicy jittered = RetryPolicy.builder().jitter(jitter).build();
    RetryPolicy plain = RetryPolicy.builder().jitter(0).build();

    double base = plain.delayNanosBeforeAttempt(attempt, FixedRandom.middle());
    long delay = jittered.delayNanosBeforeAttempt(attempt, new FixedRandom(random));

    assertThat((double) delay).isBetween(Math.floor(base * (1 - jitter)) - 1, base * (1 + jitter));
  }
}
