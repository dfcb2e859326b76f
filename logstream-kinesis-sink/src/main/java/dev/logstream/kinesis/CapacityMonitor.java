package dev.logstream.kinesis;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.logstream.core.capacity.KinesisLimits;
import dev.logstream.core.capacity.Utilization;
import dev.logstream.core.capacity.WriteLoad;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;

/**
 * Watches the write utilization of one Kinesis data stream: the records and bytes per second
 * Kinesis accepted, against the open shards' write limits ({@link
 * KinesisLimits#SHARD_WRITE_RECORDS_PER_SECOND} and {@link
 * KinesisLimits#SHARD_WRITE_BYTES_PER_SECOND} per shard), and alerts a {@link CapacityListener}
 * (and logs a warning) when utilization stays at or above a threshold or Kinesis throttles writes.
 *
 * <h2>What is counted</h2>
 *
 * <p>A {@link KinesisSink} built with {@link KinesisSink.Builder#capacityMonitor(CapacityMonitor)}
 * calls {@link #recordPut(long, long, long)} after each PutRecords response; other writers may call
 * it themselves. Counts go into one-second buckets; utilization is the sum over the last {@code
 * window} of whole seconds (the current, incomplete second excluded) divided by the window, over
 * the shard count: for each dimension {@code sum / (window seconds * shards * per-shard limit)},
 * compared exactly with the threshold at its decimal value (900 records per second on one shard is
 * exactly {@code 0.9}).
 *
 * <h2>Alerts</h2>
 *
 * <ul>
 *   <li>{@link CapacityAlert.Reason#SUSTAINED_HIGH_UTILIZATION}: utilization was at or above the
 *       threshold at every one-second evaluation for {@code sustainFor} (like a CloudWatch alarm on
 *       a one-minute period), so a short spike averaged in the window does not alert. It fires once
 *       per episode; the episode ends at the first evaluation below the threshold.
 *   <li>{@link CapacityAlert.Reason#THROTTLING}: a put reported throttled records after a whole
 *       window without any. It fires once per episode; the episode ends when a whole window has
 *       passed without throttled records.
 * </ul>
 *
 * <p>Evaluation is lazy: each call to {@link #recordPut} or {@link #utilization()} first evaluates
 * every second boundary passed since the previous call, so results do not depend on how often it is
 * called; a stream nobody writes to is evaluated at the next call.
 *
 * <h2>Shard count</h2>
 *
 * <p>The open shard count comes from {@code DescribeStreamSummary} ({@code OpenShardCount}), loaded
 * at {@link Builder#build()} and refreshed in the background at most every {@code
 * shardRefreshInterval} when read (a Caffeine cache with {@code refreshAfterWrite}). A failed
 * describe call is logged and the last known count kept; until a count is known, utilization is
 * {@code 0} and no utilization alert fires. Describe calls never block {@link #recordPut}.
 *
 * <p>Thread-safe. The monitor does not own the client and does not close it.
 */
public final class CapacityMonitor {

  /** Default {@code window}: 60 seconds. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);

  /** Default {@code sustainFor}: 60 seconds, a CloudWatch alarm's one-minute period. */
  public static final Duration DEFAULT_SUSTAIN_FOR = Duration.ofSeconds(60);

  /** Default {@code shardRefreshInterval}: 60 seconds. */
  public static final Duration DEFAULT_SHARD_REFRESH_INTERVAL = Duration.ofSeconds(60);

