package dev.logstream.buffer;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When the {@link Dispatcher} resends a record a sink could not deliver, and when it gives up on
 * it: capped exponential backoff with jitter, a maximum number of attempts and an optional maximum
 * age. Immutable; build with {@link #builder()}, or take {@link #defaults()}.
 *
 * <h2>The schedule</h2>
 *
 * <p>The first attempt is immediate. The delay before attempt {@code n >= 2} is
 *
 * <pre>
 * base(n)  = min(initialDelay × multiplier^(n-2), maxDelay)
 * delay(n) = min(base(n) × (1 + jitter × (2u - 1)), maxDelay)      u uniform in [0, 1)
 * </pre>
 *
 * computed in {@code double} and saturating at {@code maxDelay}, so any {@code n} up to {@link
 * Integer#MAX_VALUE} is safe (no overflow into a negative or zero wait, as {@code int} arithmetic
 * gives at attempt 23). Jitter spreads the retries of many records that failed together (Fluentd
 * uses ±12.5 %); the randomness is passed in by the caller, so tests can fix it.
 *
 * <p>With the defaults the waits are 1, 2, 4, … 256 s, then 300 s (the cap) from the tenth retry
 * on; the 16 retries of 17 attempts span about 511 s + 7 × 300 s ≈ 43.5 minutes when nothing gets
 * through.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #initialDelay()}</td><td>1 s</td><td>Fluentd's {@code retry_wait}</td></tr>
 *   <tr><td>{@link #multiplier()}</td><td>2.0</td><td>Fluentd's exponential backoff base</td></tr>
 *   <tr><td>{@link #jitter()}</td><td>0.125</td><td>Fluentd's ±12.5 % randomization</td></tr>
 *   <tr><td>{@link #maxDelay()}</td><td>5 minutes</td><td>see below</td></tr>
 *   <tr><td>{@link #maxAttempts()}</td><td>17</td><td>the seed's fluentd gave up after 17
 *       retries; attempts here count the first one too, so {@code maxAttempts(18)} reproduces the
 *       seed exactly</td></tr>
 *   <tr><td>{@link #maxAge()}</td><td>none</td><td>attempts bound the time already</td></tr>
 *   <tr><td>{@link #resetOnProgress()}</td><td>true</td><td>aws-fluent-plugin-kinesis's {@code
 *       reset_backoff_if_success} (issue #42)</td></tr>
 * </table>
 *
 * <p><b>Why a 5-minute cap.</b> The dispatcher commits only the contiguous prefix of finished
 * records, so a record waiting for its retry holds back the buffer's release of everything read
 * after it. Uncapped doubling (the seed's fluentd) makes the last waits hours long: a single record
 * that a destination keeps refusing would pin the buffer for that long, and a destination that
 * comes back after an outage would see the first retry only hours later. Five minutes is long next
 * to what a throttled Kinesis shard needs (its limits are per second) and to the SDK's own backoff
 * cap (20 s), and short enough that a recovered stream is retried within minutes. Records not read
 * yet are not affected by an outage at all: the dispatcher stops reading while the records it holds
 * are failing, and the buffer keeps the rest. To ride out longer outages without dead letters,
 * raise {@link #maxAttempts()}, or set {@link #maxAge()} with a large attempt count.
 *
 * <p><b>Reset on progress.</b> When the previous attempt of a batch delivered some of its records,
 * the records that failed start again from the initial delay (attempts still count toward {@link
 * #maxAttempts()}). Under throttling a partially successful batch means the destination is working,
 * and growing waits would only let the throttled host fall further behind. As a consequence, a
 * record throttled in every attempt of batches that otherwise succeed is given up after about
 * {@code maxAttempts × initialDelay}: raise {@link #maxAttempts()} for hot shards.
 *
 * <p><b>Maximum age.</b> If set, a record whose first attempt is older than this is given up after
 * its current attempt fails; the wait before its last retry is shortened so that the retry happens
 * at the deadline, as Fluentd does with {@code retry_timeout}.
 */
public final class RetryPolicy {
  /** Default {@link #initialDelay()}: 1 second. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);

  /** Default {@link #multiplier()}: 2.0. */
  public static final double DEFAULT_MULTIPLIER = 2.0;

  /** Default {@link #jitter()}: 0.125 (±12.5 %). */
  public static final double DEFAULT_JITTER = 0.125;

  /** Default {@link #maxDelay()}: 5 minutes. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);

  /** Default {@link #maxAttempts()}: 17. */
  public static final int DEFAULT_MAX_ATTEMPTS = 17;

  /** The largest {@link #maxDelay()} and {@link #initialDelay()} accepted: 24 hours. */
  public static final Duration DELAY_LIMIT = Duration.ofHours(24);

  /** The largest {@link #maxAge()} accepted: 365 days. */
  public static final Duration MAX_AGE_LIMIT = Duration.ofDays(365);

  /** The largest {@link #multiplier()} accepted: 100. */
  public static final double MULTIPLIER_LIMIT = 100.0;

  private static final RetryPolicy DEFAULTS = builder().build();

  private final Duration initialDelay;
  private final double multiplier;
  private final double jitter;
  private final Duration maxDelay;
  private final int maxAttempts;
  private final Duration maxAge;
  private final boolean resetOnProgress;
  private final double initialNanos;
  private final double maxNanos;

  private RetryPolicy(
      Duration initialDelay,
      double multiplier,
      double jitter,
      Duration maxDelay,
      int maxAttempts,
      Duration maxAge,
      boolean resetOnProgress) {
    this.initialDelay = initialDelay;
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.maxDelay = maxDelay;
    this.maxAttempts = maxAttempts;
    this.maxAge = maxAge;
    this.resetOnProgress = resetOnProgress;
    this.initialNanos = initialDelay.toNanos();
    this.maxNanos = maxDelay.toNanos();
  }

  /**
   * Returns the default policy (see the class documentation).
   *
   * @return the defaults
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder starting from the defaults; each option may be set once.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The wait before the first retry (attempt 2), and after a reset on progress.
   *
   * @return a positive duration
   */
  public Duration initialDelay() {
    return initialDelay;
  }

  /**
   * The factor by which each wait grows over the previous one.
   *
   * @return at least 1.0
   */
  public double multiplier() {
    return multiplier;
  }

  /**
   * The random spread of each wait, as a fraction of it: a wait {@code w} becomes uniform in {@code
   * [w × (1 - jitter), w × (1 + jitter))}, never above {@link #maxDelay()}.
   *
   * @return from 0.0 (none) to 1.0
   */
  public double jitter() {
    return jitter;
  }

  /**
   * The longest wait between two attempts of a record, jitter included.
   *
   * @return a positive duration, at least {@link #initialDelay()}
   */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * The most attempts a record gets, the first one included; a record still failing after this many
   * goes to the dead-letter store with its last reason.
   *
   * @return at least 1 (1 means never retry)
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The age, counted from its first attempt, after which a failing record is given up whatever its
   * attempt count.
   *
   * @return the maximum age, or empty for none
   */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  /**
   * Whether the records that failed in an attempt that delivered others start again from the
   * initial delay.
   *
   * @return true to reset the backoff on progress
   */
  public boolean resetOnProgress() {
    return resetOnProgress;
  }

  /**
   * Returns the wait before a record's attempt number {@code attempt}, counted from 1 (see the
   * class documentation for the formula). After a reset on progress the dispatcher counts the
   * backoff again from attempt 2.
   *
   * @param attempt the attempt about to be made, {@code >= 1}; any value up to {@link
   *     Integer#MAX_VALUE} is safe
   * @param random the jitter's randomness: one {@link RandomGenerator#nextDouble()} per call when
   *     {@link #jitter()} is above zero and {@code attempt >= 2}, not used otherwise
   * @return {@link Duration#ZERO} for attempt 1, otherwise a wait in {@code [0, maxDelay]}
   * @throws IllegalArgumentException if {@code attempt < 1}
   * @throws NullPointerException if {@code random} is null
   */
  public Duration delayBeforeAttempt(int attempt, RandomGenerator random) {
    return Duration.ofNanos(delayNanosBeforeAttempt(attempt, random));
  }

  /**
   * Same as {@link #delayBeforeAttempt(int, RandomGenerator)}, in nanoseconds.
   *
   * @param attempt the attempt about to be made, {@code >= 1}
   * @param random the jitter's randomness
   * @return 0 for attempt 1, otherwise a wait in {@code [0, maxDelay.toNanos()]}
   * @throws IllegalArgumentException if {@code attempt < 1}
   * @throws NullPointerException if {@code random} is null
   */
  public long delayNanosBeforeAttempt(int attempt, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
    if (attempt == 1) {
      return 0;
    }
    // pow saturates to +Infinity for large exponents; min() then caps it, so nothing overflows.
    double base = Math.min(initialNanos * Math.pow(multiplier, attempt - 2.0), maxNanos);
    double factor = jitter == 0 ? 1.0 : 1.0 + jitter * (2.0 * random.nextDouble() - 1.0);
    double delay = Math.min(base * factor, maxNanos);
    return delay <= 0 ? 0 : (long) delay;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RetryPolicy that
        && initialDelay.equals(that.initialDelay)
        && Double.compare(multiplier, that.multiplier) == 0
        && Double.compare(jitter, that.jitter) == 0
        && maxDelay.equals(that.maxDelay)
        && maxAttempts == that.maxAttempts
        && Objects.equals(maxAge, that.maxAge)
        && resetOnProgress == that.resetOnProgress;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        initialDelay, multiplier, jitter, maxDelay, maxAttempts, maxAge, resetOnProgress);
  }

  @Override
  public String toString() {
    return "RetryPolicy{initialDelay="
        + initialDelay
        + ", multiplier="
        + multiplier
        + ", jitter="
        + jitter
        + ", maxDelay="
        + maxDelay
        + ", maxAttempts="
        + maxAttempts
        + ", maxAge="
        + (maxAge == null ? "none" : maxAge)
        + ", resetOnProgress="
        + resetOnProgress
        + '}';
  }

  /**
   * Sets the options of a {@link RetryPolicy}. Each option may be set once and is checked when set;
   * {@link #build()} checks the options against each other.
   */
  public static final class Builder {
    private Duration initialDelay;
    private Double multiplier;
    private Double jitter;
    private Duration maxDelay;
    private Integer maxAttempts;
    private Duration maxAge;
    private Boolean resetOnProgress;

    private Builder() {}

    /**
     * Sets {@link RetryPolicy#initialDelay()}; default 1 second.
     *
     * @param delay positive, at most {@link RetryPolicy#DELAY_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code delay} is null
     */
    public Builder initialDelay(Duration delay) {
      requireUnset("initialDelay", initialDelay);
      initialDelay = checkDelay("initialDelay", delay);
      return this;
    }

    /**
     * Sets {@link RetryPolicy#multiplier()}; default 2.0.
     *
     * @param factor from 1.0 (constant waits) to {@link RetryPolicy#MULTIPLIER_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range or not a number
     * @throws IllegalStateException if already set
     */
    public Builder multiplier(double factor) {
      requireUnset("multiplier", multiplier);
      if (!(factor >= 1.0 && factor <= MULTIPLIER_LIMIT)) {
        throw new IllegalArgumentException(
            "multiplier must be in 1.0.." + MULTIPLIER_LIMIT + ", got " + factor);
      }
      multiplier = factor;
      return this;
    }

    /**
     * Sets {@link RetryPolicy#jitter()}; default 0.125.
     *
     * @param fraction from 0.0 (no jitter) to 1.0
     * @return this builder
     * @throws IllegalArgumentException if out of range or not a number
     * @throws IllegalStateException if already set
     */
    public Builder jitter(double fraction) {
      requireUnset("jitter", jitter);
      if (!(fraction >= 0.0 && fraction <= 1.0)) {
        throw new IllegalArgumentException("jitter must be in 0.0..1.0, got " + fraction);
      }
      jitter = fraction;
      return this;
    }

    /**
     * Sets {@link RetryPolicy#maxDelay()}; default 5 minutes.
     *
     * @param delay positive, at most {@link RetryPolicy#DELAY_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code delay} is null
     */
    public Builder maxDelay(Duration delay) {
      requireUnset("maxDelay", maxDelay);
      maxDelay = checkDelay("maxDelay", delay);
      return this;
    }

    /**
     * Sets {@link RetryPolicy#maxAttempts()}; default 17.
     *
     * @param attempts at least 1, the first attempt included
     * @return this builder
     * @throws IllegalArgumentException if below 1
     * @throws IllegalStateException if already set
     */
    public Builder maxAttempts(int attempts) {
      requireUnset("maxAttempts", maxAttempts);
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + attempts);
      }
      maxAttempts = attempts;
      return this;
    }

    /**
     * Sets {@link RetryPolicy#maxAge()}; default none.
     *
     * @param age positive, at most {@link RetryPolicy#MAX_AGE_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code age} is null
     */
    public Builder maxAge(Duration age) {
      requireUnset("maxAge", maxAge);
      Objects.requireNonNull(age, "maxAge");
      if (age.isNegative() || age.isZero() || age.compareTo(MAX_AGE_LIMIT) > 0) {
        throw new IllegalArgumentException(
            "maxAge must be positive and at most " + MAX_AGE_LIMIT + ", got " + age);
      }
      maxAge = age;
      return this;
    }

    /**
     * Sets {@link RetryPolicy#resetOnProgress()}; default true.
     *
     * @param reset true to start failed records again from the initial delay when their batch
     *     delivered others
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder resetOnProgress(boolean reset) {
      requireUnset("resetOnProgress", resetOnProgress);
      resetOnProgress = reset;
      return this;
    }

    /**
     * Returns the policy; the builder is not changed and may be used again.
     *
     * @return the policy
     * @throws IllegalStateException if the initial delay exceeds the maximum delay
     */
    public RetryPolicy build() {
      Duration initial = initialDelay == null ? DEFAULT_INITIAL_DELAY : initialDelay;
      Duration max = maxDelay == null ? DEFAULT_MAX_DELAY : maxDelay;
      if (initial.compareTo(max) > 0) {
        throw new IllegalStateException(
            "initialDelay (" + initial + ") must not exceed maxDelay (" + max + ")");
      }
      return new RetryPolicy(
          initial,
          multiplier == null ? DEFAULT_MULTIPLIER : multiplier,
          jitter == null ? DEFAULT_JITTER : jitter,
          max,
          maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts,
          maxAge,
          resetOnProgress == null || resetOnProgress);
    }

    private static Duration checkDelay(String option, Duration delay) {
      Objects.requireNonNull(delay, option);
      if (delay.isNegative() || delay.isZero() || delay.compareTo(DELAY_LIMIT) > 0) {
        throw new IllegalArgumentException(
            option + " must be positive and at most " + DELAY_LIMIT + ", got " + delay);
      }
      return delay;
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
