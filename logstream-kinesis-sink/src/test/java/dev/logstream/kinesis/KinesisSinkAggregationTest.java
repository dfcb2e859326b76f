package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The sink with KPL aggregation on, against the fault-injecting endpoint; what the endpoint
 * receives is read back with the KCL's own deaggregation.
 */
class KinesisSinkAggregationTest {
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  private static final String THROTTLED = "ProvisionedThroughputExceededException";

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private FaultyKinesisEndpoint endpoint() throws Exception {
    FaultyKinesisEndpoint endpoint = new FaultyKinesisEndpoint();
    closeables.add(endpoint);
    return endpoint;
  }

  private KinesisSink open(KinesisSink.Builder builder) {
    KinesisSink sink = builder.build();
    closeables.add(sink);
    return sink;
  }

  private static List<RecordOutcome> send(KinesisSink sink, List<SinkRecord> batch)
      throws Exception {
    return sink.send(batch).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static List<SinkRecord> tagged(String... tags) {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < tags.length; i++) {
      batch.add(
          new SinkRecord(
              i, ("{\"tag\":\"" + tags[i] + "\",\"log\":\"#" + i + "\"}").getBytes(UTF_8)));
    }
    return List.copyOf(batch);
  }

  /** The user records of entries as a KCL consumer reads them, in entry order. */
  static List<KinesisClientRecord> deaggregate(List<FaultyKinesisEndpoint.Entry> entries) {
    List<KinesisClientRecord> records = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      records.add(
          KinesisClientRecord.builder()
              .data(ByteBuffer.wrap(entries.get(i).data()))
              .partitionKey(entries.get(i).partitionKey())
              .sequenceNumber(Integer.toString(i))
              .build());
    }
    return new AggregatorUtil().deaggregate(records);
  }

  static String text(KinesisClientRecord record) {
    ByteBuffer data = record.data().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, UTF_8);
  }

  private static List<String> payloads(List<SinkRecord> batch) {
    return batch.stream().map(r -> new String(r.payload(), UTF_8)).toList();
  }

  /* --------------- builder --------------- */

  @Test
  void builder_aggregationSetTwice_throwsNamingTheFirstValue() {
    KinesisSink.Builder builder =
        KinesisSink.builder("logs").aggregation(KplAggregator.withDefaults());

    assertThatThrownBy(() -> builder.aggregation(KplAggregator.withDefaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("aggregation was already set to KplAggregator[maxAggregateBytes=1048576]");
    assertThatThrownBy(() -> KinesisSink.builder("logs").aggregation(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("aggregation");
  }

  @Test
  void build_aggregatesLargerThanMaxRecordBytes_throwsNamingBothValues() {
    KinesisSink.Builder builder =
        KinesisSink.builder("logs")
            .region(Region.US_EAST_1)
            .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS)
            .maxRecordBytes(1000)
            .aggregation(KplAggregator.builder().maxAggregateBytes(1001).build());

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("aggregation maxAggregateBytes (1001) must not exceed maxRecordBytes (1000)");
  }

  @Test
  void build_aggregatesOfExactlyMaxRecordBytes_builds() {
    open(
        KinesisSink.builder("logs")
            .region(Region.US_EAST_1)
            .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS)
            .maxRecordBytes(1000)
            .aggregation(KplAggregator.builder().maxAggregateBytes(1000).build()));
  }

  /* --------------- round trip --------------- */

  @Test
  void send_randomKeys_sendsOneAggregateThatDeaggregatesToTheBatchInOrder() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .aggregation(KplAggregator.withDefaults()));
    List<SinkRecord> batch = KinesisSinkEndpointTest.records(50);

    assertThat(send(sink, batch)).hasSize(50).containsOnly(RecordOutcome.delivered());

    assertThat(endpoint.requests).hasSize(1);
    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).partitionKey()).matches(UUID_PATTERN);
    List<KinesisClientRecord> users = deaggregate(entries);
    assertThat(users).extracting(KinesisSinkAggregationTest::text).isEqualTo(payloads(batch));
    assertThat(users).allSatisfy(u -> assertThat(u.aggregated()).isTrue());
    assertThat(users)
        .extracting(KinesisClientRecord::partitionKey)
        .containsOnly(entries.get(0).partitionKey());
    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.recordsPut()).isEqualTo(50);
    assertThat(m.kinesisRecordsPut()).isEqualTo(1);
    assertThat(m.bytesPut()).isEqualTo(entries.get(0).data().length + 36);
  }

  @Test
  void send_manyAggregatesOverSeveralRequests_freshKeyPerAggregateAndBatchOrderKept()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRequestsInFlight(1)
                .maxRecordsPerRequest(3)
                .aggregation(KplAggregator.builder().maxAggregateBytes(200).build()));
    List<SinkRecord> batch = KinesisSinkEndpointTest.records(60);

    assertThat(send(sink, batch)).hasSize(60).containsOnly(RecordOutcome.delivered());

    List<FaultyKinesisEndpoint.Entry> entries = new ArrayList<>();
    endpoint.requests.forEach(r -> entries.addAll(r.entries()));
    assertThat(endpoint.requests).allSatisfy(r -> assertThat(r.entries()).hasSizeBetween(1, 3));
    assertThat(entries).hasSizeGreaterThan(3);
    assertThat(entries).allSatisfy(e -> assertThat(e.data().length + 36).isLessThanOrEqualTo(200));
    assertThat(entries)
        .extracting(FaultyKinesisEndpoint.Entry::partitionKey)
        .doesNotHaveDuplicates()
        .allSatisfy(k -> assertThat(k).matches(UUID_PATTERN));
    assertThat(deaggregate(entries))
        .extracting(KinesisSinkAggregationTest::text)
        .isEqualTo(payloads(batch));
    assertThat(sink.metrics().kinesisRecordsPut()).isEqualTo(entries.size());
    assertThat(sink.metrics().requests()).isEqualTo(endpoint.requests.size());
  }

  @Test
  void send_tagKeys_recordsWithEqualKeysShareAnAggregateUnderThatKey() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .partitionKeys(PartitionKeyStrategy.tag())
                .aggregation(KplAggregator.withDefaults()));
    List<SinkRecord> batch = tagged("web", "db", "web", "db", "web", "cron");

    assertThat(send(sink, batch)).hasSize(6).containsOnly(RecordOutcome.delivered());

    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries)
        .extracting(FaultyKinesisEndpoint.Entry::partitionKey)
        .containsExactly("web", "db", "cron");
    List<KinesisClientRecord> users = deaggregate(entries);
    assertThat(users)
        .extracting(u -> u.partitionKey() + " " + text(u))
        .containsExactly(
            "web {\"tag\":\"web\",\"log\":\"#0\"}",
            "web {\"tag\":\"web\",\"log\":\"#2\"}",
            "web {\"tag\":\"web\",\"log\":\"#4\"}",
            "db {\"tag\":\"db\",\"log\":\"#1\"}",
            "db {\"tag\":\"db\",\"log\":\"#3\"}",
            "cron {\"tag\":\"cron\",\"log\":\"#5\"}");
    // a single record is put plain, as the KPL does
    assertThat(entries.get(2).data()).isEqualTo(batch.get(5).payload());
    assertThat(sink.metrics().recordsPut()).isEqualTo(6);
    assertThat(sink.metrics().kinesisRecordsPut()).isEqualTo(3);
  }

  @Test
  void send_tagKeysAndRecordsWithoutATag_untaggedRecordsShareAnAggregateUnderARandomKey()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .partitionKeys(PartitionKeyStrategy.tag())
                .aggregation(KplAggregator.withDefaults()));
    List<SinkRecord> batch =
        List.of(
            new SinkRecord(0, "{\"log\":\"a\"}".getBytes(UTF_8)),
            new SinkRecord(1, "{\"tag\":\"web\",\"log\":\"b\"}".getBytes(UTF_8)),
            new SinkRecord(2, "not json".getBytes(UTF_8)),
            new SinkRecord(3, "{\"tag\":\"web\",\"log\":\"c\"}".getBytes(UTF_8)));

    assertThat(send(sink, batch)).hasSize(4).containsOnly(RecordOutcome.delivered());

    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).partitionKey()).matches(UUID_PATTERN);
    assertThat(entries.get(1).partitionKey()).isEqualTo("web");
    assertThat(deaggregate(entries))
        .extracting(u -> text(u))
        .containsExactly(
            "{\"log\":\"a\"}",
            "not json",
            "{\"tag\":\"web\",\"log\":\"b\"}",
            "{\"tag\":\"web\",\"log\":\"c\"}");
  }

  /* --------------- outcomes --------------- */

  @Test
  void send_throttledAggregateEntry_answersEveryRecordInItRetryableAndTheOthersDelivered()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(endpoint.perRecord((i, e) -> i == 0 ? THROTTLED : null));
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .partitionKeys(PartitionKeyStrategy.tag())
                .aggregation(KplAggregator.withDefaults()));

    List<RecordOutcome> outcomes = send(sink, tagged("web", "db", "web", "db", "web"));

    RecordOutcome throttled =
        RecordOutcome.retryable(RetryReason.THROTTLED, THROTTLED + ": Rate exceeded for shard");
    assertThat(outcomes)
        .containsExactly(
            throttled, RecordOutcome.delivered(), throttled, RecordOutcome.delivered(), throttled);
    assertThat(deaggregate(endpoint.accepted))
        .extracting(KinesisSinkAggregationTest::text)
        .containsExactly("{\"tag\":\"db\",\"log\":\"#1\"}", "{\"tag\":\"db\",\"log\":\"#3\"}");
    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.recordsPut()).isEqualTo(2);
    assertThat(m.kinesisRecordsPut()).isEqualTo(1);
    assertThat(m.recordsRetried()).isEqualTo(3);
    assertThat(m.failuresByErrorCode()).isEqualTo(Map.of(THROTTLED, 3L));
  }

  @Test
  void send_wholeRequestFailure_answersEveryRecordOfEveryAggregate() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(FaultyKinesisEndpoint.error(503, "ServiceUnavailable", "try later"));
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .partitionKeys(PartitionKeyStrategy.tag())
                .aggregation(KplAggregator.withDefaults()));

    List<RecordOutcome> outcomes = send(sink, tagged("web", "db", "web"));

    assertThat(outcomes)
        .hasSize(3)
        .allSatisfy(
            o ->
                assertThat(o)
                    .isEqualTo(
                        RecordOutcome.retryable(
                            RetryReason.INTERNAL_FAILURE, "ServiceUnavailable: try later")));
    assertThat(sink.metrics().failuresByErrorCode()).isEqualTo(Map.of("ServiceUnavailable", 3L));
  }

  /* --------------- boundaries --------------- */

  // With key "k" (1 byte) and payloads under 124 bytes, two records aggregate to
  // 4 (magic) + 3 (key entry) + (a + 6) + (b + 6) + 16 (MD5) = a + b + 35 data bytes, so
  // a + b + 36 bytes as Kinesis counts them.

  @Test
  void send_aggregateExactlyAtTheLimit_sendsOneAggregatedEntry() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordBytes(100)
                .maxRequestBytes(1000)
                .partitionKeys(PartitionKeyStrategy.fixed("k"))
                .aggregation(KplAggregator.builder().maxAggregateBytes(100).build()));
    List<SinkRecord> batch = KinesisSinkEndpointTest.sized(32, 32);

    assertThat(send(sink, batch)).containsOnly(RecordOutcome.delivered());

    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).data()).hasSize(99);
    assertThat(deaggregate(entries))
        .extracting(KinesisSinkAggregationTest::text)
        .isEqualTo(payloads(batch));
    assertThat(sink.metrics().bytesPut()).isEqualTo(100);
  }

  @Test
  void send_aggregateOneByteOverTheLimit_sendsTwoPlainEntries() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordBytes(100)
                .maxRequestBytes(1000)
                .partitionKeys(PartitionKeyStrategy.fixed("k"))
                .aggregation(KplAggregator.builder().maxAggregateBytes(100).build()));
    List<SinkRecord> batch = KinesisSinkEndpointTest.sized(32, 33);

    assertThat(send(sink, batch)).containsOnly(RecordOutcome.delivered());

    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries).extracting(e -> e.data().length).containsExactly(32, 33);
    assertThat(entries.get(0).data()).isEqualTo(batch.get(0).payload());
    assertThat(entries.get(1).data()).isEqualTo(batch.get(1).payload());
    assertThat(sink.metrics().kinesisRecordsPut()).isEqualTo(2);
    assertThat(sink.metrics().bytesPut()).isEqualTo(32 + 33 + 2);
  }

  @Test
  void send_recordAtAndOverTheRecordLimit_sendsTheOnePlainAndAnswersTheOtherTooLarge()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordBytes(100)
                .maxRequestBytes(1000)
                .partitionKeys(PartitionKeyStrategy.fixed("k"))
                .aggregation(KplAggregator.builder().maxAggregateBytes(100).build()));
    List<SinkRecord> batch = KinesisSinkEndpointTest.sized(5, 100, 99, 6);

    List<RecordOutcome> outcomes = send(sink, batch);

    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.delivered(),
            RecordOutcome.fatal(FatalReason.TOO_LARGE, "too large: 101 bytes > 100"),
            RecordOutcome.delivered(),
            RecordOutcome.delivered());
    List<FaultyKinesisEndpoint.Entry> entries = endpoint.requests.get(0).entries();
    assertThat(entries).noneMatch(e -> e.data().length + 1 > 100);
    assertThat(deaggregate(entries))
        .extracting(KinesisSinkAggregationTest::text)
        .containsExactly(text(batch.get(0)), text(batch.get(2)), text(batch.get(3)));
    assertThat(sink.metrics().fatalRecords()).isEqualTo(Map.of(FatalReason.TOO_LARGE, 1L));
  }

  @Test
  void send_randomKeyRecordOverTheLimitWithItsKey_isTooLargeAndNeverSent() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordBytes(100)
                .maxRequestBytes(1000)
                .aggregation(KplAggregator.builder().maxAggregateBytes(100).build()));

    List<RecordOutcome> outcomes = send(sink, KinesisSinkEndpointTest.sized(65, 64));

    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.fatal(FatalReason.TOO_LARGE, "too large: 101 bytes > 100"),
            RecordOutcome.delivered());
    assertThat(endpoint.requests.get(0).entries())
        .extracting(e -> e.data().length)
        .containsExactly(64);
  }

  private static String text(SinkRecord record) {
    return new String(record.payload(), UTF_8);
  }
}
