package dev.logstream.bench;

import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.KplAggregator;
import dev.logstream.kinesis.KplAggregator.Aggregate;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * KPL aggregation throughput: one operation packs {@value #BATCH_BYTES} bytes of payloads (plus
 * their framing) into 1 MiB aggregates, so <b>operations per second are MB/s of user payload</b>.
 *
 * <ul>
 *   <li>{@code kplAggregator}: {@link KplAggregator} with its defaults (1 MiB aggregates, a random
 *       UUID key per aggregate): sizes planned, each payload copied once into an exactly-sized
 *       array, MD5 over the protobuf message;
 *   <li>{@code copyAndMd5}: the floor for this format: the same payloads copied into one array and
 *       MD5 over it, no framing.
 * </ul>
 *
 * <p>Run: {@code ./logstream bench AggregationBenchmark}
 */
@State(Scope.Thread)
public class AggregationBenchmark extends BenchmarkSettings {

  /** User payload bytes per operation: 1 MB, so ops/s read as MB/s. */
  public static final int BATCH_BYTES = 1_000_000;

  /** Length of each payload in bytes: a short log line, a typical one. */
  @Param({"100", "1024"})
  public int payloadLength;

  private final KplAggregator aggregator = KplAggregator.withDefaults();
  private List<SinkRecord> records;
  private byte[] copyTarget;
  private MessageDigest md5;

  /**
   * Builds {@value #BATCH_BYTES} bytes of random payloads (the last one shorter if needed).
   *
   * @throws Exception if MD5 is missing
   */
  @Setup
  public void setUp() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    records = new ArrayList<>();
    for (int total = 0, sequence = 0; total < BATCH_BYTES; sequence++) {
      byte[] payload = new byte[Math.min(payloadLength, BATCH_BYTES - total)];
      for (int i = 0; i < payload.length; i++) {
        payload[i] = (byte) (' ' + random.nextInt(95));
      }
      records.add(new SinkRecord(sequence, payload));
      total += payload.length;
    }
    copyTarget = new byte[BATCH_BYTES];
    md5 = MessageDigest.getInstance("MD5");
  }

  /**
   * logstream's aggregator.
   *
   * @return the aggregates, so the work is not eliminated
   */
  @Benchmark
  public List<Aggregate> kplAggregator() {
    return aggregator.aggregate(records);
  }

  /**
   * The floor: copy every payload once and digest the copy.
   *
   * @return the digest
   */
  @Benchmark
  public byte[] copyAndMd5() {
    int at = 0;
    for (SinkRecord record : records) {
      byte[] payload = record.payload();
      System.arraycopy(payload, 0, copyTarget, at, payload.length);
      at += payload.length;
    }
    md5.update(copyTarget, 0, at);
    return md5.digest();
  }
}
