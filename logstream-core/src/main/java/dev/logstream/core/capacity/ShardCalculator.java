package dev.logstream.core.capacity;

import static dev.logstream.core.capacity.KinesisLimits.MAX_RECORD_BYTES;
import static dev.logstream.core.capacity.KinesisLimits.SHARD_READ_BYTES_PER_SECOND;
import static dev.logstream.core.capacity.KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND;
import static dev.logstream.core.capacity.KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND;

import dev.logstream.core.LogstreamException;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Sizes a provisioned Kinesis data stream: the shards a write load needs so that neither write
 * limit of {@link KinesisLimits} is used above a target utilization, the shards shared-throughput
 * consumers need to read it, and the utilization of a given shard count.
 *
 * <pre>{@code
 * ShardCalculator calculator = ShardCalculator.builder().build(); // target 0.9, no aggregation
 * ShardEstimate estimate = calculator.shardsForWrite(WriteLoad.of(2_500, 1_500_000));
 * // estimate.shards() == 3, estimate.binding() == RECORDS
 * }</pre>
 *
 * <h2>Exactness</h2>
 *
 * The target is taken at its decimal value ({@code 0.9} is exactly nine tenths) and every
 * comparison is done in integers, so a load exactly at the target fits: 900 records per second at
 * {@code 0.9} is one shard, 1,000 at {@code 1.0} is one shard and 1,001 is two. A stream always has
 * at least one shard, so an idle load needs one. Shard counts are Java {@code int}s because the
 * Kinesis API carries them as 32-bit integers; a load that would need more than {@link
 * Integer#MAX_VALUE} shards is rejected with a {@link LogstreamException}, never saturated.
 *
 * <h2>The target and the seed's alarm</h2>
 *
 * The default target is {@link KinesisLimits#ALARM_UTILIZATION}: at most 90 % of either limit. The
 * seed's alarms fire when usage <em>reaches</em> 90 %, so a load that lands exactly on the default
 * target also sits exactly on the alarm; choose a lower target to keep headroom below it.
 *
 * <h2>KPL aggregation model</h2>
 *
 * With {@link Builder#kplAggregation()}, user records are packed into aggregated Kinesis records in
 * the KPL format: the 4-byte magic {@code F3 89 9A C2}, a protobuf {@code AggregatedRecord}, and
 * the 16-byte MD5 of the protobuf. The calculator converts the user load into what Kinesis
 * receives:
 *
 * <ul>
 *   <li>Every user record costs its bytes plus {@link Builder#perRecordOverheadBytes(int)} of
 *       protobuf framing (record tag and length, partition-key index field, data tag and length;
 *       default {@value #DEFAULT_PER_RECORD_OVERHEAD_BYTES}, an upper bound for records under 2 MiB
 *       whose key index is below 128).
 *   <li>Every aggregate costs {@link Builder#perAggregateOverheadBytes(int)} more (default {@value
 *       #DEFAULT_PER_AGGREGATE_OVERHEAD_BYTES}: magic and MD5, 20, plus one partition-key table
 *       entry, {@code 2 + k}, plus the outer partition key, {@code k}, for a {@code k = 36} byte
 *       UUID key; use {@code 22 + 2k} for another key length {@code k < 128}).
 *   <li>An aggregate holds as many average-sized user records as fit in {@link
 *       Builder#maxAggregateBytes(int)} (default {@value #DEFAULT_MAX_AGGREGATE_BYTES}, the KPL's
 *       {@code AggregationMaxSize}; at most {@link KinesisLimits#MAX_RECORD_BYTES}, the record
 *       limit), and no more than {@link Builder#maxRecordsPerAggregate(long)}. When fewer than two
 *       fit, records go out unaggregated, as the KPL sends a single record.
 *   <li>Aggregates per second are {@code ceil(userRecords / recordsPerAggregate)}.
 * </ul>
 *
 * <p>Approximations, all documented rather than hidden: user-record bytes are charged in full
 * although inside an aggregate a record carries a key index instead of its own partition key (safe
 * side); all user records are taken to have the average size and aggregates to be filled to the
 * cap, while a real producer fills them greedily and also flushes on a timer (the KPL's {@code
 * RecordMaxBufferedTime}), so at low rates it sends more, smaller aggregates than modelled. Full
 * aggregates make the records limit the binding one only when aggregates are smaller than about 1
 * KiB; check {@link ShardEstimate#kinesisLoad()} when that matters.
 *
 * <h2>Reads</h2>
 *
 * {@link #shardsForSharedRead(WriteLoad, int)} sizes for polling consumers that share {@link
 * KinesisLimits#SHARD_READ_BYTES_PER_SECOND} per shard: each of {@code K} consumers reads every
 * byte, so the shards must serve {@code K} times the stream's bytes. Enhanced fan-out consumers
 * each get {@link KinesisLimits#SHARD_ENHANCED_FAN_OUT_READ_BYTES_PER_SECOND} per shard of their
 * own, twice what a shard accepts for writes, so they never need more shards than {@link
 * #shardsForWrite(WriteLoad)} returns and have no method here.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ShardCalculator {

  /** The default target utilization: {@link KinesisLimits#ALARM_UTILIZATION}, {@value}. */
  public static final double DEFAULT_TARGET_UTILIZATION = KinesisLimits.ALARM_UTILIZATION;

  /** The default largest aggregate, the KPL's {@code AggregationMaxSize} default: {@value}. */
  public static final int DEFAULT_MAX_AGGREGATE_BYTES = 51_200;

  /**
   * The default most user records per aggregate, the KPL's {@code AggregationMaxCount}: {@value}.
   */
  public static final long DEFAULT_MAX_RECORDS_PER_AGGREGATE = 4_294_967_295L;

  /** The default protobuf framing per user record in an aggregate: {@value} bytes. */
  public static final int DEFAULT_PER_RECORD_OVERHEAD_BYTES = 10;

  /**
   * The default fixed cost of one aggregate: {@value} bytes (magic 4, MD5 16, a 36-byte UUID
   * partition key once in the key table with 2 bytes of framing and once as the outer key).
   */
  public static final int DEFAULT_PER_AGGREGATE_OVERHEAD_BYTES = 94;

  private static final int UNSET = -1;

  private final double targetUtilization;
  private final Exact.Ratio target;
  private final boolean aggregation;
  private final int maxAggregateBytes;
  private final long maxRecordsPerAggregate;
  private final int perRecordOverheadBytes;
  private final int perAggregateOverheadBytes;

  private ShardCalculator(Builder builder) {
    this.targetUtilization =
        Double.isNaN(builder.targetUtilization)
            ? DEFAULT_TARGET_UTILIZATION
            : builder.targetUtilization;
    this.target = Exact.Ratio.of(targetUtilization);
    this.aggregation = builder.aggregation;
    this.maxAggregateBytes =
        builder.maxAggregateBytes == UNSET
            ? DEFAULT_MAX_AGGREGATE_BYTES
            : builder.maxAggregateBytes;
    this.maxRecordsPerAggregate =
        builder.maxRecordsPerAggregate == UNSET
            ? DEFAULT_MAX_RECORDS_PER_AGGREGATE
            : builder.maxRecordsPerAggregate;
    this.perRecordOverheadBytes =
        builder.perRecordOverheadBytes == UNSET
            ? DEFAULT_PER_RECORD_OVERHEAD_BYTES
            : builder.perRecordOverheadBytes;
    this.perAggregateOverheadBytes =
        builder.perAggregateOverheadBytes == UNSET
            ? DEFAULT_PER_AGGREGATE_OVERHEAD_BYTES
            : builder.perAggregateOverheadBytes;
  }

  /**
   * Returns a builder with the defaults: target {@value #DEFAULT_TARGET_UTILIZATION}, no
   * aggregation.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the shards a write load needs so that neither the records nor the bytes per second of
   * what Kinesis receives use more than the target utilization.
   *
   * @param load the user records and bytes per second
   * @return the shard count, the count each dimension needs, the binding dimension and the load
   *     Kinesis receives
   * @throws NullPointerException if {@code load} is null
   * @throws LogstreamException if more than {@link Integer#MAX_VALUE} shards would be needed
   */
  public ShardEstimate shardsForWrite(WriteLoad load) {
    Demand demand = kinesisDemand(load);
    BigInteger forRecords =
        Exact.shardsNeeded(demand.records(), SHARD_WRITE_RECORDS_PER_SECOND, target);
    BigInteger forBytes = Exact.shardsNeeded(demand.bytes(), SHARD_WRITE_BYTES_PER_SECOND, target);
    int shards = toShardCount(forRecords.max(forBytes), load, "write");
    // shards <= Integer.MAX_VALUE and the demand fits in them, so the demand fits in a long
    WriteLoad kinesisLoad = demand.toWriteLoad(load);
    ThroughputDimension binding = new Utilization(kinesisLoad, shards).binding();
    return new ShardEstimate(
        shards, forRecords.intValueExact(), forBytes.intValueExact(), binding, kinesisLoad);
  }

  /**
   * Returns the shards that {@code consumers} shared-throughput (polling) consumers, each reading
   * the whole stream, need so that together they use at most the target utilization of {@link
   * KinesisLimits#SHARD_READ_BYTES_PER_SECOND}. The bytes are those Kinesis stores, so aggregation
   * framing counts. This is the read side only: provision the larger of this and {@link
   * #shardsForWrite(WriteLoad)}.
   *
   * @param load the user records and bytes per second written to the stream
   * @param consumers the consumers reading every record, {@code >= 1}
   * @return the shard count for reading, {@code >= 1}
   * @throws NullPointerException if {@code load} is null
   * @throws IllegalArgumentException if {@code consumers < 1}
   * @throws LogstreamException if more than {@link Integer#MAX_VALUE} shards would be needed
   */
  public int shardsForSharedRead(WriteLoad load, int consumers) {
    if (consumers < 1) {
      throw new IllegalArgumentException("consumers must be >= 1, got " + consumers);
    }
    BigInteger readBytes = kinesisDemand(load).bytes().multiply(BigInteger.valueOf(consumers));
    BigInteger shards = Exact.shardsNeeded(readBytes, SHARD_READ_BYTES_PER_SECOND, target);
    return toShardCount(shards, load, consumers + " shared-throughput consumers");
  }

  /**
   * Returns how much of the write capacity of {@code shards} shards the load uses, after
   * aggregation when this calculator aggregates.
   *
   * @param load the user records and bytes per second
   * @param shards the shard count, {@code >= 1}
   * @return the utilization per dimension
   * @throws NullPointerException if {@code load} is null
   * @throws IllegalArgumentException if {@code shards < 1}
   * @throws LogstreamException if the aggregated bytes per second exceed {@link Long#MAX_VALUE}
   */
  public Utilization utilization(WriteLoad load, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    return new Utilization(kinesisDemand(load).toWriteLoad(load), shards);
  }

  /**
   * Returns the target utilization.
   *
   * @return the target, in {@code (0, 1]}
   */
  public double targetUtilization() {
    return targetUtilization;
  }

  /**
   * Returns whether loads are converted with the KPL aggregation model.
   *
   * @return {@code true} if {@link Builder#kplAggregation()} was set
   */
  public boolean aggregates() {
    return aggregation;
  }

  @Override
  public String toString() {
    String base = "ShardCalculator{targetUtilization=" + targetUtilization;
    if (!aggregation) {
      return base + ", kplAggregation=off}";
    }
    return base
        + ", kplAggregation=on, maxAggregateBytes="
        + maxAggregateBytes
        + ", maxRecordsPerAggregate="
        + maxRecordsPerAggregate
        + ", perRecordOverheadBytes="
        + perRecordOverheadBytes
        + ", perAggregateOverheadBytes="
        + perAggregateOverheadBytes
        + "}";
  }

  /** Records and bytes per second as Kinesis receives them, unbounded. */
  private record Demand(BigInteger records, BigInteger bytes) {
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    WriteLoad toWriteLoad(WriteLoad userLoad) {
      if (bytes.compareTo(LONG_MAX) > 0) {
        throw new LogstreamException(
            "bytesPerSecond after KPL aggregation overhead exceeds "
                + Long.MAX_VALUE
                + " for "
                + userLoad);
      }
      return new WriteLoad(records.longValueExact(), bytes.longValueExact());
    }
  }

  private Demand kinesisDemand(WriteLoad load) {
    Objects.requireNonNull(load, "load");
    BigInteger records = BigInteger.valueOf(load.recordsPerSecond());
    BigInteger bytes = BigInteger.valueOf(load.bytesPerSecond());
    if (!aggregation || records.signum() == 0) {
      return new Demand(records, bytes);
    }
    long perAggregate = recordsPerAggregate(records, bytes);
    if (perAggregate < 2) {
      return new Demand(records, bytes);
    }
    BigInteger aggregates = Exact.ceilDiv(records, BigInteger.valueOf(perAggregate));
    BigInteger aggregatedBytes =
        bytes
            .add(records.multiply(BigInteger.valueOf(perRecordOverheadBytes)))
            .add(aggregates.multiply(BigInteger.valueOf(perAggregateOverheadBytes)));
    return new Demand(aggregates, aggregatedBytes);
  }

  /**
   * The most records of average size {@code bytes / records} that fit in one aggregate: {@code
   * floor((maxAggregateBytes - perAggregate) / (bytes / records + perRecord))}, capped at {@code
   * maxRecordsPerAggregate}.
   */
  private long recordsPerAggregate(BigInteger records, BigInteger bytes) {
    BigInteger room = BigInteger.valueOf(maxAggregateBytes - perAggregateOverheadBytes);
    BigInteger framedBytes =
        bytes.add(records.multiply(BigInteger.valueOf(perRecordOverheadBytes)));
    if (framedBytes.signum() == 0) {
      return maxRecordsPerAggregate; // empty records with no framing: only the count cap applies
    }
    BigInteger fit = room.multiply(records).divide(framedBytes);
    return fit.min(BigInteger.valueOf(maxRecordsPerAggregate)).longValueExact();
  }

  private int toShardCount(BigInteger shards, WriteLoad load, String purpose) {
    if (shards.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
      throw new LogstreamException(
          "shards needed for "
              + purpose
              + " of "
              + load
              + " at targetUtilization "
              + targetUtilization
              + " exceed "
              + Integer.MAX_VALUE
              + ", the largest shard count the Kinesis API carries");
    }
    return shards.intValueExact();
  }

  /**
   * Builds a {@link ShardCalculator}. Each option can be set once and is checked when set; the
   * aggregation options are checked together in {@link #build()}.
   */
  public static final class Builder {
    private double targetUtilization = Double.NaN;
    private boolean aggregation;
    private int maxAggregateBytes = UNSET;
    private long maxRecordsPerAggregate = UNSET;
    private int perRecordOverheadBytes = UNSET;
    private int perAggregateOverheadBytes = UNSET;

    private Builder() {}

    /**
     * Sets the highest fraction of either write limit (and of the read limit) a sized stream may
     * use. Default {@value ShardCalculator#DEFAULT_TARGET_UTILIZATION}, the seed's alarm threshold.
     *
     * @param targetUtilization a fraction in {@code (0, 1]}, taken at its decimal value
     * @return this builder
     * @throws IllegalArgumentException if the value is not in {@code (0, 1]} (NaN included)
     * @throws IllegalStateException if it was already set
     */
    public Builder targetUtilization(double targetUtilization) {
      if (!Double.isNaN(this.targetUtilization)) {
        throw new IllegalStateException(
            "targetUtilization was already set to " + this.targetUtilization);
      }
      if (!(targetUtilization > 0 && targetUtilization <= 1)) {
        throw new IllegalArgumentException(
            "targetUtilization must be in (0, 1], got " + targetUtilization);
      }
      this.targetUtilization = targetUtilization;
      return this;
    }

    /**
     * Converts loads with the KPL aggregation model described on {@link ShardCalculator}.
     *
     * @return this builder
     * @throws IllegalStateException if it was already set
     */
    public Builder kplAggregation() {
      if (aggregation) {
        throw new IllegalStateException("kplAggregation was already set");
      }
      aggregation = true;
      return this;
    }

    /**
     * Sets the largest aggregate, data plus outer partition key. Default {@value
     * ShardCalculator#DEFAULT_MAX_AGGREGATE_BYTES}. Requires {@link #kplAggregation()}.
     *
     * @param maxAggregateBytes bytes in {@code 1 ..} {@value KinesisLimits#MAX_RECORD_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if it was already set
     */
    public Builder maxAggregateBytes(int maxAggregateBytes) {
      if (this.maxAggregateBytes != UNSET) {
        throw new IllegalStateException(
            "maxAggregateBytes was already set to " + this.maxAggregateBytes);
      }
      if (maxAggregateBytes < 1 || maxAggregateBytes > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException(
            "maxAggregateBytes must be in 1.." + MAX_RECORD_BYTES + ", got " + maxAggregateBytes);
      }
      this.maxAggregateBytes = maxAggregateBytes;
      return this;
    }

    /**
     * Sets the most user records per aggregate. Default {@value
     * ShardCalculator#DEFAULT_MAX_RECORDS_PER_AGGREGATE}. Requires {@link #kplAggregation()}.
     *
     * @param maxRecordsPerAggregate a count {@code >= 1}; 1 turns aggregation into a no-op
     * @return this builder
     * @throws IllegalArgumentException if below 1
     * @throws IllegalStateException if it was already set
     */
    public Builder maxRecordsPerAggregate(long maxRecordsPerAggregate) {
      if (this.maxRecordsPerAggregate != UNSET) {
        throw new IllegalStateException(
            "maxRecordsPerAggregate was already set to " + this.maxRecordsPerAggregate);
      }
      if (maxRecordsPerAggregate < 1) {
        throw new IllegalArgumentException(
            "maxRecordsPerAggregate must be >= 1, got " + maxRecordsPerAggregate);
      }
      this.maxRecordsPerAggregate = maxRecordsPerAggregate;
      return this;
    }

    /**
     * Sets the protobuf framing bytes added per user record. Default {@value
     * ShardCalculator#DEFAULT_PER_RECORD_OVERHEAD_BYTES}. Requires {@link #kplAggregation()}.
     *
     * @param perRecordOverheadBytes bytes in {@code 0 ..} {@value KinesisLimits#MAX_RECORD_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if it was already set
     */
    public Builder perRecordOverheadBytes(int perRecordOverheadBytes) {
      if (this.perRecordOverheadBytes != UNSET) {
        throw new IllegalStateException(
            "perRecordOverheadBytes was already set to " + this.perRecordOverheadBytes);
      }
      if (perRecordOverheadBytes < 0 || perRecordOverheadBytes > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException(
            "perRecordOverheadBytes must be in 0.."
                + MAX_RECORD_BYTES
                + ", got "
                + perRecordOverheadBytes);
      }
      this.perRecordOverheadBytes = perRecordOverheadBytes;
      return this;
    }

    /**
     * Sets the fixed bytes added per aggregate (magic, MD5, key table, outer partition key).
     * Default {@value ShardCalculator#DEFAULT_PER_AGGREGATE_OVERHEAD_BYTES}. Requires {@link
     * #kplAggregation()}.
     *
     * @param perAggregateOverheadBytes bytes in {@code 0 ..} {@value
     *     KinesisLimits#MAX_RECORD_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if it was already set
     */
    public Builder perAggregateOverheadBytes(int perAggregateOverheadBytes) {
      if (this.perAggregateOverheadBytes != UNSET) {
        throw new IllegalStateException(
            "perAggregateOverheadBytes was already set to " + this.perAggregateOverheadBytes);
      }
      if (perAggregateOverheadBytes < 0 || perAggregateOverheadBytes > MAX_RECORD_BYTES) {
        throw new IllegalArgumentException(
            "perAggregateOverheadBytes must be in 0.."
                + MAX_RECORD_BYTES
                + ", got "
                + perAggregateOverheadBytes);
      }
      this.perAggregateOverheadBytes = perAggregateOverheadBytes;
      return this;
    }

    /**
     * Returns the calculator.
     *
     * @return a new immutable calculator
     * @throws IllegalStateException if an aggregation option is set without {@link
     *     #kplAggregation()}, or the per-aggregate overhead leaves no room in the largest aggregate
     */
    public ShardCalculator build() {
      if (!aggregation) {
        requireAggregation("maxAggregateBytes", maxAggregateBytes != UNSET);
        requireAggregation("maxRecordsPerAggregate", maxRecordsPerAggregate != UNSET);
        requireAggregation("perRecordOverheadBytes", perRecordOverheadBytes != UNSET);
        requireAggregation("perAggregateOverheadBytes", perAggregateOverheadBytes != UNSET);
      }
      ShardCalculator calculator = new ShardCalculator(this);
      if (calculator.aggregation
          && calculator.perAggregateOverheadBytes >= calculator.maxAggregateBytes) {
        throw new IllegalStateException(
            "perAggregateOverheadBytes ("
                + calculator.perAggregateOverheadBytes
                + ") must be less than maxAggregateBytes ("
                + calculator.maxAggregateBytes
                + ")");
      }
      return calculator;
    }

    private static void requireAggregation(String option, boolean set) {
      if (set) {
        throw new IllegalStateException(option + " requires kplAggregation()");
      }
    }
  }
}
