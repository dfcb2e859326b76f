package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.SinkLimits;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random outcomes per record and attempt, random contract breaches, random batch completion order
 * and random time steps. Whatever happens, when nothing crashes: the buffer is committed only past
 * finished records, and in the end every record is delivered exactly once or dead-lettered exactly
 * once, never both, and everything is committed.
 */
class DispatcherProperties {
  private static final int MAX_RECORD_BYTES = 40;

  @Property(tries = 300)
  void dispatch_anyOutcomesOrderAndTiming_finishesEveryRecordExactlyOnce(
      @ForAll @IntRange(min = 1, max = 60) int records,
      @ForAll @IntRange(min = 1, max = 8) int maxRecordsPerBatch,
      @ForAll @IntRange(min = 1, max = 4) int maxBatchesInFlight,
      @ForAll @IntRange(min = 1, max = 6) int maxAttempts,
      @ForAll boolean resetOnProgress,
      @ForAll long seed) {
    Random random = new Random(seed);
    FakeScheduler scheduler = new FakeScheduler();
    FakeSource source = new FakeSource();
    InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    ScriptedSink sink =
        new ScriptedSink(
                new SinkLimits(maxRecordsPerBatch, 40 + random.nextInt(160), MAX_RECORD_BYTES),
                scheduler::nanoTime)
            .hold();
    for (int i = 0; i < records; i++) {
      long sequence = source.add(new byte[1 + random.nextInt(MAX_RECORD_BYTES + 5)]);
      int failures = random.nextInt(5);
      for (int attempt = 0; attempt < failures; attempt++) {
        sink.script(sequence, randomFailure(random));
      }
      if (random.nextInt(8) == 0) {
        source.skip(1 + random.nextInt(3));
      }
    }
    for (int i = random.nextInt(4); i > 0; i--) {
      sink.misbehave(
          List.of(
                  ScriptedSink.Misbehaviour.THROW,
                  ScriptedSink.Misbehaviour.NULL_STAGE,
                  ScriptedSink.Misbehaviour.FAIL_NETWORK,
                  ScriptedSink.Misbehaviour.NULL_LIST,
                  ScriptedSink.Misbehaviour.WRONG_SIZE,
                  ScriptedSink.Misbehaviour.NULL_ELEMENT)
              .get(random.nextInt(6)));
    }
    if (random.nextInt(4) == 0) {
      deadLetters.failNextWrites(1 + random.nextInt(2));
    }
    Dispatcher dispatcher =
        Dispatcher.builder(source, sink)
            .deadLetterStore(deadLetters)
            .scheduler(scheduler)
            .ticker(scheduler::nanoTime)
            .clock(scheduler.clock())
            .random(new Random(seed + 1))
            .maxBatchesInFlight(maxBatchesInFlight)
            .sendTimeout(Duration.ofHours(1))
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(maxAttempts)
                    .resetOnProgress(resetOnProgress)
                    .build())
            .build();
    dispatcher.start();
    scheduler.runDue();

    for (int step = 0; step < 400; step++) {
      List<Integer> pending = sink.pending();
      if (!pending.isEmpty() && random.nextInt(3) != 0) {
        sink.complete(pending.get(random.nextInt(pending.size())));
        scheduler.runDue();
      } else {
        scheduler.advance(Duration.ofMillis(random.nextInt(3000)));
      }
      assertCommittedOnlyFinishedRecords(source, sink, deadLetters);
      assertThat(dispatcher.metrics().batchesInFlight()).isLessThanOrEqualTo(maxBatchesInFlight);
    }
    for (int round = 0; round < 1000 && source.lastCommit() != source.lastSequence(); round++) {
      for (int call : sink.pending()) {
        sink.complete(call);
      }
      scheduler.advance(Duration.ofMinutes(10));
      assertCommittedOnlyFinishedRecords(source, sink, deadLetters);
    }

    Set<Long> delivered = sink.deliveries().keySet();
    Set<Long> deadLettered = new HashSet<>();
    for (DeadLetter letter : deadLetters.letters()) {
      assertThat(deadLettered.add(letter.sequence())).as("dead-lettered twice").isTrue();
      assertThat(letter.attempts()).isLessThanOrEqualTo(maxAttempts);
    }
    assertThat(sink.deliveries().values()).allSatisfy(count -> assertThat(count).isEqualTo(1));
    Set<Long> both = new HashSet<>(delivered);
    both.retainAll(deadLettered);
    assertThat(both).as("delivered and dead-lettered").isEmpty();
    assertThat(delivered.size() + deadLettered.size()).isEqualTo(records);
    assertThat(source.lastCommit()).isEqualTo(source.lastSequence());
    DispatcherMetrics metrics = dispatcher.metrics();
    assertThat(metrics.recordsRead()).isEqualTo(records);
    assertThat(metrics.recordsDelivered()).isEqualTo(delivered.size());
    assertThat(metrics.recordsDeadLettered()).isEqualTo(deadLettered.size());
    assertThat(metrics.recordsInFlight()).isZero();
    assertThat(metrics.retriesPending()).isZero();
    assertThat(metrics.uncommittedRecords()).isZero();
    assertThat(sink.maxInFlight()).isLessThanOrEqualTo(maxBatchesInFlight);
  }

  private static RecordOutcome randomFailure(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> RecordOutcome.fatal(FatalReason.INVALID, "bad");
      case 1 -> RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, "InternalFailure");
      default -> ScriptedSink.throttled();
    };
  }

  private static void assertCommittedOnlyFinishedRecords(
      FakeSource source, ScriptedSink sink, InMemoryDeadLetterStore deadLetters) {
    Set<Long> finished = new HashSet<>(sink.deliveries().keySet());
    deadLetters.letters().forEach(letter -> finished.add(letter.sequence()));
    for (long sequence = 0; sequence <= source.lastCommit(); sequence++) {
      if (source.contains(sequence)) {
        assertThat(finished).as("committed %s before it finished", sequence).contains(sequence);
      }
    }
  }
}
