package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.buffer.DirectoryDeadLetterStore;
import dev.logstream.buffer.Dispatcher;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.RetryPolicy;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.mock.KinesisMockExtension;
import dev.logstream.kinesis.mock.StreamReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The sink as a user builds it (its own Netty client, HTTP/1.1, CBOR on) against kinesis-mock, the
 * emulator LocalStack uses: what it puts is read back byte for byte with GetRecords.
 */
class KinesisSinkOnKinesisMockTest {
  @RegisterExtension
  static final KinesisMockExtension KINESIS =
      KinesisMockExtension.withStreams("direct:4", "delivered:1", "aggregated:4");

  @TempDir Path dir;

  private static KinesisSink sink(String stream) {
    return KinesisSink.builder(stream)
        .endpointOverride(KINESIS.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }

  private static byte[] line(int i) {
    return ("{\"container_name\":\"/web\",\"source\":\"stdout\",\"log\":\"line "
            + i
            + " \\u00e9\\u4e2d\",\"time\":\"2026-11-25T12:00:00Z\",\"tag\":\"grid.a/b/c:d/e/f\"}")
        .getBytes(UTF_8);
  }

  @Test
  void send_batchOfRandomKeys_everyRecordReadBackAndEveryShardUsed() throws Exception {
    List<SinkRecord> batch = new ArrayList<>();
    Set<String> sent = new HashSet<>();
    for (int i = 1; i <= 300; i++) {
      batch.add(new SinkRecord(i, line(i)));
      sent.add(new String(line(i), UTF_8));
    }
    try (KinesisSink sink = sink("direct")) {
      List<RecordOutcome> outcomes =
          sink.send(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(outcomes).hasSize(300).allMatch(o -> o == RecordOutcome.delivered());
      assertThat(sink.metrics().recordsPut()).isEqualTo(300);
    }
    List<StreamReader.ReadRecord> read =
        StreamReader.of(KINESIS.newClient(), "direct").readAtLeast(300, Duration.ofSeconds(60));
    assertThat(read).hasSize(300);
    assertThat(read)
        .extracting(r -> new String(r.data(), UTF_8))
        .containsExactlyInAnyOrderElementsOf(sent);
    assertThat(read.stream().map(StreamReader.ReadRecord::shardId).distinct()).hasSize(4);
  }

  @Test
  void send_aggregated_kclDeaggregatesEveryRecordOnTheShardItLandedOn() throws Exception {
    List<SinkRecord> batch = new ArrayList<>();
    List<String> sent = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      batch.add(new SinkRecord(i, line(i)));
      sent.add(new String(line(i), UTF_8));
    }
    long entries;
    try (KinesisSink sink =
        KinesisSink.builder("aggregated")
            .endpointOverride(KINESIS.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .aggregation(KplAggregator.builder().maxAggregateBytes(2 << 10).build())
            .build()) {
      List<RecordOutcome> outcomes =
          sink.send(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(outcomes).hasSize(1000).allMatch(o -> o == RecordOutcome.delivered());
      entries = sink.metrics().kinesisRecordsPut();
    }
    // ~14 records of ~140 B per 2 KiB aggregate: ~70 aggregates, so every shard gets some
    assertThat(entries).isBetween(40L, 120L);

    List<StreamReader.ReadRecord> read =
        StreamReader.of(KINESIS.newClient(), "aggregated")
            .readAtLeast((int) entries, Duration.ofSeconds(60));
    AggregatorUtil kcl = new AggregatorUtil();
    List<String> received = new ArrayList<>();
    for (StreamReader.ReadRecord r : read) {
      // deaggregate as a KCL worker of that shard does: with the shard's hash key range
      List<KinesisClientRecord> users =
          kcl.deaggregate(
              List.of(
                  KinesisClientRecord.builder()
                      .data(ByteBuffer.wrap(r.data()))
                      .partitionKey(r.partitionKey())
                      .sequenceNumber(r.sequenceNumber())
                      .build()),
              new BigInteger(r.shard().hashKeyRange().startingHashKey()),
              new BigInteger(r.shard().hashKeyRange().endingHashKey()));
      assertThat(users).as("records of the aggregate on %s", r.shardId()).isNotEmpty();
      for (KinesisClientRecord user : users) {
        byte[] data = new byte[user.data().remaining()];
        user.data().get(data);
        received.add(new String(data, UTF_8));
      }
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(read.stream().map(StreamReader.ReadRecord::shardId).distinct()).hasSize(4);
  }

  @Test
  void dispatcher_bufferThroughSink_deliversEveryRecordExactlyOnce() throws Exception {
    int records = 200;
    try (SegmentBuffer buffer =
            SegmentBuffer.builder(dir.resolve("buffer"))
                .segmentSize(64 << 10)
                .durability(Durability.never())
                .open();
        DirectoryDeadLetterStore dead = DirectoryDeadLetterStore.open(dir.resolve("dead-letter"));
        KinesisSink sink = sink("delivered")) {
      for (int i = 1; i <= records; i++) {
        byte[] r = line(i);
        buffer.append(r, 0, r.length);
      }
      Dispatcher dispatcher =
          Dispatcher.builder(buffer, sink)
              .retryPolicy(RetryPolicy.builder().initialDelay(Duration.ofMillis(50)).build())
              .deadLetterStore(dead)
              .build();
      dispatcher.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> buffer.metrics().committedSequence() == records);
      dispatcher.close();
      assertThat(dispatcher.metrics().recordsDeadLettered()).isZero();
    }
    List<StreamReader.ReadRecord> read =
        StreamReader.of(KINESIS.newClient(), "delivered")
            .readAtLeast(records, Duration.ofSeconds(60));
    assertThat(read).hasSize(records);
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= records; i++) {
      expected.add(new String(line(i), UTF_8));
    }
    assertThat(read)
        .extracting(r -> new String(r.data(), UTF_8))
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}
