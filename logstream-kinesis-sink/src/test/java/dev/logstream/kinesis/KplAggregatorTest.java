package dev.logstream.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.SinkRecord;
import dev.logstream.kinesis.KplAggregator.Aggregate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KplAggregatorTest {

  private static final HexFormat HEX = HexFormat.of();

  private static SinkRecord record(long sequence, String payload) {
    return new SinkRecord(sequence, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static SinkRecord record(long sequence, int length) {
    byte[] payload = new byte[length];
    Arrays.fill(payload, (byte) ('a' + sequence % 26));
    return new SinkRecord(sequence, payload);
  }

  private static KplAggregator fixedKey(String key, int maxBytes) {
    return KplAggregator.builder().aggregateKeys(() -> key).maxAggregateBytes(maxBytes).build();
  }

  /* --------------- format --------------- */

  @Test
  void aggregate_twoSmallRecords_matchesHandEncodedBytes() {
    List<Aggregate> aggregates =
        KplAggregator.builder()
            .aggregateKeys(() -> "k")
            .build()
            .aggregate(List.of(record(7, "ab"), record(8, "c")));

    // magic | 0A 01 'k' | 1A 06 (08 00 1A 02 'a' 'b') | 1A 05 (08 00 1A 01 'c') | MD5 of the
    // 18 protobuf bytes 0A016B1A0608001A0261621A0508001A0163
    assertThat(aggregates).hasSize(1);
    Aggregate aggregate = aggregates.get(0);
    assertThat(HEX.formatHex(aggregate.data()))
        .isEqualTo(
            "f3899ac2"
                + "0a016b"
                + "1a0608001a026162"
                + "1a0508001a0163"
                + "380b66baa39791f15e9e63a803bece82");
    assertThat(aggregate.partitionKey()).isEqualTo("k");
    assertThat(aggregate.aggregated()).isTrue();
    assertThat(aggregate.recordIndexes()).containsExactly(0, 1);
    assertThat(aggregate.sequences()).containsExactly(7L, 8L);
    assertThat(aggregate.kinesisSize()).isEqualTo(38 + 1);
  }

  @Test
  void aggregate_singleRecord_isSentPlainWithoutCopy() {
    SinkRecord only = record(3, "hello");

    List<Aggregate> aggregates = fixedKey("k", 1024).aggregate(List.of(only));

    assertThat(aggregates).hasSize(1);
    assertThat(aggregates.get(0).data()).isSameAs(only.payload());
    assertThat(aggregates.get(0).aggregated()).isFalse();
    assertThat(aggregates.get(0).sequences()).containsExactly(3L);
    assertThat(aggregates.get(0).kinesisSize()).isEqualTo(5 + 1);
  }

  @Test
  void aggregate_noRecords_returnsNoAggregates() {
    assertThat(KplAggregator.withDefaults().aggregate(List.of())).isEmpty();
  }

  @Test
  void aggregate_payloadOf200Bytes_usesTwoByteVarints() {
    List<Aggregate> aggregates =
        fixedKey("k", 1024).aggregate(List.of(record(0, 200), record(1, 1)));

    byte[] data = aggregates.get(0).data();
    // record 0: 1A varint(205) = CD 01, 08 00, 1A varint(200) = C8 01, then 200 bytes
    assertThat(HEX.formatHex(data, 7, 15)).isEqualTo("1acd0108001ac801");
    assertThat(data.length).isEqualTo(4 + 3 + (1 + 2 + 205) + (1 + 1 + 5) + 16);
  }

  /* --------------- sizes --------------- */

  // Three 20-byte records under key "k": key entry 3, each record 1 + 1 + (2 + 1 + 1 + 20) = 26,
  // protobuf 3 + 78 = 81, data 4 + 81 + 16 = 101, and Kinesis counts data + key = 102.

  @Test
  void aggregate_exactlyFitting_isOneAggregate() {
    List<Aggregate> aggregates =
        fixedKey("k", 102).aggregate(List.of(record(0, 20), record(1, 20), record(2, 20)));

    assertThat(aggregates).hasSize(1);
    assertThat(aggregates.get(0).data()).hasSize(101);
    assertThat(aggregates.get(0).kinesisSize()).isEqualTo(102);
    assertThat(aggregates.get(0).recordIndexes()).containsExactly(0, 1, 2);
  }

  @Test
  void aggregate_oneByteOver_startsTheNextAggregate() {
    List<Aggregate> aggregates =
        fixedKey("k", 101).aggregate(List.of(record(0, 20), record(1, 20), record(2, 20)));

    assertThat(aggregates).hasSize(2);
    assertThat(aggregates.get(0).aggregated()).isTrue();
    assertThat(aggregates.get(0).kinesisSize()).isEqualTo(102 - 26);
    assertThat(aggregates.get(0).recordIndexes()).containsExactly(0, 1);
    assertThat(aggregates.get(1).aggregated()).isFalse();
    assertThat(aggregates.get(1).recordIndexes()).containsExactly(2);
  }

  @Test
  void aggregate_recordLargerThanAnAggregate_goesPlainOnItsOwn() {
    SinkRecord big = record(1, 500);

    List<Aggregate> aggregates =
        fixedKey("k", 100).aggregate(List.of(record(0, 10), big, record(2, 10)));

    assertThat(aggregates).extracting(Aggregate::aggregated).containsExactly(false, false, false);
    assertThat(aggregates.get(1).data()).isSameAs(big.payload());
  }

  @Test
  void aggregate_newAggregate_takesAFreshKeyFromTheSupplier() {
    AtomicInteger next = new AtomicInteger();
    KplAggregator aggregator =
        KplAggregator.builder()
            .aggregateKeys(() -> "key-" + next.getAndIncrement())
            .maxAggregateBytes(105)
            .build();

    List<Aggregate> aggregates =
        aggregator.aggregate(List.of(record(0, 20), record(1, 20), record(2, 20), record(3, 20)));

    assertThat(aggregates).extracting(Aggregate::partitionKey).containsExactly("key-0", "key-1");
    assertThat(aggregates).allSatisfy(a -> assertThat(a.kinesisSize()).isLessThanOrEqualTo(105));
  }

  @Test
  void aggregate_defaultKeys_areRandomUuids() {
    List<Aggregate> aggregates =
        KplAggregator.withDefaults().aggregate(List.of(record(0, 1), record(1, 1)));

    assertThat(aggregates.get(0).partitionKey())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  /* --------------- per-record keys --------------- */

  @Test
  void aggregate_perRecordKeys_groupsRecordsByKey() {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(record(100 + i, 5));
    }
    List<String> keys = Arrays.asList("a", "b", "a", null, null, "a");

    List<Aggregate> aggregates = fixedKey("z", 1024).aggregate(records, keys);

    assertThat(aggregates).extracting(Aggregate::partitionKey).containsExactly("a", "b", "z");
    assertThat(aggregates.get(0).recordIndexes()).containsExactly(0, 2, 5);
    assertThat(aggregates.get(0).sequences()).containsExactly(100L, 102L, 105L);
    assertThat(aggregates.get(1).aggregated()).isFalse();
    assertThat(aggregates.get(1).recordIndexes()).containsExactly(1);
    assertThat(aggregates.get(2).recordIndexes()).containsExactly(3, 4);
  }

  @Test
  void aggregate_keysOfAnotherLength_isRejected() {
    assertThatThrownBy(
            () -> KplAggregator.withDefaults().aggregate(List.of(record(0, 1)), List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitionKeys must have one key per record: 2 keys for 1 records");
  }

  @Test
  void aggregate_emptyKey_isRejected() {
    assertThatThrownBy(() -> fixedKey("", 1024).aggregate(List.of(record(0, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partition key must have 1 to 256 characters, got 0");
  }

  @Test
  void aggregate_keyOf257Characters_isRejected() {
    String key = "x".repeat(257);

    assertThatThrownBy(
            () -> KplAggregator.withDefaults().aggregate(List.of(record(0, 1)), List.of(key)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partition key must have 1 to 256 characters, got 257");
  }

  @Test
  void aggregate_keyOf256MultiByteCharacters_countsUtf8Bytes() {
    String key = "\u00e9".repeat(256); // 512 UTF-8 bytes

    Aggregate keyed =
        KplAggregator.withDefaults()
            .aggregate(List.of(record(0, 1), record(1, 1)), List.of(key, key))
            .get(0);
    // 4 + (1 + 2 + 512) + 2 * (1 + 1 + 5) + 16 data bytes, plus the key's 512 bytes
    assertThat(keyed.data()).hasSize(549);
    assertThat(keyed.kinesisSize()).isEqualTo(549 + 512);
  }

  @Test
  void aggregate_supplierReturningNull_isRejected() {
    KplAggregator aggregator = KplAggregator.builder().aggregateKeys(() -> null).build();

    assertThatThrownBy(() -> aggregator.aggregate(List.of(record(0, 1))))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("aggregate key");
  }

  /* --------------- builder --------------- */

  @Test
  void maxAggregateBytes_default_isOneMebibyte() {
    assertThat(KplAggregator.withDefaults().maxAggregateBytes()).isEqualTo(1_048_576);
  }

  @Test
  void maxAggregateBytes_bounds_areAccepted() {
    assertThat(KplAggregator.builder().maxAggregateBytes(64).build().maxAggregateBytes())
        .isEqualTo(64);
    assertThat(KplAggregator.builder().maxAggregateBytes(10_485_760).build().maxAggregateBytes())
        .isEqualTo(10_485_760);
  }

  @Test
  void maxAggregateBytes_belowMinimum_isRejected() {
    assertThatThrownBy(() -> KplAggregator.builder().maxAggregateBytes(63))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAggregateBytes must be in 64..10485760, got 63");
  }

  @Test
  void maxAggregateBytes_aboveMaximum_isRejected() {
    assertThatThrownBy(() -> KplAggregator.builder().maxAggregateBytes(10_485_761))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAggregateBytes must be in 64..10485760, got 10485761");
  }

  @Test
  void maxAggregateBytes_setTwice_isRejected() {
    KplAggregator.Builder builder = KplAggregator.builder().maxAggregateBytes(1000);

    assertThatThrownBy(() -> builder.maxAggregateBytes(2000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxAggregateBytes was already set to 1000");
  }

  @Test
  void aggregateKeys_setTwice_isRejected() {
    KplAggregator.Builder builder = KplAggregator.builder().aggregateKeys(() -> "a");

    assertThatThrownBy(() -> builder.aggregateKeys(() -> "b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("aggregateKeys was already set to ");
  }

  @Test
  void aggregateKeys_null_isRejected() {
    assertThatThrownBy(() -> KplAggregator.builder().aggregateKeys(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keys");
  }

  @Test
  void aggregate_toString_showsSizesNotContent() {
    Aggregate aggregate =
        fixedKey("k", 1024).aggregate(List.of(record(0, "secret"), record(1, "x"))).get(0);

    assertThat(aggregate.toString())
        .isEqualTo("Aggregate[partitionKey=k, data=42 bytes, records=2, aggregated=true]");
  }
}
