package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher against an in-memory source, a scripted sink and a scheduler whose time moves only
 * when the test advances it; jitter is fixed at the midpoint, so every retry time is exact.
 */
class DispatcherTest {
  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeSource source = new FakeSource();
  private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();

  private ScriptedSink sink(int maxRecords, long maxBatchBytes, int maxRecordBytes) {
    return new ScriptedSink(
        new SinkLimits(maxRecords, maxBatchBytes, maxRecordBytes), scheduler::nanoTime);
  }

  private ScriptedSink sink(int maxRecords) {
    return sink(maxRecords, 1 << 20, 1 << 10);
  }

  private Dispatcher.Builder builder(ScriptedSink sink) {
    return Dispatcher.builder(source, sink)
        .deadLetterStore(deadLetters)
        .scheduler(scheduler)
        .ticker(scheduler::nanoTime)
        .clock(scheduler.clock())
        .random(FixedRandom.middle());
  }

  private Dispatcher started(Dispatcher.Builder builder) {
    Dispatcher dispatcher = builder.build();
    dispatcher.start();
    scheduler.runDue();
    return dispatcher;
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  private static List<Duration> times(ScriptedSink sink) {
    return sink.calls().stream().map(call -> call.at).toList();
  }

  private static List<List<Long>> batches(ScriptedSink sink) {
    return sink.calls().stream().map(call -> call.sequences).toList();
  }

  private static Map<Long, Integer> once(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to)
        .boxed()
        .collect(Collectors.toMap(s -> s, s -> 1));
  }

  /* --------------- batching --------------- */

