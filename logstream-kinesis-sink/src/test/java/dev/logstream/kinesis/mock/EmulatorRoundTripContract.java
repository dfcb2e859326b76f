package dev.logstream.kinesis.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.kinesis.mock.StreamReader.ReadRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * PutRecords to an emulator and GetRecords back, with the SDK alone: the endpoint the sink's tests
 * build on behaves like Kinesis for plain records on 1- and 4-shard streams. Each test uses its own
 * stream, so the order of tests does not matter.
 */
abstract class EmulatorRoundTripContract {

  /** The streams a subclass's emulator must create. */
  static final String[] STREAMS = {"ordered:1", "bytes:4", "spread:4", "protocol:1"};

  /** The emulator, registered as a static extension by the subclass. */
  abstract KinesisMockExtension kinesis();

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void putRecords_oneShardStream_readsBackByteExactPayloadsInOrder() throws Exception {
    KinesisAsyncClient client = kinesis().newClient();
    List<byte[]> payloads = payloads(new Random(1), 100);

    put(client, "ordered", payloads, i -> "key-" + i);

    List<ReadRecord> read = StreamReader.of(client, "ordered").readAtLeast(100, READ_TIMEOUT);
    assertThat(read).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(read.get(i).data()).as("record %d", i).isEqualTo(payloads.get(i));
      assertThat(read.get(i).partitionKey()).isEqualTo("key-" + i);
    }
  }

  @Test
  void putRecords_everyByteValue_survivesTheRoundTrip() throws Exception {
    KinesisAsyncClient client = kinesis().newClient();
    byte[] allBytes = new byte[256];
    for (int i = 0; i < 256; i++) {
      allBytes[i] = (byte) i;
    }
    byte[] large = new byte[512 * 1024];
    new Random(2).nextBytes(large);

    put(client, "bytes", List.of(allBytes, large), i -> "bytes");

    List<ReadRecord> read = StreamReader.of(client, "bytes").readAtLeast(2, READ_TIMEOUT);
    assertThat(read).extracting(ReadRecord::data).containsExactly(allBytes, large);
  }

  @Test
  void putRecords_randomPartitionKeys_spreadOverAllFourShardsByKeyHash() throws Exception {
    KinesisAsyncClient client = kinesis().newClient();
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      payloads.add(("record " + i).getBytes(StandardCharsets.UTF_8));
    }

    put(client, "spread", payloads, i -> UUID.randomUUID().toString());

    StreamReader reader = StreamReader.of(client, "spread");
    List<ReadRecord> read = reader.readAtLeast(200, READ_TIMEOUT);
    assertThat(read)
        .extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrderElementsOf(
            payloads.stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList());
    Map<String, Long> perShard =
        read.stream().collect(Collectors.groupingBy(ReadRecord::shardId, Collectors.counting()));
    assertThat(perShard.keySet())
        .containsExactlyInAnyOrderElementsOf(reader.shards().stream().map(Shard::shardId).toList());
    for (ReadRecord record : read) {
      assertThat(hashKey(record.partitionKey()))
          .as("MD5 of %s within %s", record.partitionKey(), record.shardId())
          .isBetween(
              new BigInteger(record.shard().hashKeyRange().startingHashKey()),
              new BigInteger(record.shard().hashKeyRange().endingHashKey()));
    }
  }

  @Test
  void sdkClient_speaksCborUnlessTheEmulatorNeedsJson() throws Exception {
    Map<String, String> contentTypes = new ConcurrentHashMap<>();
    ExecutionInterceptor recorder =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            contentTypes.put(
                context.request().getClass().getSimpleName(),
                context.httpRequest().firstMatchingHeader("Content-Type").orElse("none"));
          }
        };
    try (KinesisAsyncClient client =
        kinesis()
            .build(
                kinesis()
                    .clientBuilder()
                    .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))) {

      put(client, "protocol", List.of(new byte[] {1, 2, 3}), i -> "key");

      assertThat(contentTypes)
          .containsEntry(
              "PutRecordsRequest",
              kinesis().needsCborOff()
                  ? "application/x-amz-json-1.1"
                  : "application/x-amz-cbor-1.1");
      assertThat(StreamReader.of(client, "protocol").readAtLeast(1, READ_TIMEOUT))
          .extracting(ReadRecord::data)
          .containsExactly(new byte[] {1, 2, 3});
    }
  }

  private static void put(
      KinesisAsyncClient client, String stream, List<byte[]> payloads, IntFunction<String> key)
      throws Exception {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .data(SdkBytes.fromByteArrayUnsafe(payloads.get(i)))
              .partitionKey(key.apply(i))
              .build());
    }
    PutRecordsResponse response =
        client.putRecords(r -> r.streamName(stream).records(entries)).get(30, TimeUnit.SECONDS);
    assertThat(response.failedRecordCount()).isZero();
    assertThat(response.records()).hasSize(payloads.size());
  }

  private static List<byte[]> payloads(Random random, int count) {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] payload = new byte[1 + random.nextInt(2000)];
      random.nextBytes(payload);
      payloads.add(payload);
    }
    return payloads;
  }

  private static BigInteger hashKey(String partitionKey) throws Exception {
    return new BigInteger(
        1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }
}
