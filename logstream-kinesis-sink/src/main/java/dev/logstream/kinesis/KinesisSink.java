package dev.logstream.kinesis;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * A {@link Sink} that delivers records to one Kinesis data stream with PutRecords, one attempt per
 * {@link #send(List)}, and answers one outcome per record.
 *
 * <h2>Requests</h2>
 *
 * <p>Each record becomes one request entry (with {@link Builder#aggregation(KplAggregator)}, each
 * KPL aggregate of records does): its payload array wrapped without a copy ({@code
 * SdkBytes.fromByteArrayUnsafe}) and a partition key from the {@link PartitionKeyStrategy}. Kinesis
 * counts data plus partition key UTF-8 bytes against both the record and the request limit, while
 * {@link #limits()} (what the dispatcher batches by) counts payload bytes only; so the sink splits
 * a batch into as many requests as the limits need, sends them concurrently (at most {@code
 * maxRequestsInFlight} at a time across all batches; the rest wait in a queue, never blocking the
 * caller) and answers the batch when all of them are answered. A record whose data and key together
 * exceed {@code maxRecordBytes} is never sent: it is answered {@link FatalReason#TOO_LARGE} with
 * {@code "too large: N bytes > M"}.
 *
 * <p>With {@link Builder#linger(Duration)} above zero, the records of successive {@link
 * #send(List)} calls are combined into shared requests for up to {@code linger} (like the KPL's
 * {@code RecordMaxBufferedTime}); each record's outcome still goes back to its own batch.
 *
 * <h2>Error classification</h2>
 *
 * <table>
 *   <caption>Outcomes by Kinesis error</caption>
 *   <tr><th>Error</th><th>Scope</th><th>Outcome</th></tr>
 *   <tr><td>{@code ProvisionedThroughputExceededException}, {@code KMSThrottlingException},
 *       {@code ThrottlingException}, {@code LimitExceededException}, other throttling codes</td>
 *       <td>record or request</td><td>retryable {@link RetryReason#THROTTLED}</td></tr>
 *   <tr><td>{@code InternalFailure}, HTTP 5xx, an unknown error code</td>
 *       <td>record or request</td><td>retryable {@link RetryReason#INTERNAL_FAILURE}</td></tr>
 *   <tr><td>{@code ExpiredTokenException} and other expired-credential codes</td>
 *       <td>request</td><td>retryable {@link RetryReason#INTERNAL_FAILURE}: the next attempt
 *       resolves credentials again, and the refreshing provider renews them</td></tr>
 *   <tr><td>API call or attempt timeout</td><td>request</td>
 *       <td>retryable {@link RetryReason#TIMEOUT}</td></tr>
 *   <tr><td>I/O error, connection refused, credentials not loadable</td><td>request</td>
 *       <td>retryable {@link RetryReason#NETWORK}</td></tr>
 *   <tr><td>{@code InvalidArgumentException}, {@code ValidationException}</td>
 *       <td>record or request</td><td>fatal {@link FatalReason#INVALID}</td></tr>
 *   <tr><td>{@code ResourceNotFoundException}, {@code KMSNotFoundException}, {@code
 *       KMSDisabledException}, {@code KMSInvalidStateException}</td>
 *       <td>record or request</td><td>fatal {@link FatalReason#NOT_FOUND}</td></tr>
 *   <tr><td>{@code AccessDeniedException}, {@code KMSAccessDeniedException}, {@code
 *       KMSOptInRequired}, {@code UnrecognizedClientException}, {@code InvalidClientTokenId}</td>
 *       <td>record or request</td><td>fatal {@link FatalReason#ACCESS_DENIED}</td></tr>
 * </table>
 *
 * <p>A failure of the whole request gives every record of that request the same outcome; the
 * records of the batch's other requests keep theirs. The SDK's own retries are off: the dispatcher
 * owns retries and only resends the records answered retryable.
 *
 * <p>Thread-safe. {@link #close()} closes the client only if the sink built it.
 */
public final class KinesisSink implements Sink {
  /** The most entries Kinesis accepts in one PutRecords request. */
  public static final int MAX_RECORDS_PER_REQUEST = 500;

  /** The largest PutRecords request Kinesis accepts, data plus partition keys: 10 MiB. */
  public static final int MAX_REQUEST_BYTES = 10 << 20;

  /** The largest record a stream can be configured to accept, data plus partition key: 10 MiB. */
  public static final int MAX_RECORD_BYTES = 10 << 20;

  /** Default {@code maxRequestBytes}: 5 MiB, the limit before the 2025 increase. */
  public static final int DEFAULT_REQUEST_BYTES = 5 << 20;

  /** Default {@code maxRecordBytes}: 1 MiB, a stream's default maximum record size. */
  public static final int DEFAULT_RECORD_BYTES = 1 << 20;

  /** Default {@code maxRequestsInFlight}. */
  public static final int DEFAULT_MAX_REQUESTS_IN_FLIGHT = 16;

  /** Default {@code maxConcurrency} of the Netty client: the SDK's default connection count. */
  public static final int DEFAULT_MAX_CONCURRENCY = 50;

  /** Default {@code apiCallAttemptTimeout}. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@code apiCallTimeout}. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(15);

  /** The longest {@code linger} accepted. */
  public static final Duration MAX_LINGER = Duration.ofMinutes(1);

  /** The longest timeout accepted. */
  public static final Duration TIMEOUT_LIMIT = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(KinesisSink.class);
  private static final Pattern STREAM_ARN =
      Pattern.compile("arn:aws[a-zA-Z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128}");
  private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final String CBOR_PROPERTY = "aws.cborEnabled";
  private static final Object CBOR_LOCK = new Object();

  private final KinesisAsyncClient client;
  private final boolean ownsClient;
  private final String streamName;
  private final String streamArn;
  private final SinkLimits limits;
  private final RequestPlanner planner;
  private final int maxRequestsInFlight;
  private final LongSupplier nanoClock;
  private final CapacityMonitor capacityMonitor;
  private final LingerCombiner combiner;

  private final Object lock = new Object();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  private long bytesInFlight;
  private boolean closed;

  private final LongAdder recordsPut = new LongAdder();
  private final LongAdder kinesisRecordsPut = new LongAdder();
  private final LongAdder bytesPut = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder failedRequests = new LongAdder();
  private final LongAdder recordsRetried = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> failuresByCode = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> lastWarned = new ConcurrentHashMap<>();
  private static final long WARN_INTERVAL_NANOS = 30_000_000_000L;
  private final EnumMap<FatalReason, Long> fatalRecords = new EnumMap<>(FatalReason.class);
  private long latencyCount;
  private long latencyTotalNanos;
  private long latencyMaxNanos;

  private KinesisSink(
      Builder b, KinesisAsyncClient client, boolean ownsClient, int requestBytes, int recordBytes) {
    this.client = client;
    this.ownsClient = ownsClient;
    boolean arn = b.stream.startsWith("arn:");
    this.streamName = arn ? null : b.stream;
    this.streamArn = arn ? b.stream : null;
    int records = b.maxRecordsPerRequest == null ? MAX_RECORDS_PER_REQUEST : b.maxRecordsPerRequest;
    this.limits = new SinkLimits(records, requestBytes, recordBytes);
    PartitionKeyStrategy keys =
        b.partitionKeys == null ? PartitionKeyStrategy.randomUuid() : b.partitionKeys;
    if (b.planner != null) {
      this.planner = b.planner;
    } else if (b.aggregation != null) {
      this.planner =
          new AggregatingRequestPlanner(b.aggregation, keys, records, requestBytes, recordBytes);
    } else {
      this.planner = new PlainRequestPlanner(keys, records, requestBytes, recordBytes);
    }
    this.maxRequestsInFlight =
        b.maxRequestsInFlight == null ? DEFAULT_MAX_REQUESTS_IN_FLIGHT : b.maxRequestsInFlight;
    this.nanoClock = b.nanoClock == null ? System::nanoTime : b.nanoClock;
    this.capacityMonitor = b.capacityMonitor;
    Duration linger = b.linger == null ? Duration.ZERO : b.linger;
    if (linger.isZero()) {
      this.combiner = null;
    } else {
      this.combiner =
          new LingerCombiner(
              linger,
              records,
              requestBytes,
              b.lingerScheduler == null ? LingerCombiner.daemonThread(b.stream) : b.lingerScheduler,
              this::sendNow,
              this::answerClosed);
    }
  }

  /**
   * Starts a builder for a sink writing to one stream.
   *
   * @param stream the stream's name (1 to 128 of {@code [a-zA-Z0-9_.-]}) or its ARN ({@code
   *     arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}, the form AWS recommends)
   * @return the builder
   * @throws IllegalArgumentException if {@code stream} is neither a stream name nor a stream ARN
   * @throws NullPointerException if {@code stream} is null
   */
  public static Builder builder(String stream) {
    Objects.requireNonNull(stream, "stream");
    if (!STREAM_NAME.matcher(stream).matches() && !STREAM_ARN.matcher(stream).matches()) {
      throw new IllegalArgumentException(
          "stream must be a stream name or a stream ARN, got '" + stream + "'");
    }
    return new Builder(stream);
  }

  /**
   * The limits the dispatcher batches by, in payload bytes: {@code maxRecordsPerRequest} records,
   * {@code maxRequestBytes} per batch and {@code maxRecordBytes} per record. Partition keys are not
   * counted here; the sink counts them itself and splits a batch into several requests if needed.
   *
   * @return the limits
   */
  @Override
  public SinkLimits limits() {
    return limits;
  }

  /**
   * Sends a batch as one or more PutRecords requests, without blocking, and completes with one
   * outcome per record (see the class documentation for the classification). Failures of whole
   * requests are answered as outcomes too, so the stage completes exceptionally only if the sink
   * fails to build the requests (a bug, which the dispatcher retries). After {@link #close()} every
   * record is answered retryable {@link RetryReason#NETWORK}.
   *
   * <p>With {@link Builder#linger(Duration)} above zero, the records may wait up to {@code linger}
   * to share PutRecords requests with the records of other calls; the outcomes stay index-aligned
   * with {@code batch}.
   *
   * @param batch the records; payloads are wrapped, not copied, and never modified
   * @return a stage completing with one outcome per record, index-aligned with {@code batch}
   */
  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    return combiner == null ? sendNow(batch) : combiner.send(batch);
  }

  /** Plans and sends a batch at once: the whole send path without linger. */
  private CompletionStage<List<RecordOutcome>> sendNow(List<SinkRecord> batch) {
    RecordOutcome[] outcomes = new RecordOutcome[batch.size()];
    List<RequestPlanner.PlannedRequest> plan;
    try {
      plan = planner.plan(batch, outcomes);
    } catch (RuntimeException bug) {
      LOG.error("Kinesis sink failed to build the requests of a batch", bug);
      return CompletableFuture.failedFuture(bug);
    }
    for (RecordOutcome o : outcomes) {
      if (o instanceof RecordOutcome.Fatal f) {
        countFatal(f.reason(), 1);
      }
    }
    CompletableFuture<List<RecordOutcome>> result = new CompletableFuture<>();
    if (plan.isEmpty()) {
      result.complete(Collections.unmodifiableList(Arrays.asList(outcomes)));
      return result;
    }
    AtomicInteger remaining = new AtomicInteger(plan.size());
    for (RequestPlanner.PlannedRequest request : plan) {
      submit(new Pending(request, outcomes, remaining, result));
    }
    return result;
  }

  /**
   * Returns a snapshot of the sink's counters. With a capacity monitor attached this also takes the
   * monitor's {@link CapacityMonitor#utilization()} snapshot (which evaluates the seconds passed
   * since its last evaluation and may call its listener).
   *
   * @return the metrics
   */
  public KinesisSinkMetrics metrics() {
    double utilization = capacityUtilization();
    Map<String, Long> byCode = new java.util.HashMap<>();
    failuresByCode.forEach((code, n) -> byCode.put(code, n.sum()));
    synchronized (lock) {
      return new KinesisSinkMetrics(
          recordsPut.sum(),
          bytesPut.sum(),
          requests.sum(),
          failedRequests.sum(),
          byCode,
          recordsRetried.sum(),
          fatalRecords,
          latencyCount,
          Duration.ofNanos(latencyTotalNanos),
          Duration.ofNanos(latencyMaxNanos),
          inFlight,
          bytesInFlight,
          queue.size(),
          kinesisRecordsPut.sum(),
          utilization);
    }
  }

  /** The attached monitor's utilization; NaN without a monitor or before the shard count. */
  private double capacityUtilization() {
    if (capacityMonitor == null) {
      return Double.NaN;
    }
    CapacitySnapshot snapshot = capacityMonitor.utilization();
    return snapshot.shards() == 0 ? Double.NaN : snapshot.utilization();
  }

  /**
   * Stops accepting batches, answers the records still lingering (see {@link
   * Builder#linger(Duration)}) and the requests still waiting for a slot retryable {@link
   * RetryReason#NETWORK} {@code "sink closed"}, stops the linger thread, and closes the client if
   * the sink built it (which fails the requests in flight). A client handed to {@link
   * Builder#client(KinesisAsyncClient)} is left open.
   */
  @Override
  public void close() {
    if (combiner != null) {
      combiner.close();
    }
    List<Pending> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      dropped = List.copyOf(queue);
      queue.clear();
    }
    for (Pending p : dropped) {
      p.failAll(RecordOutcome.retryable(RetryReason.NETWORK, "sink closed"), "SinkClosed");
      p.complete();
    }
    if (ownsClient) {
      client.close();
    }
  }

  /** Answers records still lingering when the sink closes, counted like queued requests. */
  private void answerClosed(List<LingerCombiner.Slot> lingering) {
    RecordOutcome closedOutcome = RecordOutcome.retryable(RetryReason.NETWORK, "sink closed");
    countFailure("SinkClosed", closedOutcome, lingering.size());
    for (LingerCombiner.Slot slot : lingering) {
      slot.answer(closedOutcome);
    }
  }

  /** The client, for tests. */
  KinesisAsyncClient client() {
    return client;
  }

  private void submit(Pending pending) {
    boolean start;
    boolean rejected = false;
    synchronized (lock) {
      if (closed) {
        rejected = true;
        start = false;
      } else if (inFlight < maxRequestsInFlight) {
        inFlight++;
        bytesInFlight += pending.request.bytes();
        start = true;
      } else {
        queue.add(pending);
        start = false;
      }
    }
    if (rejected) {
      pending.failAll(RecordOutcome.retryable(RetryReason.NETWORK, "sink closed"), "SinkClosed");
      pending.complete();
    } else if (start) {
      start(pending);
    }
  }

  /**
   * Builds the PutRecords requests {@link #send(List)} would send for a batch, with the same code,
   * without sending them or touching the metrics. Not part of the sink's stable API: it exists so
   * that benchmarks and diagnostics measure and inspect the real request path. Records {@code send}
   * would answer without sending (e.g. too large) are left out.
   *
   * @param batch the records; payloads are wrapped, not copied, and never modified
   * @return the requests, in the order {@code send} would start them
   */
  public List<PutRecordsRequest> requestsFor(List<SinkRecord> batch) {
    List<RequestPlanner.PlannedRequest> plan = planner.plan(batch, new RecordOutcome[batch.size()]);
    PutRecordsRequest[] requests = new PutRecordsRequest[plan.size()];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = request(plan.get(i));
    }
    return List.of(requests);
  }

  private PutRecordsRequest request(RequestPlanner.PlannedRequest planned) {
    PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(planned.entries());
    if (streamArn != null) {
      request.streamARN(streamArn);
    } else {
      request.streamName(streamName);
    }
    return request.build();
  }

  private void start(Pending pending) {
    PutRecordsRequest request = request(pending.request);
    long started = nanoClock.getAsLong();
    CompletableFuture<PutRecordsResponse> call;
    try {
      call = client.putRecords(request);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete(
        (response, error) -> {
          long latency = nanoClock.getAsLong() - started;
          try {
            if (error == null) {
              pending.answer(response);
            } else {
              pending.fail(error);
            }
          } catch (RuntimeException bug) {
            LOG.error("Kinesis sink failed to read a PutRecords response", bug);
            pending.failAll(
                RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, bug.toString()),
                bug.getClass().getSimpleName());
          } finally {
            finished(pending, latency);
          }
        });
  }

  private void finished(Pending done, long latencyNanos) {
    Pending next;
    requests.increment();
    synchronized (lock) {
      latencyCount++;
      latencyTotalNanos += latencyNanos;
      latencyMaxNanos = Math.max(latencyMaxNanos, latencyNanos);
      bytesInFlight -= done.request.bytes();
      next = closed ? null : queue.poll();
      if (next == null) {
        inFlight--;
      } else {
        bytesInFlight += next.request.bytes();
      }
    }
    done.complete();
    if (next != null) {
      start(next);
    }
  }

  private void countFatal(FatalReason reason, int n) {
    synchronized (lock) {
      fatalRecords.merge(reason, (long) n, Long::sum);
    }
  }

  private void countFailure(String code, RecordOutcome outcome, int n) {
    failuresByCode.computeIfAbsent(code, c -> new LongAdder()).add(n);
    if (outcome instanceof RecordOutcome.Retryable) {
      recordsRetried.add(n);
    } else if (outcome instanceof RecordOutcome.Fatal f) {
      countFatal(f.reason(), n);
    }
  }

  /** The outcome of a per-record or whole-request Kinesis error code. */
  static RecordOutcome classifyCode(String code, String message) {
    String detail = message == null || message.isEmpty() ? code : code + ": " + message;
    switch (code) {
      case "ProvisionedThroughputExceededException",
          "KMSThrottlingException",
          "ThrottlingException",
          "Throttling",
          "ThrottledException",
          "LimitExceededException",
          "RequestLimitExceeded",
          "TooManyRequestsException",
          "RequestThrottled",
          "RequestThrottledException",
          "SlowDown",
          "TransactionInProgressException",
          "PriorRequestNotComplete",
          "BandwidthLimitExceeded",
          "EC2ThrottledException" -> {
        return RecordOutcome.retryable(RetryReason.THROTTLED, detail);
      }
      case "InvalidArgumentException", "ValidationException", "SerializationException" -> {
        return RecordOutcome.fatal(FatalReason.INVALID, detail);
      }
      case "ResourceNotFoundException",
          "KMSNotFoundException",
          "KMSDisabledException",
          "KMSInvalidStateException" -> {
        return RecordOutcome.fatal(FatalReason.NOT_FOUND, detail);
      }
      case "AccessDeniedException",
          "KMSAccessDeniedException",
          "KMSOptInRequired",
          "UnrecognizedClientException",
          "InvalidClientTokenId",
          "MissingAuthenticationToken" -> {
        return RecordOutcome.fatal(FatalReason.ACCESS_DENIED, detail);
      }
      default -> {
        // InternalFailure, ExpiredToken(Exception), RequestExpired and anything unknown: a later
        // attempt (with freshly resolved credentials) may succeed, and the dispatcher's attempt
        // and age budget bounds the cost of being wrong.
        return RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, detail);
      }
    }
  }

  /** The outcome and metrics key of a whole-request failure. */
  static Classified classify(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String code = service.awsErrorDetails().errorCode();
      String message = service.awsErrorDetails().errorMessage();
      int status = service.statusCode();
      if (code == null || code.isEmpty()) {
        code = "HTTP " + status;
        if (service.isThrottlingException()) {
          return new Classified(RecordOutcome.retryable(RetryReason.THROTTLED, code), code);
        }
        return new Classified(
            RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, code + ": " + message), code);
      }
      RecordOutcome outcome = classifyCode(code, message);
      if (outcome instanceof RecordOutcome.Retryable r
          && r.reason() == RetryReason.INTERNAL_FAILURE
          && service.isThrottlingException()) {
        outcome = RecordOutcome.retryable(RetryReason.THROTTLED, r.detail());
      }
      return new Classified(outcome, code);
    }
    String detail = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (isTimeout(e)) {
      return new Classified(
          RecordOutcome.retryable(RetryReason.TIMEOUT, detail), e.getClass().getSimpleName());
    }
    return new Classified(
        RecordOutcome.retryable(RetryReason.NETWORK, detail), e.getClass().getSimpleName());
  }

  private static boolean isTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ApiCallAttemptTimeoutException
          || t instanceof ApiCallTimeoutException
          || t instanceof TimeoutException
          || t instanceof java.net.SocketTimeoutException
          || (t instanceof IOException && t.getClass().getSimpleName().contains("Timeout"))
          || t.getClass().getName().equals("io.netty.handler.timeout.ReadTimeoutException")
          || t.getClass().getName().equals("io.netty.handler.timeout.WriteTimeoutException")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** A whole-request failure's outcome and the key it is counted under. */
  record Classified(RecordOutcome outcome, String code) {}

  /** One planned request of a batch, waiting for a slot or in flight. */
  private final class Pending {
    final RequestPlanner.PlannedRequest request;
    final RecordOutcome[] outcomes;
    final AtomicInteger remaining;
    final CompletableFuture<List<RecordOutcome>> result;

    Pending(
        RequestPlanner.PlannedRequest request,
        RecordOutcome[] outcomes,
        AtomicInteger remaining,
        CompletableFuture<List<RecordOutcome>> result) {
      this.request = request;
      this.outcomes = outcomes;
      this.remaining = remaining;
      this.result = result;
    }

    void answer(PutRecordsResponse response) {
      List<PutRecordsResultEntry> results = response.records();
      int entries = request.entries().size();
      if (results.size() != entries) {
        String detail =
            "PutRecords response has " + results.size() + " entries for " + entries + " records";
        LOG.warn("Kinesis sink: {}", detail);
        failAll(RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, detail), "MalformedResponse");
        return;
      }
      long putRecords = 0;
      long putEntries = 0;
      long putBytes = 0;
      long throttledEntries = 0;
      for (int e = 0; e < entries; e++) {
        PutRecordsResultEntry r = results.get(e);
        int from = request.entryStart()[e];
        int to = request.entryStart()[e + 1];
        RecordOutcome outcome;
        if (r.errorCode() == null || r.errorCode().isEmpty()) {
          outcome = RecordOutcome.delivered();
          putRecords += to - from;
          putEntries++;
          putBytes += request.entryBytes()[e];
        } else {
          outcome = classifyCode(r.errorCode(), r.errorMessage());
          if (outcome instanceof RecordOutcome.Retryable t && t.reason() == RetryReason.THROTTLED) {
            throttledEntries++;
          }
          countFailure(r.errorCode(), outcome, to - from);
        }
        for (int k = from; k < to; k++) {
          outcomes[request.recordIndices()[k]] = outcome;
        }
      }
      recordsPut.add(putRecords);
      kinesisRecordsPut.add(putEntries);
      bytesPut.add(putBytes);
      if (capacityMonitor != null) {
        capacityMonitor.recordPut(putEntries, putBytes, throttledEntries);
      }
    }

    void fail(Throwable error) {
      failedRequests.increment();
      Classified c = classify(error);
      if (LOG.isDebugEnabled()) {
        LOG.debug("Kinesis PutRecords request failed: {}", c.outcome(), error);
      } else {
        warnAtMostEvery30Seconds(c, error);
      }
      failAll(c.outcome(), c.code());
      if (capacityMonitor != null
          && c.outcome() instanceof RecordOutcome.Retryable t
          && t.reason() == RetryReason.THROTTLED) {
        capacityMonitor.recordPut(0, 0, request.entries().size());
      }
    }

    /** Failed requests must not be invisible, nor flood the log during an outage. */
    private void warnAtMostEvery30Seconds(Classified c, Throwable error) {
      long now = nanoClock.getAsLong();
      Long last = lastWarned.get(c.code());
      if (last != null && now - last < WARN_INTERVAL_NANOS) {
        return;
      }
      lastWarned.put(c.code(), now);
      LOG.warn(
          "Kinesis PutRecords request of {} records to {} failed, answered {} (at most one such"
              + " warning per 30 s per error code): {}",
          request.recordIndices().length,
          streamName != null ? streamName : streamArn,
          c.outcome(),
          error.toString());
    }

    void failAll(RecordOutcome outcome, String code) {
      int[] indices = request.recordIndices();
      for (int index : indices) {
        outcomes[index] = outcome;
      }
      countFailure(code, outcome, indices.length);
    }

    /** Completes the batch if this was its last request. */
    void complete() {
      if (remaining.decrementAndGet() == 0) {
        result.complete(Collections.unmodifiableList(Arrays.asList(outcomes)));
      }
    }
  }

  /**
   * Sets the options of a {@link KinesisSink}. Each option may be set once and is checked when set;
   * {@link #build()} checks the options against each other and builds the client.
   *
   * <p>Either the sink builds its own {@link KinesisAsyncClient} from the client options ({@link
   * #region}, {@link #endpointOverride}, {@link #credentialsProvider}, {@link #protocol}, {@link
   * #maxConcurrency}, {@link #apiCallTimeout}, {@link #apiCallAttemptTimeout}, {@link #cbor}), or
   * it uses one given to {@link #client(KinesisAsyncClient)}, which excludes all of them.
   */
  public static final class Builder {
    private final String stream;
    private Region region;
    private URI endpointOverride;
    private AwsCredentialsProvider credentialsProvider;
    private Protocol protocol;
    private Integer maxConcurrency;
    private Duration apiCallTimeout;
    private Duration apiCallAttemptTimeout;
    private Boolean cbor;
    private KinesisAsyncClient client;
    private Integer maxRequestsInFlight;
    private Integer maxRecordsPerRequest;
    private Integer maxRequestBytes;
    private Integer maxRecordBytes;
    private Boolean maxRecordBytesFromStream;
    private PartitionKeyStrategy partitionKeys;
    private KplAggregator aggregation;
    private RequestPlanner planner;
    private LongSupplier nanoClock;
    private SdkEventLoopGroup eventLoopGroup;
    private CapacityMonitor capacityMonitor;
    private Duration linger;
    private LingerCombiner.Scheduler lingerScheduler;

    private Builder(String stream) {
      this.stream = stream;
    }

    /**
     * Sets the region; default the SDK's region provider chain ({@code AWS_REGION}, {@code
     * aws.region}, the profile, instance metadata). Also needed with an endpoint override, to sign.
     *
     * @param value the region
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder region(Region value) {
      requireUnset("region", region);
      region = Objects.requireNonNull(value, "region");
      return this;
    }

    /**
     * Sets the endpoint, e.g. an emulator's {@code http://127.0.0.1:4567}; default the region's
     * Kinesis endpoint.
     *
     * @param value an absolute http or https URI
     * @return this builder
     * @throws IllegalArgumentException if not an absolute http or https URI
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder endpointOverride(URI value) {
      requireUnset("endpointOverride", endpointOverride);
      Objects.requireNonNull(value, "endpointOverride");
      if (!"http".equals(value.getScheme()) && !"https".equals(value.getScheme())
          || value.getHost() == null) {
        throw new IllegalArgumentException(
            "endpointOverride must be an absolute http or https URI, got " + value);
      }
      endpointOverride = value;
      return this;
    }

    /**
     * Sets the credentials provider; default the SDK's {@code DefaultCredentialsProvider} chain,
     * which caches credentials and refreshes them before they expire. Pass a refreshing provider,
     * not a snapshot of credentials that will expire.
     *
     * @param value the provider
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder credentialsProvider(AwsCredentialsProvider value) {
      requireUnset("credentialsProvider", credentialsProvider);
      credentialsProvider = Objects.requireNonNull(value, "credentialsProvider");
      return this;
    }

    /**
     * Sets the HTTP protocol of the Netty client; default {@link Protocol#HTTP1_1} (emulators such
     * as kinesis-mock fail with the SDK's HTTP/2 attempt).
     *
     * @param value the protocol
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder protocol(Protocol value) {
      requireUnset("protocol", protocol);
      protocol = Objects.requireNonNull(value, "protocol");
      return this;
    }

    /**
     * Sets the Netty client's maximum concurrent requests (connections with HTTP/1.1); default
     * {@value KinesisSink#DEFAULT_MAX_CONCURRENCY}.
     *
     * @param value at least {@code maxRequestsInFlight}, at most 10,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxConcurrency(int value) {
      requireUnset("maxConcurrency", maxConcurrency);
      maxConcurrency = checkRange("maxConcurrency", value, 1, 10_000);
      return this;
    }

    /**
     * Sets the SDK's timeout of a whole API call; default 15 seconds.
     *
     * @param value positive, at most {@link KinesisSink#TIMEOUT_LIMIT}, not below the attempt
     *     timeout
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder apiCallTimeout(Duration value) {
      requireUnset("apiCallTimeout", apiCallTimeout);
      apiCallTimeout = checkTimeout("apiCallTimeout", value);
      return this;
    }

    /**
     * Sets the SDK's timeout of one HTTP attempt; default 10 seconds. A request that takes longer
     * is answered retryable {@link RetryReason#TIMEOUT} for all its records.
     *
     * @param value positive, at most {@link KinesisSink#TIMEOUT_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder apiCallAttemptTimeout(Duration value) {
      requireUnset("apiCallAttemptTimeout", apiCallAttemptTimeout);
      apiCallAttemptTimeout = checkTimeout("apiCallAttemptTimeout", value);
      return this;
    }

    /**
     * Sets whether the client speaks CBOR (the SDK's default for Kinesis, data travels as raw
     * bytes) or JSON (data travels base64-encoded, 33 % larger); default true. Turn it off only for
     * emulators without CBOR. The SDK reads this once per client, from the system property {@code
     * aws.cborEnabled}, when the client is built: {@link #build()} sets the property for the time
     * of building the client (under a lock shared by all sinks) and restores it afterwards, so this
     * option wins over the property and the {@code CBOR_ENABLED} environment variable.
     *
     * @param enabled false for JSON
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder cbor(boolean enabled) {
      requireUnset("cbor", cbor);
      cbor = enabled;
      return this;
    }

    /**
     * Uses a ready-built client instead of building one; the sink does not close it. Its retry
     * settings are its own: turn its retries off, since the dispatcher retries.
     *
     * @param value the client
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder client(KinesisAsyncClient value) {
      requireUnset("client", client);
      client = Objects.requireNonNull(value, "client");
      return this;
    }

    /**
     * Sets the most PutRecords requests in flight at a time, over all batches; default {@value
     * KinesisSink#DEFAULT_MAX_REQUESTS_IN_FLIGHT}. Further requests wait in the sink's queue.
     *
     * @param value 1 to 10,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRequestsInFlight(int value) {
      requireUnset("maxRequestsInFlight", maxRequestsInFlight);
      maxRequestsInFlight = checkRange("maxRequestsInFlight", value, 1, 10_000);
      return this;
    }

    /**
     * Sets the most records per PutRecords request (and per batch); default and maximum {@value
     * KinesisSink#MAX_RECORDS_PER_REQUEST}.
     *
     * @param value 1 to {@value KinesisSink#MAX_RECORDS_PER_REQUEST}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRecordsPerRequest(int value) {
      requireUnset("maxRecordsPerRequest", maxRecordsPerRequest);
      maxRecordsPerRequest = checkRange("maxRecordsPerRequest", value, 1, MAX_RECORDS_PER_REQUEST);
      return this;
    }

    /**
     * Sets the most bytes per PutRecords request, data plus partition keys; default 5 MiB. Also the
     * batch byte limit of {@link KinesisSink#limits()}.
     *
     * @param value 1 to {@value KinesisSink#MAX_REQUEST_BYTES} (10 MiB), at least {@code
     *     maxRecordBytes}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRequestBytes(int value) {
      requireUnset("maxRequestBytes", maxRequestBytes);
      maxRequestBytes = checkRange("maxRequestBytes", value, 1, MAX_REQUEST_BYTES);
      return this;
    }

    /**
     * Sets the most bytes per record, data plus partition key; default 1 MiB, the default of a
     * stream's {@code MaxRecordSizeInKiB}. Set it to the stream's value. A larger record is
     * answered fatal {@link FatalReason#TOO_LARGE} and never sent.
     *
     * @param value 1 to {@value KinesisSink#MAX_RECORD_BYTES} (10 MiB)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxRecordBytes(int value) {
      requireUnset("maxRecordBytes", maxRecordBytes);
      int checked = checkRange("maxRecordBytes", value, 1, MAX_RECORD_BYTES);
      if (maxRecordBytesFromStream != null) {
        throw new IllegalStateException(
            "maxRecordBytes cannot be set together with maxRecordBytesFromStream");
      }
      maxRecordBytes = checked;
      return this;
    }

    /**
     * Reads the record limit from the stream instead of setting {@code maxRecordBytes}: {@link
     * #build()} calls {@code DescribeStreamSummary} (by stream name or ARN) and waits for it at
     * most {@code apiCallTimeout} (default 15 seconds). If the stream reports {@code
     * MaxRecordSizeInKiB} (streams since the 2025 large-record change), the record limit is that
     * many KiB, at most {@value KinesisSink#MAX_RECORD_BYTES} bytes; if it does not (older
     * endpoints, emulators), the default {@value KinesisSink#DEFAULT_RECORD_BYTES} bytes (1 MiB).
     * Without {@code maxRequestBytes}, the request limit becomes the larger of 5 MiB and the record
     * limit. The limit chosen is logged at INFO. A stream whose limit is changed later ({@code
     * UpdateMaxRecordSize}) needs a new sink.
     *
     * @return this builder
     * @throws IllegalStateException if already set, or if {@code maxRecordBytes} was set
     */
    public Builder maxRecordBytesFromStream() {
      requireUnset("maxRecordBytesFromStream", maxRecordBytesFromStream);
      if (maxRecordBytes != null) {
        throw new IllegalStateException(
            "maxRecordBytesFromStream cannot be set together with maxRecordBytes ("
                + maxRecordBytes
                + ")");
      }
      maxRecordBytesFromStream = Boolean.TRUE;
      return this;
    }

    /**
     * Sets how partition keys are chosen; default {@link PartitionKeyStrategy#randomUuid()}.
     *
     * @param value the strategy
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder partitionKeys(PartitionKeyStrategy value) {
      requireUnset("partitionKeys", partitionKeys);
      partitionKeys = Objects.requireNonNull(value, "partitionKeys");
      return this;
    }

    /**
     * Turns on KPL aggregation: the records of a batch are packed into KPL aggregated records
     * (which consumers built on the KCL deaggregate transparently), so that many small records take
     * one Kinesis record, one entry of the request and one record of the shard's 1,000 records per
     * second; default off, one Kinesis record per record.
     *
     * <p>Each aggregate has one partition key, and every record inside carries it: with {@link
     * PartitionKeyStrategy#randomUuid()} (the default) each aggregate gets a key from the
     * aggregator's key supplier (a fresh random UUID by default); with any other strategy records
     * with equal keys share aggregates under their key. An aggregate of one record is put plain.
     * The outcome of an aggregate's entry is the outcome of every record in it: a throttled
     * aggregate makes all its records retryable, and the dispatcher's retry aggregates them anew. A
     * record whose payload plus key exceed {@code maxRecordBytes} is still answered fatal {@link
     * FatalReason#TOO_LARGE} and never sent. {@link KinesisSinkMetrics#recordsPut()} counts
     * records, {@link KinesisSinkMetrics#kinesisRecordsPut()} the Kinesis records that carried
     * them.
     *
     * @param aggregator packs the records; its {@link KplAggregator#maxAggregateBytes()} must not
     *     exceed {@code maxRecordBytes}
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code aggregator} is null
     */
    public Builder aggregation(KplAggregator aggregator) {
      requireUnset("aggregation", aggregation);
      aggregation = Objects.requireNonNull(aggregator, "aggregation");
      return this;
    }

    /**
     * Reports what the sink writes to a {@link CapacityMonitor} of the same stream: after each
     * PutRecords response, the entries and bytes Kinesis accepted and the entries it throttled.
     *
     * @param value the monitor
     * @return this builder
     * @throws IllegalArgumentException if the monitor watches another stream
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder capacityMonitor(CapacityMonitor value) {
      requireUnset("capacityMonitor", capacityMonitor);
      Objects.requireNonNull(value, "capacityMonitor");
      if (!value.stream().equals(stream)) {
        throw new IllegalArgumentException(
            "capacityMonitor watches stream '" + value.stream() + "', not '" + stream + "'");
      }
      capacityMonitor = value;
      return this;
    }

    /**
     * Sets how long records may wait to share a PutRecords request with the records of later {@link
     * KinesisSink#send(List)} calls, like the KPL's {@code RecordMaxBufferedTime}; default {@link
     * Duration#ZERO}: each batch is sent at once, one or more requests per batch.
     *
     * <p>Above zero, the sink accumulates the records of successive batches in arrival order and
     * sends them as one combined batch (through the same planning, partition keys, aggregation,
     * too-large handling and metrics as without linger) when the next record would take them over
     * {@code maxRecordsPerRequest} records or {@code maxRequestBytes} payload bytes, at once when
     * they reach either limit, and otherwise {@code linger} after the first of them arrived. Each
     * record's outcome goes back to its own batch at its own index, and a batch's stage completes
     * when all its records are answered. A dispatcher sending small batches then costs one request
     * per {@code linger} (or per full request) instead of one per batch, at the price of up to
     * {@code linger} more latency. The timer runs on one daemon thread, started by {@link #build()}
     * only when linger is above zero and stopped by {@link KinesisSink#close()}, which answers the
     * records still lingering retryable {@link RetryReason#NETWORK} {@code "sink closed"}.
     *
     * @param value zero to {@link KinesisSink#MAX_LINGER} (1 minute)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code value} is null
     */
    public Builder linger(Duration value) {
      requireUnset("linger", linger);
      Objects.requireNonNull(value, "linger");
      if (value.isNegative() || value.compareTo(MAX_LINGER) > 0) {
        throw new IllegalArgumentException(
            "linger must be in " + Duration.ZERO + ".." + MAX_LINGER + ", got " + value);
      }
      linger = value;
      return this;
    }

    /** Replaces the linger timer's daemon thread, e.g. with a fake clock; for tests. */
    Builder lingerScheduler(LingerCombiner.Scheduler value) {
      requireUnset("lingerScheduler", lingerScheduler);
      lingerScheduler = Objects.requireNonNull(value, "lingerScheduler");
      return this;
    }

    /** Replaces the plain planner, e.g. with an aggregating one; for this package. */
    Builder planner(RequestPlanner value) {
      requireUnset("planner", planner);
      planner = Objects.requireNonNull(value, "planner");
      return this;
    }

    /**
     * Shares an event loop group between clients, which then do not shut it down on close (a
     * client's own group takes 2 seconds to shut down); for tests.
     */
    Builder eventLoopGroup(SdkEventLoopGroup value) {
      requireUnset("eventLoopGroup", eventLoopGroup);
      eventLoopGroup = Objects.requireNonNull(value, "eventLoopGroup");
      return this;
    }

    /** Replaces {@link System#nanoTime()} for request latency; for tests. */
    Builder nanoClock(LongSupplier value) {
      requireUnset("nanoClock", nanoClock);
      nanoClock = Objects.requireNonNull(value, "nanoClock");
      return this;
    }

    /**
     * Checks the options against each other, builds the client unless one was given, and returns
     * the sink.
     *
     * @return the sink
     * @throws IllegalStateException if {@code client} was set together with a client option, if
     *     {@code maxRecordBytes} (set, or read from the stream) exceeds {@code maxRequestBytes}, if
     *     the {@code aggregation}'s {@code maxAggregateBytes} exceeds {@code maxRecordBytes}, if
     *     {@code maxConcurrency} is below {@code maxRequestsInFlight}, or if {@code apiCallTimeout}
     *     is below {@code apiCallAttemptTimeout}; with {@code maxRecordBytesFromStream}, also if
     *     {@code maxRequestBytes} was set below the stream's record limit
     * @throws KinesisSinkException with {@code maxRecordBytesFromStream}, if {@code
     *     DescribeStreamSummary} fails or does not answer within {@code apiCallTimeout}
     */
    public KinesisSink build() {
      if (maxRecordBytesFromStream == null) {
        int requestBytes = maxRequestBytes == null ? DEFAULT_REQUEST_BYTES : maxRequestBytes;
        int recordBytes = maxRecordBytes == null ? DEFAULT_RECORD_BYTES : maxRecordBytes;
        checkLimits(requestBytes, recordBytes);
      }
      if (client != null) {
        rejectWithClient("region", region);
        rejectWithClient("endpointOverride", endpointOverride);
        rejectWithClient("credentialsProvider", credentialsProvider);
        rejectWithClient("protocol", protocol);
        rejectWithClient("maxConcurrency", maxConcurrency);
        rejectWithClient("apiCallTimeout", apiCallTimeout);
        rejectWithClient("apiCallAttemptTimeout", apiCallAttemptTimeout);
        rejectWithClient("cbor", cbor);
        return withLimits(client, false, DEFAULT_CALL_TIMEOUT);
      }
      int inFlight =
          maxRequestsInFlight == null ? DEFAULT_MAX_REQUESTS_IN_FLIGHT : maxRequestsInFlight;
      int concurrency = maxConcurrency == null ? DEFAULT_MAX_CONCURRENCY : maxConcurrency;
      if (concurrency < inFlight) {
        throw new IllegalStateException(
            "maxConcurrency ("
                + concurrency
                + ") must be at least maxRequestsInFlight ("
                + inFlight
                + ")");
      }
      Duration attempt =
          apiCallAttemptTimeout == null ? DEFAULT_ATTEMPT_TIMEOUT : apiCallAttemptTimeout;
      Duration call = apiCallTimeout == null ? DEFAULT_CALL_TIMEOUT : apiCallTimeout;
      if (call.compareTo(attempt) < 0) {
        throw new IllegalStateException(
            "apiCallTimeout ("
                + call
                + ") must not be below apiCallAttemptTimeout ("
                + attempt
                + ")");
      }
      NettyNioAsyncHttpClient.Builder http =
          NettyNioAsyncHttpClient.builder()
              .protocol(protocol == null ? Protocol.HTTP1_1 : protocol)
              .maxConcurrency(concurrency);
      if (eventLoopGroup != null) {
        http.eventLoopGroup(eventLoopGroup);
      }
      KinesisAsyncClientBuilder b =
          KinesisAsyncClient.builder()
              .httpClientBuilder(http)
              .overrideConfiguration(
                  ClientOverrideConfiguration.builder()
                      .retryStrategy(AwsRetryStrategy.doNotRetry())
                      .apiCallAttemptTimeout(attempt)
                      .apiCallTimeout(call)
                      .build());
      if (region != null) {
        b.region(region);
      }
      if (endpointOverride != null) {
        b.endpointOverride(endpointOverride);
      }
      if (credentialsProvider != null) {
        b.credentialsProvider(credentialsProvider);
      }
      return withLimits(buildClient(b, cbor == null || cbor), true, call);
    }

    private void checkLimits(int requestBytes, int recordBytes) {
      if (recordBytes > requestBytes) {
        throw new IllegalStateException(
            "maxRecordBytes ("
                + recordBytes
                + ") must not exceed maxRequestBytes ("
                + requestBytes
                + ")");
      }
      if (aggregation != null && aggregation.maxAggregateBytes() > recordBytes) {
        throw new IllegalStateException(
            "aggregation maxAggregateBytes ("
                + aggregation.maxAggregateBytes()
                + ") must not exceed maxRecordBytes ("
                + recordBytes
                + ")");
      }
    }

    /** Resolves the byte limits (from the stream if asked) and builds the sink. */
    private KinesisSink withLimits(KinesisAsyncClient c, boolean owns, Duration callTimeout) {
      if (maxRecordBytesFromStream == null) {
        return new KinesisSink(
            this,
            c,
            owns,
            maxRequestBytes == null ? DEFAULT_REQUEST_BYTES : maxRequestBytes,
            maxRecordBytes == null ? DEFAULT_RECORD_BYTES : maxRecordBytes);
      }
      try {
        int recordBytes = recordBytesOfStream(c, callTimeout);
        int requestBytes;
        if (maxRequestBytes == null) {
          requestBytes = Math.max(DEFAULT_REQUEST_BYTES, recordBytes);
        } else if (maxRequestBytes < recordBytes) {
          throw new IllegalStateException(
              "maxRequestBytes ("
                  + maxRequestBytes
                  + ") is below the record limit of stream '"
                  + stream
                  + "' ("
                  + recordBytes
                  + "): raise maxRequestBytes or leave it unset");
        } else {
          requestBytes = maxRequestBytes;
        }
        checkLimits(requestBytes, recordBytes);
        LOG.info(
            "Kinesis stream {}: record limit {} bytes, request limit {} bytes",
            stream,
            recordBytes,
            requestBytes);
        return new KinesisSink(this, c, owns, requestBytes, recordBytes);
      } catch (RuntimeException e) {
        if (owns) {
          c.close();
        }
        throw e;
      }
    }

    /** The stream's {@code MaxRecordSizeInKiB} in bytes, capped; 1 MiB if it reports none. */
    private int recordBytesOfStream(KinesisAsyncClient c, Duration callTimeout) {
      DescribeStreamSummaryRequest.Builder request = DescribeStreamSummaryRequest.builder();
      if (stream.startsWith("arn:")) {
        request.streamARN(stream);
      } else {
        request.streamName(stream);
      }
      Integer kib;
      try {
        kib =
            c.describeStreamSummary(request.build())
                .get(callTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .streamDescriptionSummary()
                .maxRecordSizeInKiB();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw describeFailed(e);
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        throw describeFailed(
            e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
      }
      if (kib == null) {
        LOG.info(
            "Kinesis stream {} does not report MaxRecordSizeInKiB: using the default record limit"
                + " of {} bytes",
            stream,
            DEFAULT_RECORD_BYTES);
        return DEFAULT_RECORD_BYTES;
      }
      long bytes = kib * 1024L;
      if (bytes > MAX_RECORD_BYTES || bytes < 1) {
        LOG.info(
            "Kinesis stream {} reports MaxRecordSizeInKiB {}: capping the record limit at {} bytes",
            stream,
            kib,
            MAX_RECORD_BYTES);
        return bytes < 1 ? DEFAULT_RECORD_BYTES : MAX_RECORD_BYTES;
      }
      return (int) bytes;
    }

    private KinesisSinkException describeFailed(Throwable cause) {
      return new KinesisSinkException(
          "maxRecordBytesFromStream: DescribeStreamSummary of stream '"
              + stream
              + "' failed ("
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage()
              + "); set maxRecordBytes explicitly",
          cause);
    }

    private static KinesisAsyncClient buildClient(KinesisAsyncClientBuilder b, boolean cbor) {
      synchronized (CBOR_LOCK) {
        String previous = System.getProperty(CBOR_PROPERTY);
        System.setProperty(CBOR_PROPERTY, Boolean.toString(cbor));
        try {
          return b.build();
        } finally {
          if (previous == null) {
            System.clearProperty(CBOR_PROPERTY);
          } else {
            System.setProperty(CBOR_PROPERTY, previous);
          }
        }
      }
    }

    private static void rejectWithClient(String option, Object value) {
      if (value != null) {
        throw new IllegalStateException(
            option + " cannot be set together with client: configure the given client instead");
      }
    }

    private static int checkRange(String option, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            option + " must be in " + min + ".." + max + ", got " + value);
      }
      return value;
    }

    private static Duration checkTimeout(String option, Duration value) {
      Objects.requireNonNull(value, option);
      if (value.isNegative() || value.isZero() || value.compareTo(TIMEOUT_LIMIT) > 0) {
        throw new IllegalArgumentException(
            option + " must be positive and at most " + TIMEOUT_LIMIT + ", got " + value);
      }
      return value;
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }
  }
}