  @Test
  void start_allDelivered_sendsFullBatchesAndCommitsEverythingOnce() {
    ScriptedSink sink = sink(3);
    source.addRecords(8, 10);

    Dispatcher dispatcher = started(builder(sink));

    assertThat(batches(sink))
        .containsExactly(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L, 7L));
    assertThat(sink.deliveries()).isEqualTo(once(0, 7));
    assertThat(source.lastCommit()).isEqualTo(7);
    assertThat(dispatcher.metrics())
        .isEqualTo(new DispatcherMetrics(8, 8, 8, 0, Map.of(), 0, 0, 0, 0, 0, 0, 7));
  }

  @Test
  void start_batchByteLimit_closesEachBatchBeforeItsBytesExceedTheLimit() {
    ScriptedSink sink = sink(10, 25, 10);
    source.addRecords(5, 10);

    started(builder(sink));

    assertThat(batches(sink)).containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L));
  }

  @Test
  void send_payload_isAnExactlySizedCopyThatOutlivesTheSourceView() {
    ScriptedSink sink = sink(10);
    source.add("{\"log\":\"first\"}");
    source.add("{\"log\":\"second, longer\"}");

    started(builder(sink));

    List<SinkRecord> sent = sink.call(0).records;
    assertThat(sent.get(0).payload()).isEqualTo(source.payload(0)).hasSize(15);
    assertThat(sent.get(1).payload()).isEqualTo(source.payload(1)).hasSize(24);
  }

  @Test
  void send_retry_passesTheSamePayloadArrayAgain() {
    ScriptedSink sink = sink(10);
    source.add("a");
    sink.script(0, ScriptedSink.throttled());

    started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(sink.call(1).records.get(0).payload())
        .isSameAs(sink.call(0).records.get(0).payload());
  }

  @Test
  void read_recordLargerThanTheSinkAccepts_isDeadLetteredAtOnceWithBothSizesAndNeverSent() {
    ScriptedSink sink = sink(10, 1000, 100);
    source.addRecords(1, 10);
    source.addRecords(1, 101);
    source.addRecords(1, 10);

    Dispatcher dispatcher = started(builder(sink));

    assertThat(batches(sink)).containsExactly(List.of(0L, 2L));
    assertThat(deadLetters.letters())
        .containsExactly(
            new DeadLetter(
                1,
                source.payload(1),
                RecordOutcome.fatal(
                    FatalReason.TOO_LARGE,
                    "record of 101 bytes exceeds the sink's maximum of 100 bytes per record"),
                0,
                FakeScheduler.EPOCH,
                FakeScheduler.EPOCH));
    assertThat(source.lastCommit()).isEqualTo(2);
    assertThat(dispatcher.metrics().recordsDeadLetteredByReason())
        .isEqualTo(Map.of("TOO_LARGE", 1L));
  }

  @Test
  void read_recordLargerThanABatch_isDeadLetteredAtOnce() {
    ScriptedSink sink = sink(10, 100, 100);
    source.addRecords(1, 5000);

    started(builder(sink));

    assertThat(sink.calls()).isEmpty();
    assertThat(deadLetters.letters()).extracting(DeadLetter::reason).containsExactly("TOO_LARGE");
    assertThat(source.lastCommit()).isEqualTo(0);
  }

  @Test
  void read_tooLargeRecordsFillingTheMemoryBound_doNotStallReading() {
    ScriptedSink sink = sink(1, 100, 100);
    source.addRecords(3, 200);
    source.addRecords(2, 10);

    started(builder(sink).maxBatchesInFlight(1));

    assertThat(deadLetters.letters()).extracting(DeadLetter::sequence).containsExactly(0L, 1L, 2L);
    assertThat(batches(sink)).containsExactly(List.of(3L), List.of(4L));
    assertThat(source.lastCommit()).isEqualTo(4);
  }

  /* --------------- outcomes --------------- */

  @Test
  void partialFailure_resendsOnlyTheFailedRecordsAfterTheInitialDelay() {
    ScriptedSink sink = sink(10);
    source.addRecords(4, 10);
    sink.script(1, ScriptedSink.throttled());
    sink.script(3, RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, "InternalFailure"));

    Dispatcher dispatcher = started(builder(sink));
    assertThat(source.lastCommit()).isEqualTo(0);
    assertThat(dispatcher.metrics().retriesPending()).isEqualTo(2);

    scheduler.advance(seconds(0.999));
    assertThat(sink.calls()).hasSize(1);
    scheduler.advance(seconds(0.001));

    assertThat(batches(sink)).containsExactly(List.of(0L, 1L, 2L, 3L), List.of(1L, 3L));
    assertThat(times(sink)).containsExactly(Duration.ZERO, seconds(1));
    assertThat(sink.deliveries()).isEqualTo(once(0, 3));
    assertThat(source.lastCommit()).isEqualTo(3);
    assertThat(dispatcher.metrics().recordsRetried()).isEqualTo(2);
    assertThat(dispatcher.metrics().recordsSent()).isEqualTo(6);
  }

  @Test
  void fatalOutcome_isDeadLetteredAtOnceAndCommittedPast() {
    ScriptedSink sink = sink(10);
    source.addRecords(3, 10);
    sink.script(1, RecordOutcome.fatal(FatalReason.INVALID, "InvalidArgumentException: bad key"));

    Dispatcher dispatcher = started(builder(sink));

    assertThat(sink.calls()).hasSize(1);
    assertThat(deadLetters.letters())
        .containsExactly(
            new DeadLetter(
                1,
                source.payload(1),
                RecordOutcome.fatal(FatalReason.INVALID, "InvalidArgumentException: bad key"),
                1,
                FakeScheduler.EPOCH,
                FakeScheduler.EPOCH));
    assertThat(source.lastCommit()).isEqualTo(2);
    assertThat(dispatcher.metrics().recordsDeadLettered()).isEqualTo(1);
    assertThat(dispatcher.metrics().recordsDelivered()).isEqualTo(2);
  }

  @Test
  void alwaysThrottled_isSentAtTheExactBackoffTimesAndDeadLetteredAfter17Attempts() {
    ScriptedSink sink = sink(10);
    source.addRecords(1, 10);
    sink.always(0, ScriptedSink.throttled());

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(Duration.ofHours(2));

    // waits 1, 2, 4 ... 256 s, then the 300 s cap
    assertThat(times(sink))
        .containsExactly(
            seconds(0),
            seconds(1),
            seconds(3),
            seconds(7),
            seconds(15),
            seconds(31),
            seconds(63),
            seconds(127),
            seconds(255),
            seconds(511),
            seconds(811),
            seconds(1111),
            seconds(1411),
            seconds(1711),
            seconds(2011),
            seconds(2311),
            seconds(2611));
    assertThat(deadLetters.letters())
        .containsExactly(
            new DeadLetter(
                0,
                source.payload(0),
                ScriptedSink.throttled(),
                17,
                FakeScheduler.EPOCH,
                FakeScheduler.EPOCH.plusSeconds(2611)));
    assertThat(source.lastCommit()).isEqualTo(0);
    assertThat(dispatcher.metrics().recordsRetried()).isEqualTo(16);
    assertThat(dispatcher.metrics().recordsDeadLetteredByReason())
        .isEqualTo(Map.of("THROTTLED", 1L));
  }

  @Test
  void jitter_lowestDraw_shortensEachWaitByTheJitterFraction() {
    ScriptedSink sink = sink(10);
    source.addRecords(1, 10);
    sink.script(0, ScriptedSink.throttled(), ScriptedSink.throttled());

    Dispatcher dispatcher =
        Dispatcher.builder(source, sink)
            .deadLetterStore(deadLetters)
            .scheduler(scheduler)
            .ticker(scheduler::nanoTime)
            .clock(scheduler.clock())
            .random(new FixedRandom(0.0))
            .build();
    dispatcher.start();
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(times(sink)).containsExactly(seconds(0), seconds(0.875), seconds(0.875 + 1.75));
  }

  @Test
  void resetOnProgress_retryBatchThatDeliversSome_startsItsFailuresAgainFromTheInitialDelay() {
    ScriptedSink sink = sink(10);
    source.addRecords(2, 10);
    sink.script(0, ScriptedSink.throttled());
    sink.script(1, ScriptedSink.throttled(), ScriptedSink.throttled(), ScriptedSink.throttled());

    started(builder(sink));
    scheduler.advance(Duration.ofSeconds(60));

    // t=1: [0, 1], 0 delivered, so 1 waits 1 s again; t=2: [1] alone fails, so it waits 2 s
    assertThat(times(sink)).containsExactly(seconds(0), seconds(1), seconds(2), seconds(4));
    assertThat(batches(sink))
        .containsExactly(List.of(0L, 1L), List.of(0L, 1L), List.of(1L), List.of(1L));
    assertThat(sink.deliveries()).isEqualTo(once(0, 1));
  }

  @Test
  void resetOnProgressOff_retryBatchThatDeliversSome_keepsGrowingTheBackoff() {
    ScriptedSink sink = sink(10);
    source.addRecords(2, 10);
    sink.script(0, ScriptedSink.throttled());
    sink.script(1, ScriptedSink.throttled(), ScriptedSink.throttled(), ScriptedSink.throttled());

    started(builder(sink).retryPolicy(RetryPolicy.builder().resetOnProgress(false).build()));
    scheduler.advance(Duration.ofSeconds(60));

    assertThat(times(sink)).containsExactly(seconds(0), seconds(1), seconds(3), seconds(7));
  }

  @Test
  void hotShard_everyRetryDeliversSome_retriesEverySecondInsteadOfBackingOff() {
    ScriptedSink sink = sink(10);
    source.addRecords(5, 10);
    for (int sequence = 0; sequence < 5; sequence++) {
      sink.script(
          sequence,
          java.util.Collections.nCopies(sequence + 1, ScriptedSink.throttled())
              .toArray(new RecordOutcome[0]));
    }

    started(builder(sink));
    scheduler.advance(Duration.ofMinutes(1));

    // record k is throttled k + 1 times; each retry batch delivers one, so the rest wait 1 s again
    assertThat(times(sink))
        .containsExactly(seconds(0), seconds(1), seconds(2), seconds(3), seconds(4), seconds(5));
    assertThat(sink.deliveries()).isEqualTo(once(0, 4));
  }

  @Test
  void hotShardWithoutReset_backsOffExponentially() {
    ScriptedSink sink = sink(10);
    source.addRecords(5, 10);
    for (int sequence = 0; sequence < 5; sequence++) {
      sink.script(
          sequence,
          java.util.Collections.nCopies(sequence + 1, ScriptedSink.throttled())
              .toArray(new RecordOutcome[0]));
    }

    started(builder(sink).retryPolicy(RetryPolicy.builder().resetOnProgress(false).build()));
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(times(sink))
        .containsExactly(seconds(0), seconds(1), seconds(3), seconds(7), seconds(15), seconds(31));
  }

  @Test
  void maxAge_lastRetryHappensAtTheDeadlineThenTheRecordIsGivenUp() {
    ScriptedSink sink = sink(10);
    source.addRecords(1, 10);
    sink.always(0, ScriptedSink.throttled());

    started(
        builder(sink).retryPolicy(RetryPolicy.builder().maxAge(Duration.ofSeconds(10)).build()));
    scheduler.advance(Duration.ofMinutes(5));

    assertThat(times(sink))
        .containsExactly(seconds(0), seconds(1), seconds(3), seconds(7), seconds(10));
    assertThat(deadLetters.letters())
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.attempts()).isEqualTo(5);
              assertThat(letter.lastAttempt()).isEqualTo(FakeScheduler.EPOCH.plusSeconds(10));
            });
  }

  /* --------------- commits --------------- */

  @Test
  void outOfOrderCompletion_commitsOnlyTheContiguousPrefix() {
    ScriptedSink sink = sink(2).hold();
    source.addRecords(6, 10);

    started(builder(sink).maxBatchesInFlight(3));
    assertThat(batches(sink)).containsExactly(List.of(0L, 1L), List.of(2L, 3L), List.of(4L, 5L));

    sink.complete(2);
    scheduler.runDue();
    assertThat(source.commits()).isEmpty();
    sink.complete(1);
    scheduler.runDue();
    assertThat(source.commits()).isEmpty();
    sink.complete(0);
    scheduler.runDue();

    assertThat(source.commits()).containsExactly(5L);
  }

  @Test
  void pendingRetry_holdsBackTheCommitOfLaterDeliveredRecords() {
    ScriptedSink sink = sink(2);
    source.addRecords(6, 10);
    sink.script(1, ScriptedSink.throttled());

    Dispatcher dispatcher = started(builder(sink));
    assertThat(source.lastCommit()).isEqualTo(0);
    assertThat(dispatcher.metrics().uncommittedRecords()).isEqualTo(5);

    scheduler.advance(seconds(1));

    assertThat(source.commits()).containsExactly(0L, 5L);
    assertThat(dispatcher.metrics().uncommittedRecords()).isZero();
  }

  @Test
  void sequenceGaps_areCommittedPast() {
    ScriptedSink sink = sink(10);
    source.addRecords(2, 10);
    source.skip(5);
    source.addRecords(2, 10);

    started(builder(sink));

    assertThat(batches(sink)).containsExactly(List.of(0L, 1L, 7L, 8L));
    assertThat(source.lastCommit()).isEqualTo(8);
  }

  /* --------------- bounds --------------- */

  @Test
  void maxBatchesInFlight_neverMoreBatchesAwaitAnOutcome() {
    ScriptedSink sink = sink(2).hold();
    source.addRecords(20, 10);

    Dispatcher dispatcher = started(builder(sink).maxBatchesInFlight(2));
    assertThat(sink.calls()).hasSize(2);
    assertThat(source.readCount()).isEqualTo(4);
    assertThat(dispatcher.metrics().batchesInFlight()).isEqualTo(2);
    assertThat(dispatcher.metrics().recordsInFlight()).isEqualTo(4);

    while (!sink.pending().isEmpty()) {
      sink.complete(sink.pending().get(0));
      scheduler.runDue();
    }

    assertThat(sink.calls()).hasSize(10);
    assertThat(sink.maxInFlight()).isEqualTo(2);
    assertThat(source.lastCommit()).isEqualTo(19);
  }

  @Test
  void failingDestination_recordsWaitInTheBufferNotInMemory() {
    ScriptedSink sink = sink(5).otherwise(ScriptedSink.throttled());
    source.addRecords(1000, 10);

    Dispatcher dispatcher = started(builder(sink).maxBatchesInFlight(2));
    scheduler.advance(Duration.ofMinutes(2));

    // 2 batches of 5 are held while they fail; nothing else is read
    assertThat(source.readCount()).isEqualTo(10);
    assertThat(dispatcher.metrics().retriesPending() + dispatcher.metrics().recordsInFlight())
        .isEqualTo(10);
  }

  @Test
  void maxUncommittedRecords_stopsReadingWhileAnEarlyRecordHoldsTheCommit() {
    ScriptedSink sink = sink(2);
    source.addRecords(100, 10);
    sink.script(0, ScriptedSink.throttled());

    Dispatcher dispatcher = started(builder(sink).maxUncommittedRecords(7));
    assertThat(source.readCount()).isEqualTo(7);
    assertThat(dispatcher.metrics().uncommittedRecords()).isEqualTo(7);

    scheduler.advance(seconds(1));

    assertThat(source.readCount()).isEqualTo(100);
    assertThat(source.lastCommit()).isEqualTo(99);
  }

  /* --------------- the sink breaking its contract --------------- */

  @Test
  void sinkThrows_retriesTheBatchAsInternalFailureAndCountsAViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.THROW);
    source.addRecords(2, 10);

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(times(sink)).containsExactly(seconds(0), seconds(1));
    assertThat(sink.deliveries()).isEqualTo(once(0, 1));
    assertThat(dispatcher.metrics().sinkContractViolations()).isEqualTo(1);
    assertThat(source.lastCommit()).isEqualTo(1);
  }

  @Test
  void sinkThrows_lastAttempt_deadLettersWithTheViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.THROW);
    source.addRecords(1, 10);

    started(builder(sink).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));

    assertThat(deadLetters.letters())
        .singleElement()
        .extracting(DeadLetter::outcome)
        .isEqualTo(
            RecordOutcome.retryable(
                RetryReason.INTERNAL_FAILURE,
                "sink.send threw java.lang.IllegalStateException: sink bug"));
  }

  @Test
  void sinkReturnsNoStage_retriesTheBatchAndCountsAViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.NULL_STAGE);
    source.addRecords(2, 10);

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(sink.deliveries()).isEqualTo(once(0, 1));
    assertThat(dispatcher.metrics().sinkContractViolations()).isEqualTo(1);
  }

  @Test
  void stageCompletesExceptionally_retriesTheWholeBatchAsNetwork() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.FAIL_NETWORK);
    source.addRecords(3, 10);

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(batches(sink)).containsExactly(List.of(0L, 1L, 2L), List.of(0L, 1L, 2L));
    assertThat(sink.deliveries()).isEqualTo(once(0, 2));
    assertThat(dispatcher.metrics().sinkContractViolations()).isZero();
  }

  @Test
  void stageCompletesExceptionally_lastAttempt_deadLettersAsNetworkWithTheCause() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.FAIL_NETWORK);
    source.addRecords(1, 10);

    started(builder(sink).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));

    assertThat(deadLetters.letters())
        .singleElement()
        .extracting(DeadLetter::outcome)
        .isEqualTo(
            RecordOutcome.retryable(RetryReason.NETWORK, "java.io.IOException: Connection reset"));
  }

  @Test
  void stageCompletesWithATimeout_lastAttempt_deadLettersAsTimeout() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.FAIL_TIMEOUT);
    source.addRecords(1, 10);

    started(builder(sink).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));

    assertThat(deadLetters.letters())
        .singleElement()
        .extracting(DeadLetter::outcome)
        .isEqualTo(
            RecordOutcome.retryable(
                RetryReason.TIMEOUT, "java.util.concurrent.TimeoutException: read timed out"));
  }

  @Test
  void wrongSizedOutcomeList_retriesEveryRecordAndCountsAViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.WRONG_SIZE);
    source.addRecords(3, 10);

    Dispatcher dispatcher =
        started(builder(sink).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()));

    assertThat(deadLetters.letters())
        .extracting(DeadLetter::outcome)
        .containsOnly(
            RecordOutcome.retryable(
                RetryReason.INTERNAL_FAILURE, "the sink returned 2 outcomes for 3 records"));
    assertThat(deadLetters.letters()).hasSize(3);
    assertThat(dispatcher.metrics().sinkContractViolations()).isEqualTo(1);
  }

  @Test
  void nullOutcomeList_retriesEveryRecordAndCountsAViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.NULL_LIST);
    source.addRecords(2, 10);

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(sink.deliveries()).isEqualTo(once(0, 1));
    assertThat(dispatcher.metrics().sinkContractViolations()).isEqualTo(1);
  }

  @Test
  void nullOutcomeElement_retriesThatRecordOnlyAndCountsAViolation() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.NULL_ELEMENT);
    source.addRecords(3, 10);

    Dispatcher dispatcher = started(builder(sink));
    scheduler.advance(seconds(1));

    assertThat(batches(sink)).containsExactly(List.of(0L, 1L, 2L), List.of(0L));
    assertThat(sink.deliveries()).isEqualTo(once(0, 2));
    assertThat(dispatcher.metrics().sinkContractViolations()).isEqualTo(1);
  }

  @Test
  void stageNeverCompletes_isRetriedAsTimeoutAfterTheSendTimeoutAndTheLateOutcomeIgnored() {
    ScriptedSink sink = sink(10).misbehave(ScriptedSink.Misbehaviour.NEVER_COMPLETE);
    source.addRecords(2, 10);

    Dispatcher dispatcher = started(builder(sink).sendTimeout(Duration.ofSeconds(30)));
    scheduler.advance(Duration.ofSeconds(29));
    assertThat(dispatcher.metrics().batchesInFlight()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(dispatcher.metrics().batchesInFlight()).isZero();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(times(sink)).containsExactly(seconds(0), seconds(31));
    assertThat(source.lastCommit()).isEqualTo(1);

    sink.completeLate(0);
    scheduler.runDue();

    assertThat(dispatcher.metrics().recordsDelivered()).isEqualTo(2);
    assertThat(sink.deliveries()).isEqualTo(Map.of(0L, 2, 1L, 2));
  }

  /* --------------- dead-letter store failures --------------- */

  @Test
  void deadLetterStoreFails_recordStaysUncommittedAndIsWrittenAgainLater() {
    ScriptedSink sink = sink(10);
    source.addRecords(3, 10);
    sink.script(0, RecordOutcome.fatal(FatalReason.ACCESS_DENIED, "AccessDeniedException"));
    deadLetters.failNextWrites(2);

    Dispatcher dispatcher = started(builder(sink));
    assertThat(source.commits()).isEmpty();
    assertThat(dispatcher.metrics().deadLetterWriteFailures()).isEqualTo(1);
    scheduler.advance(seconds(0.999));
    assertThat(deadLetters.writes()).isEqualTo(1);
    scheduler.advance(seconds(0.001));
    assertThat(dispatcher.metrics().deadLetterWriteFailures()).isEqualTo(2);
    assertThat(source.commits()).isEmpty();

    scheduler.advance(seconds(1));

    assertThat(deadLetters.letters()).extracting(DeadLetter::sequence).containsExactly(0L);
    assertThat(source.lastCommit()).isEqualTo(2);
    assertThat(dispatcher.metrics().recordsDeadLettered()).isEqualTo(1);
  }

  /* --------------- polling --------------- */

  @Test
  void emptySource_isPolledEveryPollInterval() {
    ScriptedSink sink = sink(10);

    started(builder(sink).pollInterval(Duration.ofMillis(100)));
    scheduler.advance(Duration.ofMillis(250));
    int readsBefore = source.readCalls();
    source.addRecords(1, 10);
    scheduler.advance(Duration.ofMillis(49));
    assertThat(sink.calls()).isEmpty();
    scheduler.advance(Duration.ofMillis(1));

    assertThat(readsBefore).isEqualTo(3);
    assertThat(times(sink)).containsExactly(Duration.ofMillis(300));
  }

  @Test
  void idle_leavesOnlyTheNextPollScheduled() {
    ScriptedSink sink = sink(10);
    source.addRecords(3, 10);

    started(builder(sink));
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(scheduler.pendingTimes()).containsExactly(Duration.ofMillis(10_100));
  }

  /* --------------- stop --------------- */

  @Test
  void stop_finishesTheRecordsAlreadyReadAndReadsNoMore() {
    ScriptedSink sink = sink(2).hold();
    source.addRecords(6, 10);
    Dispatcher dispatcher = started(builder(sink).maxBatchesInFlight(1));

    CompletableFuture<Boolean> stopped = dispatcher.stop(Duration.ofSeconds(10));
    scheduler.runDue();
    assertThat(stopped).isNotDone();
    sink.complete(0);
    scheduler.runDue();

    assertThat(stopped).isCompletedWithValue(true);
    assertThat(source.readCount()).isEqualTo(2);
    assertThat(source.lastCommit()).isEqualTo(1);
    assertThat(sink.calls()).hasSize(1);
  }

  @Test
  void stop_waitsForPendingRetriesWithinTheTimeout() {
    ScriptedSink sink = sink(10);
    source.addRecords(2, 10);
    sink.script(1, ScriptedSink.throttled(), ScriptedSink.throttled());
    Dispatcher dispatcher = started(builder(sink));

    CompletableFuture<Boolean> stopped = dispatcher.stop(Duration.ofSeconds(5));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(stopped).isNotDone();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(stopped).isCompletedWithValue(true);
    assertThat(source.lastCommit()).isEqualTo(1);
    assertThat(times(sink)).containsExactly(seconds(0), seconds(1), seconds(3));
  }

  @Test
  void stop_timeoutBeforeARetryIsDue_stopsWithoutCommittingIt() {
    ScriptedSink sink = sink(10);
    source.addRecords(3, 10);
    sink.script(1, ScriptedSink.throttled());
    Dispatcher dispatcher = started(builder(sink));

    CompletableFuture<Boolean> stopped = dispatcher.stop(Duration.ofMillis(500));
    scheduler.advance(Duration.ofMillis(500));

    assertThat(stopped).isCompletedWithValue(false);
    assertThat(source.commits()).containsExactly(0L);
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(sink.calls()).hasSize(1);
    assertThat(scheduler.pendingTimes()).isEmpty();
  }

  @Test
  void stop_timeoutWithABatchInFlight_ignoresItsLateOutcome() {
    ScriptedSink sink = sink(10).hold();
    source.addRecords(2, 10);
    Dispatcher dispatcher = started(builder(sink));

    CompletableFuture<Boolean> stopped = dispatcher.stop(Duration.ZERO);
    scheduler.runDue();
    sink.complete(0);
    scheduler.runDue();

    assertThat(stopped).isCompletedWithValue(false);
    assertThat(source.commits()).isEmpty();
    assertThat(dispatcher.metrics().recordsDelivered()).isZero();
    assertThat(dispatcher.metrics().batchesInFlight()).isZero();
    assertThat(dispatcher.metrics().uncommittedRecords()).isEqualTo(2);
    assertThat(scheduler.pendingTimes()).isEmpty();
  }

  @Test
  void stop_twice_returnsTheFirstStage() {
    Dispatcher dispatcher = started(builder(sink(10)));

    CompletableFuture<Boolean> first = dispatcher.stop(Duration.ofSeconds(1));

    assertThat(dispatcher.stop(Duration.ZERO)).isSameAs(first);
    scheduler.runDue();
    assertThat(first).isCompletedWithValue(true);
  }

  @Test
  void stop_beforeStart_completesAtOnce() {
    Dispatcher dispatcher = builder(sink(10)).build();

    assertThat(dispatcher.stop(Duration.ofSeconds(1))).isCompletedWithValue(true);
  }

  @Test
  void stop_negativeTimeout_isRejectedWithTheValue() {
    Dispatcher dispatcher = builder(sink(10)).build();

    assertThatThrownBy(() -> dispatcher.stop(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drainTimeout must not be negative, got PT-1S");
  }

  @Test
  void start_twice_isRejected() {
    Dispatcher dispatcher = started(builder(sink(10)));

    assertThatThrownBy(dispatcher::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dispatcher already started");
  }

  @Test
  void start_afterStop_isRejected() {
    Dispatcher dispatcher = builder(sink(10)).build();
    dispatcher.stop(Duration.ZERO);

    assertThatThrownBy(dispatcher::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dispatcher was stopped and cannot start again");
  }

  /* --------------- builder --------------- */

  @Test
  void build_withoutADeadLetterStore_isRejectedSayingWhy() {
    assertThatThrownBy(() -> Dispatcher.builder(source, sink(10)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "deadLetterStore is required: records the dispatcher gives up on must go somewhere,"
                + " e.g. DirectoryDeadLetterStore.open(bufferDirectory.resolve(\"dead-letter\"))");
  }

  @Test
  void maxBatchesInFlight_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> builder(sink(10)).maxBatchesInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchesInFlight must be in 1..1024, got 0");
  }

  @Test
  void maxBatchesInFlight_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(() -> builder(sink(10)).maxBatchesInFlight(2).maxBatchesInFlight(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxBatchesInFlight was already set to 2");
  }

  @Test
  void pollInterval_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> builder(sink(10)).pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval must be in PT0.001S..PT1M, got PT0S");
  }

  @Test
  void sendTimeout_aboveAnHour_isRejectedWithTheValue() {
    assertThatThrownBy(() -> builder(sink(10)).sendTimeout(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sendTimeout must be in PT0.001S..PT1H, got PT1H1M");
  }

  @Test
  void maxUncommittedRecords_zero_isRejectedWithTheValue() {
    assertThatThrownBy(() -> builder(sink(10)).maxUncommittedRecords(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxUncommittedRecords must be in 1..1073741824, got 0");
  }

  @Test
  void drainTimeout_negative_isRejectedWithTheValue() {
    assertThatThrownBy(() -> builder(sink(10)).drainTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drainTimeout must be in PT0S..PT1H, got PT-0.001S");
  }

  @Test
  void deadLetterStore_twice_isRejected() {
    assertThatThrownBy(() -> builder(sink(10)).deadLetterStore(new InMemoryDeadLetterStore()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("deadLetterStore was already set to ");
  }

  @Test
  void scheduler_twice_isRejected() {
    assertThatThrownBy(() -> builder(sink(10)).scheduler(new FakeScheduler()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("scheduler was already set to ");
  }

  @Test
  void retryPolicy_twice_isRejectedWithTheFirstValue() {
    assertThatThrownBy(
            () ->
                builder(sink(10))
                    .retryPolicy(RetryPolicy.defaults())
                    .retryPolicy(RetryPolicy.defaults()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("retryPolicy was already set to " + RetryPolicy.defaults());
  }

  /* --------------- a busier run --------------- */

  @Test
  void mixedOutcomes_everyRecordIsDeliveredOnceOrDeadLetteredOnce() {
    ScriptedSink sink = sink(7);
    source.addRecords(200, 10);
    for (long sequence = 0; sequence < 200; sequence += 3) {
      sink.script(sequence, ScriptedSink.throttled());
    }
    for (long sequence = 1; sequence < 200; sequence += 10) {
      sink.script(sequence, RecordOutcome.fatal(FatalReason.INVALID, "bad"));
    }
    sink.script(5, ScriptedSink.throttled(), ScriptedSink.throttled());

    Dispatcher dispatcher = started(builder(sink).maxBatchesInFlight(3));
    scheduler.advance(Duration.ofMinutes(1));

    List<Long> deadLettered = deadLetters.letters().stream().map(DeadLetter::sequence).toList();
    assertThat(deadLettered)
        .containsExactlyInAnyOrderElementsOf(
            IntStream.iterate(1, s -> s < 200, s -> s + 10).mapToObj(s -> (long) s).toList());
    List<Long> delivered = new ArrayList<>(sink.deliveries().keySet());
    assertThat(sink.deliveries().values()).containsOnly(1);
    assertThat(delivered).doesNotContainAnyElementsOf(deadLettered);
    assertThat(delivered.size() + deadLettered.size()).isEqualTo(200);
    assertThat(source.lastCommit()).isEqualTo(199);
    DispatcherMetrics metrics = dispatcher.metrics();
    assertThat(metrics.recordsDelivered() + metrics.recordsDeadLettered()).isEqualTo(200);
    assertThat(metrics.recordsSent() - metrics.recordsRetried())
        .isEqualTo(metrics.recordsDelivered() + metrics.recordsDeadLettered());
  }
}
