package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.KplAggregator.Aggregate;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Our aggregates read back by the KCL's own deaggregation ({@code AggregatorUtil}, KCL 3.1.0), as a
 * consumer would see them, including the shard hash-range check a multi-shard stream applies.
 */
class KclDeaggregationTest {

  private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

  private final AggregatorUtil kcl = new AggregatorUtil();

  /* --------------- round trip --------------- */

  @Property(tries = 200)
  void aggregate_randomPayloads_deaggregateToTheSamePayloadsInOrder(
      @ForAll("payloads") List<byte[]> payloads,
      @ForAll @IntRange(min = 64, max = 300_000) int maxAggregateBytes) {
    List<SinkRecord> records = records(payloads);
    KplAggregator aggregator = KplAggregator.builder().maxAggregateBytes(maxAggregateBytes).build();

    List<Aggregate> aggregates = aggregator.aggregate(records);
    List<KinesisClientRecord> userRecords = kcl.deaggregate(asKinesisRecords(aggregates));

    assertThat(userRecords).hasSize(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertThat(bytes(userRecords.get(i).data())).isEqualTo(payloads.get(i));
    }
    int next = 0;
    int user = 0;
    for (Aggregate aggregate : aggregates) {
      assertThat(aggregate.aggregated()).isEqualTo(aggregate.recordIndexes().length > 1);
      if (aggregate.aggregated()) {
        assertThat(aggregate.kinesisSize()).isLessThanOrEqualTo(maxAggregateBytes);
      }
      for (int index : aggregate.recordIndexes()) {
        assertThat(index).isEqualTo(next++);
        assertThat(aggregate.sequences()[index - aggregate.recordIndexes()[0]])
            .isEqualTo(records.get(index).sequence());
        KinesisClientRecord userRecord = userRecords.get(user++);
        assertThat(userRecord.partitionKey()).isEqualTo(aggregate.partitionKey());
        assertThat(userRecord.aggregated()).isEqualTo(aggregate.aggregated());
        assertThat(userRecord.explicitHashKey()).isNull();
      }
    }
  }

  @Property(tries = 100)
  void aggregate_perRecordKeys_everyUserRecordKeepsItsKey(
      @ForAll @Size(min = 1, max = 60) List<@StringLength(min = 1, max = 3) String> keys) {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      payloads.add(("record " + i).getBytes(StandardCharsets.UTF_8));
    }
    List<SinkRecord> records = records(payloads);

    List<Aggregate> aggregates = KplAggregator.withDefaults().aggregate(records, keys);