  /** The longest {@code window} and {@code sustainFor}: one hour. */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);

  /** The longest {@code shardRefreshInterval}: one day. */
  public static final Duration MAX_SHARD_REFRESH_INTERVAL = Duration.ofDays(1);

  private static final Logger LOG = LoggerFactory.getLogger(CapacityMonitor.class);
  private static final long SECOND = 1_000_000_000L;
  private static final long NONE = Long.MIN_VALUE;

  private final KinesisAsyncClient client;
  private final String stream;
  private final CapacityListener listener;
  private final double threshold;
  private final Duration window;
  private final int windowSeconds;
  private final long sustainSeconds;
  private final Ticker ticker;
  private final Clock clock;
  private final long origin;
  private final AsyncLoadingCache<String, Integer> shardCounts;
  private volatile int lastKnownShards;

  private final Object lock = new Object();
  // ring of windowSeconds + 1 one-second buckets; the slot of second s is s % ring length
  private final long[] records;
  private final long[] bytes;
  private final long[] throttled;
  private long second;
  private long highSince = NONE;
  private boolean highAlerted;
  private boolean throttling;

  private CapacityMonitor(Builder b) {
    this.client = b.client;
    this.stream = b.stream;
    this.listener = b.listener == null ? alert -> {} : b.listener;
    this.threshold = b.threshold == null ? KinesisLimits.ALARM_UTILIZATION : b.threshold;
    this.window = b.window == null ? DEFAULT_WINDOW : b.window;
    this.windowSeconds = (int) window.toSeconds();
    this.sustainSeconds = (b.sustainFor == null ? DEFAULT_SUSTAIN_FOR : b.sustainFor).toSeconds();
    this.ticker = b.ticker == null ? Ticker.systemTicker() : b.ticker;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.records = new long[windowSeconds + 1];
    this.bytes = new long[windowSeconds + 1];
    this.throttled = new long[windowSeconds + 1];
    Duration refresh =
        b.shardRefreshInterval == null ? DEFAULT_SHARD_REFRESH_INTERVAL : b.shardRefreshInterval;
    this.shardCounts =
        Caffeine.newBuilder()
            .ticker(ticker)
            .refreshAfterWrite(refresh)
            .executor(Runnable::run)
            .buildAsync((key, executor) -> describe());
    this.origin = ticker.read();
    shardCounts.get(stream);
  }

  /**
   * Starts a builder for a monitor of one stream.
   *
   * @param stream the stream's name or ARN, as given to the {@link KinesisSink}
   * @return the builder
   * @throws IllegalArgumentException if {@code stream} is blank
   * @throws NullPointerException if {@code stream} is null
   */
  public static Builder builder(String stream) {
    Objects.requireNonNull(stream, "stream");
    if (stream.isBlank()) {
      throw new IllegalArgumentException("stream must not be blank, got '" + stream + "'");
    }
    return new Builder(stream);
  }

  /**
   * The stream this monitor watches.
   *
   * @return the stream's name or ARN
   */
  public String stream() {
    return stream;
  }

  /**
   * The utilization at or above which the monitor alerts.
   *
   * @return the threshold
   */
  public double threshold() {
    return threshold;
  }

  /**
   * Records the outcome of one PutRecords request. Never blocks; may call the listener.
   *
   * @param acceptedRecords entries Kinesis accepted (an aggregated KPL record counts once)
   * @param acceptedBytes data plus partition key bytes of the accepted entries
   * @param throttledRecords entries Kinesis answered with a throttling error
   * @throws IllegalArgumentException if a count is negative
   */
  public void recordPut(long acceptedRecords, long acceptedBytes, long throttledRecords) {
    if (acceptedRecords < 0 || acceptedBytes < 0 || throttledRecords < 0) {
      throw new IllegalArgumentException(
          "counts must be >= 0, got acceptedRecords="
              + acceptedRecords
              + ", acceptedBytes="
              + acceptedBytes
              + ", throttledRecords="
              + throttledRecords);
    }
    List<CapacityAlert> alerts = new ArrayList<>(1);
    int shards = shards();
    synchronized (lock) {
      long now = advance(shards, alerts);
      int slot = slot(second);
      records[slot] += acceptedRecords;
      bytes[slot] += acceptedBytes;
      throttled[slot] += throttledRecords;
      if (throttledRecords > 0 && !throttling) {
        throttling = true;
        Window w = window(second, shards);
        alerts.add(
            new CapacityAlert(
                stream,
                CapacityAlert.Reason.THROTTLING,
                shards == 0 ? 0 : w.utilization.maxUtilization(),
                w.utilization.binding(),
                shards,
                instantOf(now, now)));
      }
    }
    deliver(alerts);
  }

  /**
   * Returns the utilization over the window ending at the start of the current second, evaluating
   * the seconds passed since the last call first (which may call the listener).
   *
   * @return the snapshot
   */
  public CapacitySnapshot utilization() {
    List<CapacityAlert> alerts = new ArrayList<>(1);
    int shards = shards();
    CapacitySnapshot snapshot;
    synchronized (lock) {
      advance(shards, alerts);
      Window w = window(second, shards);
      snapshot =
          new CapacitySnapshot(
              stream,
              shards,
              window,
              w.records,
              w.bytes,
              w.throttled,
              shards == 0 ? 0 : w.utilization.recordsUtilization(),
              shards == 0 ? 0 : w.utilization.bytesUtilization(),
              w.utilization.binding(),
              shards > 0 && w.utilization().reaches(threshold));
    }
    deliver(alerts);
    return snapshot;
  }

  /** The open shard count: the cached one, else the last known, else 0; never blocks. */
  private int shards() {
    return shardCounts.get(stream).getNow(lastKnownShards);
  }

  private CompletableFuture<Integer> describe() {
    DescribeStreamSummaryRequest.Builder request = DescribeStreamSummaryRequest.builder();
    if (stream.startsWith("arn:")) {
      request.streamARN(stream);
    } else {
      request.streamName(stream);
    }
    CompletableFuture<DescribeStreamSummaryResponse> call;
    try {
      call = client.describeStreamSummary(request.build());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.handle(
        (response, error) -> {
          Integer open =
              error == null && response.streamDescriptionSummary() != null
                  ? response.streamDescriptionSummary().openShardCount()
                  : null;
          if (open != null && open > 0) {
            lastKnownShards = open;
            return open;
          }
          String cause =
              error != null ? error.toString() : "no OpenShardCount in DescribeStreamSummary";
          LOG.warn(
              "Capacity monitor of Kinesis stream {} could not read the shard count, keeping {}: {}",
              stream,
              lastKnownShards,
              cause);
          return lastKnownShards;
        });
  }

  /** Evaluates every second boundary up to now; returns the ticker's now. */
  private long advance(int shards, List<CapacityAlert> alerts) {
    long now = ticker.read();
    long target = Math.max(second, Math.floorDiv(now - origin, SECOND));
    long last = Math.min(target, second + windowSeconds + 1);
    for (long s = second + 1; s <= last; s++) {
      int slot = slot(s);
      records[slot] = 0;
      bytes[slot] = 0;
      throttled[slot] = 0;
      evaluate(s, shards, now, alerts);
    }
    if (target > last) {
      // every window after the last evaluated one is empty: below the threshold, no throttling
      highSince = NONE;
      highAlerted = false;
      throttling = false;
    }
    second = target;
    return now;
  }

  /** Evaluates the window of the seconds before {@code boundary}. */
  private void evaluate(long boundary, int shards, long now, List<CapacityAlert> alerts) {
    Window w = window(boundary, shards);
    if (w.throttled == 0) {
      throttling = false;
    }
    if (shards == 0 || !w.utilization().reaches(threshold)) {
      highSince = NONE;
      highAlerted = false;
      return;
    }
    if (highSince == NONE) {
      highSince = boundary;
    }
    if (!highAlerted && boundary - highSince >= sustainSeconds) {
      highAlerted = true;
      alerts.add(
          new CapacityAlert(
              stream,
              CapacityAlert.Reason.SUSTAINED_HIGH_UTILIZATION,
              w.utilization.maxUtilization(),
              w.utilization.binding(),
              shards,
              instantOf(origin + highSince * SECOND, now)));
    }
  }

  /**
   * The sums of the {@code windowSeconds} seconds before {@code boundary}, and their utilization:
   * the load over {@code shards * windowSeconds} shard-seconds, exactly the window's average.
   */
  private Window window(long boundary, int shards) {
    long r = 0;
    long b = 0;
    long t = 0;
    for (long s = Math.max(0, boundary - windowSeconds); s < boundary; s++) {
      int slot = slot(s);
      r += records[slot];
      b += bytes[slot];
      t += throttled[slot];
    }
    return new Window(
        r, b, t, new Utilization(WriteLoad.of(r, b), Math.max(1, shards * windowSeconds)));
  }

  private Instant instantOf(long tick, long now) {
    return clock.instant().minusNanos(now - tick);
  }

  private int slot(long s) {
    return (int) Math.floorMod(s, (long) records.length);
  }

  private void deliver(List<CapacityAlert> alerts) {
    for (CapacityAlert alert : alerts) {
      LOG.warn(
          "Kinesis stream {}: {} - write utilization {} ({}) on {} shards, threshold {}, since {}",
          alert.stream(),
          alert.reason(),
          String.format(Locale.ROOT, "%.3f", alert.utilization()),
          alert.binding(),
          alert.shards(),
          threshold,
          alert.since());
      try {
        listener.onAlert(alert);
      } catch (RuntimeException e) {
        LOG.error("Capacity listener of Kinesis stream {} failed", stream, e);
      }
    }
  }

  /** The sums of one window and their utilization over shard-seconds. */
  private record Window(long records, long bytes, long throttled, Utilization utilization) {}

  /**
   * Sets the options of a {@link CapacityMonitor}. Each option may be set once and is checked when
   * set; {@link #client(KinesisAsyncClient)} is required.
   */
  public static final class Builder {
    private final String stream;
    private KinesisAsyncClient client;
    private CapacityListener listener;
    private Double threshold;
    private Duration window;
    private Duration sustainFor;
    private Duration shardRefreshInterval;
    private Ticker ticker;
    private Clock clock;

    private Builder(String stream) {
      this.stream = stream;
    }

    /**
     * Sets the client that describes the stream; required. The monitor does not close it.
     *
     * @param value the client
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder client(KinesisAsyncClient value) {
      requireUnset("client", client);
      client = Objects.requireNonNull(value, "client");
      return this;
    }

    /**
     * Sets the listener of alerts; default none (alerts are still logged as warnings).
     *
     * @param value the listener
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder listener(CapacityListener value) {
      requireUnset("listener", listener);
      listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Sets the utilization at or above which the monitor alerts; default {@value
     * KinesisLimits#ALARM_UTILIZATION}, the seed's alarm threshold.
     *
     * @param value in {@code (0, 1]}
     * @return this builder
     * @throws IllegalArgumentException if out of range or NaN
     * @throws IllegalStateException if already set
     */
    public Builder threshold(double value) {
      requireUnset("threshold", threshold);
      if (!(value > 0 && value <= 1)) {
        throw new IllegalArgumentException("threshold must be in (0, 1], got " + value);
      }
      threshold = value;
      return this;
    }

    /**
     * Sets the span rates are averaged over, in whole seconds; default 60 seconds.
     *
     * @param value whole seconds, 1 second to {@link CapacityMonitor#MAX_WINDOW}
     * @return this builder
     * @throws IllegalArgumentException if out of range or not whole seconds
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder window(Duration value) {
      requireUnset("window", window);
      window = checkSeconds("window", value, 1);
      return this;
    }

    /**
     * Sets how long utilization must stay at or above the threshold before the monitor alerts, in
     * whole seconds; default 60 seconds. Zero alerts at the first evaluation at or above it.
     *
     * @param value whole seconds, 0 to {@link CapacityMonitor#MAX_WINDOW}
     * @return this builder
     * @throws IllegalArgumentException if out of range or not whole seconds
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder sustainFor(Duration value) {
      requireUnset("sustainFor", sustainFor);
      sustainFor = checkSeconds("sustainFor", value, 0);
      return this;
    }

    /**
     * Sets how old the cached shard count may get before a read refreshes it in the background;
     * default 60 seconds.
     *
     * @param value positive, at most {@link CapacityMonitor#MAX_SHARD_REFRESH_INTERVAL}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder shardRefreshInterval(Duration value) {
      requireUnset("shardRefreshInterval", shardRefreshInterval);
      Objects.requireNonNull(value, "shardRefreshInterval");
      if (value.isNegative() || value.isZero() || value.compareTo(MAX_SHARD_REFRESH_INTERVAL) > 0) {
        throw new IllegalArgumentException(
            "shardRefreshInterval must be positive and at most "
                + MAX_SHARD_REFRESH_INTERVAL
                + ", got "
                + value);
      }
      shardRefreshInterval = value;
      return this;
    }

    /** Replaces the system ticker (buckets, sustain time, cache refresh); for tests. */
    Builder ticker(Ticker value) {
      requireUnset("ticker", ticker);
      ticker = Objects.requireNonNull(value, "ticker");
      return this;
    }

    /** Replaces the wall clock of {@link CapacityAlert#since()}; for tests. */
    Builder clock(Clock value) {
      requireUnset("clock", clock);
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the monitor and starts loading the shard count.
     *
     * @return the monitor
     * @throws IllegalStateException if {@code client} was not set
     */
    public CapacityMonitor build() {
      if (client == null) {
        throw new IllegalStateException("client must be set");
      }
      return new CapacityMonitor(this);
    }

    private static Duration checkSeconds(String option, Duration value, long min) {
      Objects.requireNonNull(value, option);
      if (value.getNano() != 0 || value.getSeconds() < min || value.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException(
            option
                + " must be whole seconds from "
                + Duration.ofSeconds(min)
                + " to "
                + MAX_WINDOW
                + ", got "
                + value);
      }
      return value;
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
