package dev.logstream.kinesis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The sink against an in-process endpoint that scripts Kinesis faults. */
class KinesisSinkEndpointTest {
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private FaultyKinesisEndpoint endpoint;

  FaultyKinesisEndpoint endpoint() throws Exception {
    endpoint = new FaultyKinesisEndpoint();
    closeables.add(endpoint);
    return endpoint;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private KinesisSink open(KinesisSink.Builder builder) {
    KinesisSink sink = builder.build();
    closeables.add(sink);
    return sink;
  }

  static List<SinkRecord> records(int n) {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new SinkRecord(i, ("{\"log\":\"line " + i + "\"}").getBytes(UTF_8)));
    }
    return List.copyOf(batch);
  }

  static List<SinkRecord> sized(int... sizes) {
    List<SinkRecord> batch = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      byte[] payload = new byte[sizes[i]];
      Arrays.fill(payload, (byte) ('a' + i % 26));
      batch.add(new SinkRecord(i, payload));
    }
    return List.copyOf(batch);
  }

  static List<RecordOutcome> send(KinesisSink sink, List<SinkRecord> batch) throws Exception {
    return sink.send(batch).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void send_allAccepted_sendsJsonWithExactPayloadsAndRandomKeysAndCountsThem() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));
    List<SinkRecord> batch = records(3);

    assertThat(send(sink, batch))
        .containsExactly(
            RecordOutcome.delivered(), RecordOutcome.delivered(), RecordOutcome.delivered());

    assertThat(endpoint.requests).hasSize(1);
    FaultyKinesisEndpoint.Received request = endpoint.requests.get(0);
    assertThat(request.stream()).isEqualTo("logs");
    assertThat(request.entries())
        .extracting(e -> new String(e.data(), UTF_8))
        .containsExactly("{\"log\":\"line 0\"}", "{\"log\":\"line 1\"}", "{\"log\":\"line 2\"}");
    assertThat(request.entries())
        .allSatisfy(e -> assertThat(e.partitionKey()).matches(UUID_PATTERN));
    assertThat(request.entries())
        .extracting(FaultyKinesisEndpoint.Entry::partitionKey)
        .doesNotHaveDuplicates();
    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.recordsPut()).isEqualTo(3);
    assertThat(m.bytesPut()).isEqualTo(3 * (16 + 36));
    assertThat(m.requests()).isEqualTo(1);
    assertThat(m.failedRequests()).isZero();
    assertThat(m.requestLatencyCount()).isEqualTo(1);
    assertThat(m.requestLatencyMax()).isPositive();
    assertThat(m.requestsInFlight()).isZero();
    assertThat(m.bytesInFlight()).isZero();
  }

  @Test
  void send_streamArn_sendsStreamArn() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/logs";
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, arn));

    assertThat(send(sink, records(1))).containsExactly(RecordOutcome.delivered());

    assertThat(endpoint.requests.get(0).stream()).isEqualTo(arn);
  }

  @Test
  void send_perRecordFailures_answersEachRecordByResponseIndex() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(
        endpoint.perRecord(
            (i, e) ->
                switch (i) {
                  case 1 -> "ProvisionedThroughputExceededException";
                  case 3 -> "InternalFailure";
                  case 4 -> "KMSThrottlingException";
                  default -> null;
                }));
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));

    List<RecordOutcome> outcomes = send(sink, records(6));

    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.delivered(),
            RecordOutcome.retryable(
                RetryReason.THROTTLED,
                "ProvisionedThroughputExceededException: Rate exceeded for shard"),
            RecordOutcome.delivered(),
            RecordOutcome.retryable(
                RetryReason.INTERNAL_FAILURE, "InternalFailure: Internal Service Failure"),
            RecordOutcome.retryable(
                RetryReason.THROTTLED, "KMSThrottlingException: Rate exceeded for shard"),
            RecordOutcome.delivered());
    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.recordsPut()).isEqualTo(3);
    assertThat(m.recordsRetried()).isEqualTo(3);
    assertThat(m.failuresByErrorCode())
        .isEqualTo(
            Map.of(
                "ProvisionedThroughputExceededException", 1L,
                "InternalFailure", 1L,
                "KMSThrottlingException", 1L));
    assertThat(m.failedRequests()).isZero();
  }

  @Test
  void send_perRecordKmsErrors_areFatalWithTheClosestReason() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(
        endpoint.perRecord(
            (i, e) ->
                switch (i) {
                  case 0 -> "KMSAccessDeniedException";
                  case 1 -> "KMSDisabledException";
                  default -> null;
                }));
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));

    List<RecordOutcome> outcomes = send(sink, records(3));

    assertThat(outcomes)
        .extracting(Object::toString)
        .containsExactly(
            "Fatal[reason=ACCESS_DENIED, detail=KMSAccessDeniedException: Rate exceeded for shard]",
            "Fatal[reason=NOT_FOUND, detail=KMSDisabledException: Rate exceeded for shard]",
            "Delivered");
    assertThat(sink.metrics().fatalRecords())
        .isEqualTo(Map.of(FatalReason.ACCESS_DENIED, 1L, FatalReason.NOT_FOUND, 1L));
  }

  @ParameterizedTest
  @CsvSource({
    "400, ThrottlingException, 'Retryable[reason=THROTTLED, detail=ThrottlingException: slow down]'",
    "400, LimitExceededException, 'Retryable[reason=THROTTLED, detail=LimitExceededException: slow down]'",
    "400, ProvisionedThroughputExceededException, 'Retryable[reason=THROTTLED, detail=ProvisionedThroughputExceededException: slow down]'",
    "400, KMSThrottlingException, 'Retryable[reason=THROTTLED, detail=KMSThrottlingException: slow down]'",
    "400, ExpiredTokenException, 'Retryable[reason=INTERNAL_FAILURE, detail=ExpiredTokenException: slow down]'",
    "400, ResourceNotFoundException, 'Fatal[reason=NOT_FOUND, detail=ResourceNotFoundException: slow down]'",
    "400, InvalidArgumentException, 'Fatal[reason=INVALID, detail=InvalidArgumentException: slow down]'",
    "400, AccessDeniedException, 'Fatal[reason=ACCESS_DENIED, detail=AccessDeniedException: slow down]'",
    "400, KMSNotFoundException, 'Fatal[reason=NOT_FOUND, detail=KMSNotFoundException: slow down]'",
    "400, KMSOptInRequired, 'Fatal[reason=ACCESS_DENIED, detail=KMSOptInRequired: slow down]'",
    "500, InternalFailureException, 'Retryable[reason=INTERNAL_FAILURE, detail=InternalFailureException: slow down]'",
  })
  void send_wholeRequestError_answersEveryRecordOfTheRequestAlike(
      int status, String type, String expected) throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(FaultyKinesisEndpoint.error(status, type, "slow down"));
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));

    List<RecordOutcome> outcomes = send(sink, records(3));

    assertThat(outcomes).extracting(Object::toString).containsOnly(expected).hasSize(3);
    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.failedRequests()).isEqualTo(1);
    assertThat(m.failuresByErrorCode()).isEqualTo(Map.of(type, 3L));
    assertThat(m.recordsPut()).isZero();
  }

  @ParameterizedTest
  @CsvSource({"500", "502", "503", "504"})
  void send_serverErrorWithoutBody_isRetryableForEveryRecord(int status) throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(FaultyKinesisEndpoint.error(status, null, null));
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));

    List<RecordOutcome> outcomes = send(sink, records(2));

    assertThat(outcomes)
        .hasSize(2)
        .allSatisfy(
            o ->
                assertThat(o)
                    .isInstanceOfSatisfying(
                        RecordOutcome.Retryable.class,
                        r ->
                            assertThat(r.reason())
                                .isIn(RetryReason.INTERNAL_FAILURE, RetryReason.THROTTLED)));
    assertThat(endpoint.requests).hasSize(1);
  }

  @Test
  void send_responseSlowerThanAttemptTimeout_answersTimeoutAndTheNextRequestSucceeds()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(endpoint.hang());
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .apiCallAttemptTimeout(Duration.ofMillis(300))
                .apiCallTimeout(Duration.ofSeconds(5)));

    List<RecordOutcome> outcomes = send(sink, records(2));

    assertThat(outcomes)
        .hasSize(2)
        .allSatisfy(
            o ->
                assertThat(o)
                    .isInstanceOfSatisfying(
                        RecordOutcome.Retryable.class,
                        r -> assertThat(r.reason()).isEqualTo(RetryReason.TIMEOUT)));
    assertThat(endpoint.requests).hasSize(1);
    assertThat(send(sink, records(2))).containsOnly(RecordOutcome.delivered());
    assertThat(sink.metrics().failuresByErrorCode())
        .containsEntry("ApiCallAttemptTimeoutException", 2L);
  }

  @Test
  void send_endpointDown_answersNetworkForEveryRecord() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    // long timeouts: on a starved machine a refused connect must not turn into a timeout
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .apiCallAttemptTimeout(Duration.ofSeconds(60))
                .apiCallTimeout(Duration.ofSeconds(60)));
    endpoint.close();

    List<RecordOutcome> outcomes = send(sink, records(2));

    assertThat(outcomes)
        .hasSize(2)
        .allSatisfy(
            o ->
                assertThat(o)
                    .isInstanceOfSatisfying(
                        RecordOutcome.Retryable.class,
                        r -> assertThat(r.reason()).isEqualTo(RetryReason.NETWORK)));
  }

  @Test
  void send_fiveHundredRecordsAtExactlyTheRequestByteLimit_sendsOneRequest() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    // 500 records of 99 data bytes + a 1-byte key = 50,000 bytes
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRequestBytes(50_000)
                .maxRecordBytes(100)
                .partitionKeys(PartitionKeyStrategy.fixed("k")));
    int[] sizes = new int[500];
    Arrays.fill(sizes, 99);

    assertThat(send(sink, sized(sizes))).hasSize(500).containsOnly(RecordOutcome.delivered());

    assertThat(endpoint.requests).hasSize(1);
    assertThat(endpoint.requests.get(0).entries()).hasSize(500);
    assertThat(sink.metrics().bytesPut()).isEqualTo(50_000);
  }

  @Test
  void send_oneByteOverTheRequestByteLimit_splitsIntoTwoRequests() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRequestBytes(50_000)
                .maxRecordBytes(200)
                .partitionKeys(PartitionKeyStrategy.fixed("k")));
    // 499 x (99 + 1) + (100 + 1) = 50,001 bytes with keys; 49,501 payload bytes, within limits()
    int[] sizes = new int[500];
    Arrays.fill(sizes, 99);
    sizes[499] = 100;
    List<SinkRecord> batch = sized(sizes);

    assertThat(send(sink, batch)).hasSize(500).containsOnly(RecordOutcome.delivered());

    // the two requests are in flight together, so they may arrive in either order
    assertThat(endpoint.requests)
        .extracting(r -> r.entries().size())
        .containsExactlyInAnyOrder(499, 1);
    FaultyKinesisEndpoint.Received last =
        endpoint.requests.stream().filter(r -> r.entries().size() == 1).findFirst().orElseThrow();
    assertThat(last.entries().get(0).data()).isEqualTo(batch.get(499).payload());
    assertThat(sink.metrics().requests()).isEqualTo(2);
    assertThat(sink.metrics().bytesPut()).isEqualTo(50_001);
  }

  @Test
  void send_recordAtAndOverTheRecordByteLimit_sendsTheOneAndAnswersTheOtherTooLarge()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRequestBytes(1000)
                .maxRecordBytes(100)
                .partitionKeys(PartitionKeyStrategy.fixed("k")));

    List<RecordOutcome> outcomes = send(sink, sized(99, 100, 5));

    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.delivered(),
            RecordOutcome.fatal(FatalReason.TOO_LARGE, "too large: 101 bytes > 100"),
            RecordOutcome.delivered());
    assertThat(endpoint.requests).hasSize(1);
    assertThat(endpoint.requests.get(0).entries())
        .extracting(e -> e.data().length)
        .containsExactly(99, 5);
    assertThat(sink.metrics().fatalRecords()).isEqualTo(Map.of(FatalReason.TOO_LARGE, 1L));
  }

  @Test
  void send_onlyTooLargeRecords_completesWithoutARequest() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs").maxRecordBytes(100));

    List<RecordOutcome> outcomes = send(sink, sized(100));

    assertThat(outcomes)
        .containsExactly(RecordOutcome.fatal(FatalReason.TOO_LARGE, "too large: 136 bytes > 100"));
    assertThat(endpoint.requests).isEmpty();
  }

  @Test
  void send_moreRecordsThanPerRequest_splitsByCountAndAnswersAcrossRequests() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(
        endpoint.perRecord((i, e) -> null),
        FaultyKinesisEndpoint.error(400, "ThrottlingException", "Rate exceeded"),
        endpoint.perRecord((i, e) -> null));
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordsPerRequest(2)
                .maxRequestsInFlight(1));

    List<RecordOutcome> outcomes = send(sink, records(5));

    RecordOutcome throttled =
        RecordOutcome.retryable(RetryReason.THROTTLED, "ThrottlingException: Rate exceeded");
    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.delivered(),
            RecordOutcome.delivered(),
            throttled,
            throttled,
            RecordOutcome.delivered());
    assertThat(endpoint.requests).extracting(r -> r.entries().size()).containsExactly(2, 2, 1);
  }

  @Test
  void send_beyondMaxRequestsInFlight_queuesWithoutBlockingAndSendsWhenASlotFrees()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    CountDownLatch release = new CountDownLatch(1);
    endpoint.then(endpoint.held(release, endpoint.perRecord((i, e) -> null)));
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs").maxRequestsInFlight(1));

    CompletableFuture<List<RecordOutcome>> first = sink.send(records(2)).toCompletableFuture();
    await().until(() -> endpoint.requests.size() == 1);
    CompletableFuture<List<RecordOutcome>> second = sink.send(records(3)).toCompletableFuture();

    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.requestsInFlight()).isEqualTo(1);
    assertThat(m.requestsQueued()).isEqualTo(1);
    assertThat(m.bytesInFlight()).isEqualTo(2 * (16 + 36));
    assertThat(second).isNotDone();
    release.countDown();
    assertThat(first.get(20, TimeUnit.SECONDS)).containsOnly(RecordOutcome.delivered());
    assertThat(second.get(20, TimeUnit.SECONDS)).hasSize(3).containsOnly(RecordOutcome.delivered());
    assertThat(endpoint.requests).hasSize(2);
    await().until(() -> sink.metrics().requestsInFlight() == 0);
  }

  @Test
  void send_afterClose_answersEveryRecordRetryableWithoutARequest() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink = KinesisEndpointSinks.sinkTo(endpoint, "logs").build();
    sink.close();

    assertThat(send(sink, records(2)))
        .containsOnly(RecordOutcome.retryable(RetryReason.NETWORK, "sink closed"));
    assertThat(endpoint.requests).isEmpty();
  }

  @Test
  void send_partitionKeyFromTag_sendsTheTagAsKey() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .partitionKeys(PartitionKeyStrategy.tag()));
    List<SinkRecord> batch =
        List.of(
            new SinkRecord(
                0,
                "{\"time\":\"2026-01-01T00:00:00Z\",\"tag\":\"app.web\",\"log\":\"x\"}"
                    .getBytes(UTF_8)));

    assertThat(send(sink, batch)).containsExactly(RecordOutcome.delivered());

    assertThat(endpoint.requests.get(0).entries().get(0).partitionKey()).isEqualTo("app.web");
  }

  @Test
  void send_badKeysFromTheStrategy_answersThoseRecordsInvalidAndSendsTheRest() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    PartitionKeyStrategy keys =
        payload ->
            switch (payload.length) {
              case 1 -> "";
              case 2 -> "k".repeat(257);
              case 3 -> throw new IllegalStateException("boom");
              default -> "ok";
            };
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs").partitionKeys(keys));

    List<RecordOutcome> outcomes = send(sink, sized(1, 2, 3, 4));

    assertThat(outcomes)
        .containsExactly(
            RecordOutcome.fatal(
                FatalReason.INVALID, "partition key must be 1 to 256 characters, got 0"),
            RecordOutcome.fatal(
                FatalReason.INVALID, "partition key must be 1 to 256 characters, got 257"),
            RecordOutcome.fatal(
                FatalReason.INVALID,
                "partition key strategy failed: java.lang.IllegalStateException: boom"),
            RecordOutcome.delivered());
    assertThat(endpoint.requests.get(0).entries()).hasSize(1);
    assertThat(sink.metrics().fatalRecords()).isEqualTo(Map.of(FatalReason.INVALID, 3L));
  }

  @Test
  void send_multibyteKey_countsItsUtf8BytesAgainstTheRecordLimit() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .maxRecordBytes(100)
                .partitionKeys(PartitionKeyStrategy.fixed("\u00fc")));

    assertThat(send(sink, sized(98, 99)))
        .containsExactly(
            RecordOutcome.delivered(),
            RecordOutcome.fatal(FatalReason.TOO_LARGE, "too large: 101 bytes > 100"));
    assertThat(endpoint.requests.get(0).entries().get(0).partitionKey()).isEqualTo("\u00fc");
  }

  @Test
  void send_cborOn_sendsCbor() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink sink =
        open(
            KinesisSink.builder("logs")
                .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS)
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint.uri())
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDTEST", "test")))
                .cbor(true));

    List<RecordOutcome> outcomes = send(sink, records(1));

    assertThat(endpoint.contentTypes).containsExactly("application/x-amz-cbor-1.1");
    assertThat(outcomes).hasSize(1).first().isInstanceOf(RecordOutcome.Retryable.class);
  }

  @Test
  void close_givenClient_leavesItOpen() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    KinesisSink owner = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));
    KinesisAsyncClient client = owner.client();
    KinesisSink borrower = KinesisSink.builder("logs").client(client).build();
    borrower.close();

    assertThat(send(owner, records(1))).containsExactly(RecordOutcome.delivered());
  }

  @Test
  void send_expiredCredentials_answersRetryableAndTheNextAttemptUsesRefreshedCredentials()
      throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(endpoint.expiring("AKIDOLD"), endpoint.expiring("AKIDOLD"));
    AtomicInteger resolved = new AtomicInteger();
    // a provider that hands out expired credentials first and fresh ones once asked again, like
    // the SDK's refreshing providers near expiry
    AwsCredentialsProvider refreshing =
        () ->
            AwsSessionCredentials.create(
                resolved.getAndIncrement() == 0 ? "AKIDOLD" : "AKIDNEW", "secret", "token");
    KinesisSink sink =
        open(
            KinesisSink.builder("logs")
                .eventLoopGroup(KinesisEndpointSinks.EVENT_LOOPS)
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint.uri())
                .credentialsProvider(refreshing)
                .cbor(false));

    assertThat(send(sink, records(2)))
        .containsOnly(
            RecordOutcome.retryable(
                RetryReason.INTERNAL_FAILURE,
                "ExpiredTokenException: The security token included in the request is expired"));
    assertThat(send(sink, records(2))).containsOnly(RecordOutcome.delivered());
    assertThat(endpoint.accessKeys).containsExactly("AKIDOLD", "AKIDNEW");
  }

  @Test
  void send_responseWithTooFewEntries_answersEveryRecordRetryable() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    endpoint.then(FaultyKinesisEndpoint.shortResponse());
    KinesisSink sink = open(KinesisEndpointSinks.sinkTo(endpoint, "logs"));

    assertThat(send(sink, records(3)))
        .containsOnly(
            RecordOutcome.retryable(
                RetryReason.INTERNAL_FAILURE, "PutRecords response has 2 entries for 3 records"));
    assertThat(sink.metrics().failuresByErrorCode()).isEqualTo(Map.of("MalformedResponse", 3L));
  }

  @Test
  void metrics_requestLatency_isMeasuredWithTheClock() throws Exception {
    FaultyKinesisEndpoint endpoint = endpoint();
    AtomicLong now = new AtomicLong();
    // each reading advances 7 ms: every request takes exactly 7 ms
    KinesisSink sink =
        open(
            KinesisEndpointSinks.sinkTo(endpoint, "logs")
                .nanoClock(() -> now.getAndAdd(7_000_000L)));

    send(sink, records(1));
    send(sink, records(1));

    KinesisSinkMetrics m = sink.metrics();
    assertThat(m.requestLatencyCount()).isEqualTo(2);
    assertThat(m.requestLatencyTotal()).isEqualTo(Duration.ofMillis(14));
    assertThat(m.requestLatencyMax()).isEqualTo(Duration.ofMillis(7));
    assertThat(m.requestLatencyMean()).isEqualTo(Duration.ofMillis(7));
  }
}