    for (Aggregate aggregate : aggregates) {
      List<KinesisClientRecord> userRecords = kcl.deaggregate(asKinesisRecords(List.of(aggregate)));
      assertThat(userRecords).hasSize(aggregate.recordIndexes().length);
      for (int i = 0; i < userRecords.size(); i++) {
        int index = aggregate.recordIndexes()[i];
        assertThat(userRecords.get(i).partitionKey()).isEqualTo(keys.get(index));
        assertThat(bytes(userRecords.get(i).data())).isEqualTo(payloads.get(index));
      }
    }
  }

  @Provide
  Arbitrary<List<byte[]>> payloads() {
    Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> large =
        Arbitraries.bytes().array(byte[].class).ofMinSize(16_000).ofMaxSize(70_000);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(20, small), net.jqwik.api.Tuple.of(1, large))
        .list()
        .ofMaxSize(200);
  }

  /* --------------- shard hash ranges --------------- */

  @Property(tries = 100)
  void deaggregate_onTheKeysShard_keepsEveryRecord_andOnAnotherShard_dropsTheAggregate(
      @ForAll @StringLength(min = 1, max = 40) String key,
      @ForAll @IntRange(min = 2, max = 8) int shards) {
    List<SinkRecord> records =
        records(List.of(new byte[] {1}, new byte[] {2, 2}, new byte[] {3, 3, 3}));
    Aggregate aggregate =
        KplAggregator.builder().aggregateKeys(() -> key).build().aggregate(records).get(0);
    int owner = shardOf(key, shards);

    List<KinesisClientRecord> onOwner =
        kcl.deaggregate(
            asKinesisRecords(List.of(aggregate)), start(owner, shards), end(owner, shards));
    int other = (owner + 1) % shards;
    List<KinesisClientRecord> onOther =
        kcl.deaggregate(
            asKinesisRecords(List.of(aggregate)), start(other, shards), end(other, shards));

    assertThat(onOwner).hasSize(3);
    assertThat(onOther).isEmpty();
  }

  @Test
  void deaggregate_fourShardStream_everyAggregateSurvivesOnTheShardItsKeyRoutesTo() {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      payloads.add(("line " + i).getBytes(StandardCharsets.UTF_8));
    }
    List<Aggregate> aggregates =
        KplAggregator.builder().maxAggregateBytes(1024).build().aggregate(records(payloads));
    int[] perShard = new int[4];

    List<byte[]> received = new ArrayList<>();
    for (Aggregate aggregate : aggregates) {
      int shard = shardOf(aggregate.partitionKey(), 4); // where Kinesis puts the record
      perShard[shard]++;
      for (KinesisClientRecord userRecord :
          kcl.deaggregate(asKinesisRecords(List.of(aggregate)), start(shard, 4), end(shard, 4))) {
        received.add(bytes(userRecord.data()));
      }
    }

    assertThat(received).containsExactlyElementsOf(payloads);
    assertThat(perShard).doesNotContain(0);
  }

  /**
   * The failure one key per aggregate avoids: an aggregate whose user records carry different keys
   * (as other aggregators write it) loses every record on the shard the outer key routes to, as
   * soon as one inner key hashes elsewhere.
   */
  @Test
  void deaggregate_mixedKeysAggregate_isDroppedWholeByTheKcl() throws Exception {
    String outer = "a";
    int owner = shardOf(outer, 4);
    String elsewhere = "b";
    for (int i = 0; shardOf(elsewhere, 4) == owner; i++) {
      elsewhere = "b" + i;
    }
    byte[] mixed = mixedKeyAggregate(outer, elsewhere);

    List<KinesisClientRecord> onOwner =
        kcl.deaggregate(
            List.of(
                KinesisClientRecord.builder()
                    .data(ByteBuffer.wrap(mixed))
                    .partitionKey(outer)
                    .sequenceNumber("1")
                    .build()),
            start(owner, 4),
            end(owner, 4));
    List<KinesisClientRecord> unchecked =
        kcl.deaggregate(
            List.of(
                KinesisClientRecord.builder()
                    .data(ByteBuffer.wrap(mixed))
                    .partitionKey(outer)
                    .sequenceNumber("1")
                    .build()));

    assertThat(unchecked).hasSize(2);
    assertThat(onOwner).isEmpty();
  }

  /* --------------- helpers --------------- */

  /** Hand-encoded aggregate of two records with keys table[0] and table[1]. */
  private static byte[] mixedKeyAggregate(String first, String second) throws Exception {
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    for (String key : List.of(first, second)) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      proto.write(0x0A);
      proto.write(bytes.length);
      proto.write(bytes);
    }
    for (int index = 0; index < 2; index++) {
      proto.write(new byte[] {0x1A, 0x05, 0x08, (byte) index, 0x1A, 0x01, (byte) index});
    }
    byte[] message = proto.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(KplFormat.MAGIC);
    out.write(message);
    out.write(MessageDigest.getInstance("MD5").digest(message));
    return out.toByteArray();
  }

  private static List<SinkRecord> records(List<byte[]> payloads) {
    List<SinkRecord> records = new ArrayList<>(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      records.add(new SinkRecord(1000 + i, payloads.get(i)));
    }
    return records;
  }

  private static List<KinesisClientRecord> asKinesisRecords(List<Aggregate> aggregates) {
    List<KinesisClientRecord> out = new ArrayList<>();
    for (int i = 0; i < aggregates.size(); i++) {
      out.add(
          KinesisClientRecord.builder()
              .data(ByteBuffer.wrap(aggregates.get(i).data()))
              .partitionKey(aggregates.get(i).partitionKey())
              .sequenceNumber(Integer.toString(i))
              .build());
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /** Kinesis's routing: MD5 of the key's UTF-8 bytes as an unsigned 128-bit integer. */
  private static BigInteger hashKey(String key) {
    try {
      return new BigInteger(
          1, MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Shards of an evenly split stream, as CreateStream lays them out. */
  private static BigInteger start(int shard, int shards) {
    return HASH_SPACE.multiply(BigInteger.valueOf(shard)).divide(BigInteger.valueOf(shards));
  }

  private static BigInteger end(int shard, int shards) {
    return start(shard + 1, shards).subtract(BigInteger.ONE);
  }

  private static int shardOf(String key, int shards) {
    BigInteger hash = hashKey(key);
    for (int shard = 0; shard < shards; shard++) {
      if (hash.compareTo(end(shard, shards)) <= 0) {
        return shard;
      }
    }
    throw new AssertionError("hash beyond 2^128: " + hash);
  }
}
