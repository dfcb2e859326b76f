package dev.logstream.kinesis.mock;

import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads every record of a stream, all shards, from the start ({@code TRIM_HORIZON}) with {@code
 * GetShardIterator} + {@code GetRecords}, until a number of records arrived or a timeout passed.
 * For tests against an emulator with small volumes; not a consumer (no checkpoints, no resharding).
 */
public final class StreamReader {

  // kinesis-mock on a busy machine can take more than 10 s to answer a GetRecords of 10,000
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private final KinesisAsyncClient client;
  private final String stream;

  private StreamReader(KinesisAsyncClient client, String stream) {
    this.client = client;
    this.stream = stream;
  }

  /** A reader of {@code stream} through {@code client}. */
  public static StreamReader of(KinesisAsyncClient client, String stream) {
    return new StreamReader(client, stream);
  }

  /**
   * One record as read back.
   *
   * @param shardId the shard it was read from
   * @param shard the shard's description (hash key range)
   * @param sequenceNumber its sequence number
   * @param partitionKey its partition key
   * @param data its data blob
   * @param arrival when Kinesis accepted it ({@code ApproximateArrivalTimestamp})
   */
  public record ReadRecord(
      String shardId,
      Shard shard,
      String sequenceNumber,
      String partitionKey,
      byte[] data,
      java.time.Instant arrival) {}

  /** The stream's shards, in {@code ListShards} order. */
  public List<Shard> shards() {
    return call(client.listShards(r -> r.streamName(stream))).shards();
  }

  /**
   * Reads until at least {@code expected} records arrived.
   *
   * @return every record read, by shard (in {@link #shards()} order), then by sequence number
   * @throws AssertionError naming how many records arrived when the timeout passes first
   */
  public List<ReadRecord> readAtLeast(int expected, Duration timeout) {
    Map<String, Shard> shards = new LinkedHashMap<>();
    Map<String, String> iterators = new LinkedHashMap<>();
    openIterators(shards, iterators);
    List<ReadRecord> read = new ArrayList<>();
    try {
      await("reading " + expected + " records from " + stream)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                pollOnce(shards, iterators, read);
                return read.size() >= expected;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "read " + read.size() + " of " + expected + " records from " + stream + " in " + timeout,
          e);
    }
    List<String> order = new ArrayList<>(shards.keySet());
    read.sort(
        Comparator.comparingInt((ReadRecord r) -> order.indexOf(r.shardId()))
            .thenComparing(r -> new BigInteger(r.sequenceNumber())));
    return read;
  }

  /**
   * Starts reading every shard from its oldest record, for a caller that polls as it goes (the
   * demo's progress).
   *
   * @return a tail whose {@link Tail#poll()} returns the records that arrived since the last poll
   */
  public Tail tail() {
    return new Tail();
  }

  /** Reads a stream incrementally; not thread-safe. */
  public final class Tail {
    private final Map<String, Shard> shards = new LinkedHashMap<>();
    private final Map<String, String> iterators = new LinkedHashMap<>();

    private Tail() {
      openIterators(shards, iterators);
    }

    /**
     * Reads what arrived since the last call.
     *
     * @return the new records, shard by shard
     */
    public List<ReadRecord> poll() {
      List<ReadRecord> read = new ArrayList<>();
      pollOnce(shards, iterators, read);
      return read;
    }
  }

  private void openIterators(Map<String, Shard> shards, Map<String, String> iterators) {
    for (Shard shard : shards()) {
      shards.put(shard.shardId(), shard);
      iterators.put(
          shard.shardId(),
          call(client.getShardIterator(
                  r ->
                      r.streamName(stream)
                          .shardId(shard.shardId())
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
              .shardIterator());
    }
  }

  private void pollOnce(
      Map<String, Shard> shards, Map<String, String> iterators, List<ReadRecord> read) {
    for (Map.Entry<String, String> entry : iterators.entrySet()) {
      String iterator = entry.getValue();
      // drain the shard: GetRecords returns at most 10,000 records or 10 MiB per call
      while (iterator != null) {
        String current = iterator;
        GetRecordsResponse response =
            call(client.getRecords(r -> r.shardIterator(current).limit(10_000)));
        for (Record record : response.records()) {
          read.add(
              new ReadRecord(
                  entry.getKey(),
                  shards.get(entry.getKey()),
                  record.sequenceNumber(),
                  record.partitionKey(),
                  record.data().asByteArray(),
                  record.approximateArrivalTimestamp()));
        }
        iterator = response.nextShardIterator();
        if (response.records().isEmpty()) {
          break;
        }
      }
      entry.setValue(iterator);
    }
  }

  private static <T> T call(CompletableFuture<T> future) {
    try {
      return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kinesis call failed: " + e, e);
    }
  }
}
