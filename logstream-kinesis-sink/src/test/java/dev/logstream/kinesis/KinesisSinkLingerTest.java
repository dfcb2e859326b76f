package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/** {@link KinesisSink.Builder#linger(Duration)}: combining batches, on a fake clock. */
class KinesisSinkLingerTest {
  private static final RecordOutcome THROTTLED =
      RecordOutcome.retryable(
          RetryReason.THROTTLED, "ProvisionedThroughputExceededException: Rate exceeded for shard");
  private static final RecordOutcome CLOSED =
      RecordOutcome.retryable(RetryReason.NETWORK, "sink closed");

  private final FakeLingerScheduler clock = new FakeLingerScheduler();
  private FaultyKinesisEndpoint endpoint;
  private KinesisSink sink;

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private KinesisSink.Builder lingering(Duration linger) throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    return KinesisEndpointSinks.sinkTo(endpoint, "logs").linger(linger).lingerScheduler(clock);
  }

  /** Records whose payloads name them: {@code "<prefix><i>"}. */
  static List<SinkRecord> named(String prefix, int n) {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new SinkRecord(i, (prefix + i).getBytes(UTF_8)));
    }
    return List.copyOf(batch);
  }

  static List<RecordOutcome> get(CompletionStage<List<RecordOutcome>> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static List<String> payloads(FaultyKinesisEndpoint.Received request) {
    return request.entries().stream().map(e -> new String(e.data(), UTF_8)).toList();
  }

  @Test
  void send_twoBatchesWithinLinger_shareOneRequest() throws Exception {
    sink = lingering(Duration.ofMillis(100)).build();

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 3));
    clock.advance(Duration.ofMillis(50));
    CompletionStage<List<RecordOutcome>> b = sink.send(named("b", 2));
    assertThat(endpoint.requests).isEmpty();
    assertThat(a.toCompletableFuture()).isNotDone();

    // the timer runs from the first record: 100 ms after batch a, not after batch b
    clock.advance(Duration.ofMillis(50));

    assertThat(get(a)).containsExactly(delivered(3));
    assertThat(get(b)).containsExactly(delivered(2));
    assertThat(endpoint.requests).hasSize(1);
    assertThat(payloads(endpoint.requests.get(0))).containsExactly("a0", "a1", "a2", "b0", "b1");
    assertThat(sink.metrics().requests()).isEqualTo(1);
    assertThat(sink.metrics().recordsPut()).isEqualTo(5);
  }

  @Test
  void send_batchFillingARequest_isSentWithoutWaiting() throws Exception {
    sink = lingering(Duration.ofMinutes(1)).maxRecordsPerRequest(5).build();

    assertThat(get(sink.send(named("a", 5)))).containsExactly(delivered(5));

    assertThat(endpoint.requests).hasSize(1);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void send_recordsReachingTheRecordLimit_sendTheFullRequestAndLingerTheRest() throws Exception {
    sink = lingering(Duration.ofMinutes(1)).maxRecordsPerRequest(5).build();

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 2));
    CompletionStage<List<RecordOutcome>> b = sink.send(named("b", 4));

    assertThat(get(a)).containsExactly(delivered(2));
    assertThat(endpoint.requests).hasSize(1);
    assertThat(payloads(endpoint.requests.get(0))).containsExactly("a0", "a1", "b0", "b1", "b2");
    assertThat(b.toCompletableFuture()).isNotDone();

    clock.advance(Duration.ofMinutes(1));

    assertThat(get(b)).containsExactly(delivered(4));
    assertThat(endpoint.requests).hasSize(2);
    assertThat(payloads(endpoint.requests.get(1))).containsExactly("b3");
  }

  @Test
  void send_nextRecordWouldExceedTheByteLimit_sendsWhatItHasFirst() throws Exception {
    sink =
        lingering(Duration.ofSeconds(1))
            .maxRequestBytes(100)
            .maxRecordBytes(100)
            .partitionKeys(PartitionKeyStrategy.fixed("k"))
            .build();

    CompletionStage<List<RecordOutcome>> a = sink.send(KinesisSinkEndpointTest.sized(40, 40));
    CompletionStage<List<RecordOutcome>> b = sink.send(KinesisSinkEndpointTest.sized(40));

    // 80 + 40 payload bytes > 100: the first two go at once, the third lingers
    assertThat(get(a)).containsExactly(delivered(2));
    assertThat(endpoint.requests).hasSize(1);
    assertThat(endpoint.requests.get(0).entries()).hasSize(2);
    assertThat(b.toCompletableFuture()).isNotDone();

    clock.advance(Duration.ofSeconds(1));

    assertThat(get(b)).containsExactly(delivered(1));
    assertThat(endpoint.requests).hasSize(2);
  }

  @Test
  void send_timerExpires_sendsAPartialRequest() throws Exception {
    sink = lingering(Duration.ofMillis(100)).build();

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 3));
    clock.advance(Duration.ofMillis(99));
    assertThat(endpoint.requests).isEmpty();
    clock.advance(Duration.ofMillis(1));

    assertThat(get(a)).containsExactly(delivered(3));
    assertThat(endpoint.requests).hasSize(1);
    assertThat(payloads(endpoint.requests.get(0))).containsExactly("a0", "a1", "a2");
  }

  @Test
  void send_perRecordThrottlingAcrossTwoBatchesInOneRequest_answersEachBatchByItsOwnIndex()
      throws Exception {
    sink = lingering(Duration.ofMillis(100)).build();
    endpoint.then(
        endpoint.perRecord(
            (i, e) -> i == 1 || i == 4 ? "ProvisionedThroughputExceededException" : null));

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 3));
    CompletionStage<List<RecordOutcome>> b = sink.send(named("b", 3));
    clock.advance(Duration.ofMillis(100));

    assertThat(get(a))
        .containsExactly(RecordOutcome.delivered(), THROTTLED, RecordOutcome.delivered());
    assertThat(get(b))
        .containsExactly(RecordOutcome.delivered(), THROTTLED, RecordOutcome.delivered());
    assertThat(endpoint.requests).hasSize(1);
    assertThat(endpoint.accepted)
        .extracting(e -> new String(e.data(), UTF_8))
        .containsExactly("a0", "a2", "b0", "b2");
    assertThat(sink.metrics().recordsRetried()).isEqualTo(2);
  }

  @Test
  void send_tooLargeRecordInACombinedBatch_isFatalInItsOwnBatch() throws Exception {
    sink = lingering(Duration.ofMillis(100)).maxRecordBytes(100).build();

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 1));
    CompletionStage<List<RecordOutcome>> b = sink.send(KinesisSinkEndpointTest.sized(10, 200));
    clock.advance(Duration.ofMillis(100));

    assertThat(get(a)).containsExactly(RecordOutcome.delivered());
    assertThat(get(b))
        .extracting(Object::toString)
        .containsExactly("Delivered", "Fatal[reason=TOO_LARGE, detail=too large: 236 bytes > 100]");
    assertThat(endpoint.requests).hasSize(1);
    assertThat(endpoint.requests.get(0).entries()).hasSize(2);
  }

  @Test
  void close_withLingeringRecords_answersThemSinkClosedAndStopsTheTimer() throws Exception {
    sink = lingering(Duration.ofMillis(100)).build();

    CompletionStage<List<RecordOutcome>> a = sink.send(named("a", 2));
    CompletionStage<List<RecordOutcome>> b = sink.send(named("b", 1));
    sink.close();

    assertThat(get(a)).containsExactly(CLOSED, CLOSED);
    assertThat(get(b)).containsExactly(CLOSED);
    assertThat(clock.shutdown).isTrue();
    clock.advance(Duration.ofMillis(100));
    assertThat(endpoint.requests).isEmpty();
    assertThat(sink.metrics().failuresByErrorCode()).isEqualTo(Map.of("SinkClosed", 3L));
    assertThat(sink.metrics().recordsRetried()).isEqualTo(3);
    assertThat(get(sink.send(named("c", 1)))).containsExactly(CLOSED);
  }

  @Test
  void send_lingerZero_keepsOneRequestPerBatchAndStartsNoThread() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").linger(Duration.ZERO).build();

    CompletableFuture<List<RecordOutcome>> a = sink.send(named("a", 3)).toCompletableFuture();
    CompletableFuture<List<RecordOutcome>> b = sink.send(named("b", 2)).toCompletableFuture();

    assertThat(get(a)).containsExactly(delivered(3));
    assertThat(get(b)).containsExactly(delivered(2));
    assertThat(endpoint.requests).hasSize(2);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("kinesis-sink-linger-"));
  }

  @Test
  void build_lingerAboveZero_startsOneDaemonThreadThatCloseStops() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    sink =
        KinesisEndpointSinks.sinkTo(endpoint, "linger-thread").linger(Duration.ofMillis(5)).build();

    // the real timer sends a partial request
    assertThat(get(sink.send(named("a", 2)))).containsExactly(delivered(2));
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().equals("kinesis-sink-linger-linger-thread"))
        .singleElement()
        .satisfies(t -> assertThat(t.isDaemon()).isTrue());

    sink.close();
    org.awaitility.Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("kinesis-sink-linger-linger-thread")));
  }

  @Test
  void builder_lingerOutOfRangeOrTwice_throwsNamingOptionAndValue() {
    KinesisSink.Builder builder = KinesisSink.builder("logs").region(Region.US_EAST_1);

    assertThatThrownBy(() -> builder.linger(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("linger must be in PT0S..PT1M, got PT-0.001S");
    assertThatThrownBy(() -> builder.linger(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("linger must be in PT0S..PT1M, got PT1M1S");
    builder.linger(Duration.ofMinutes(1));
    assertThatThrownBy(() -> builder.linger(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("linger was already set to PT1M");
  }

  private static RecordOutcome[] delivered(int n) {
    RecordOutcome[] all = new RecordOutcome[n];
    java.util.Arrays.fill(all, RecordOutcome.delivered());
    return all;
  }
}
