package dev.logstream.buffer;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * A sink whose outcomes are scripted per record and attempt, and whose batches can be scripted to
 * break the contract. By default each stage completes inside {@code send}; with {@link #hold()}
 * stages stay pending until the test completes them, in any order.
 */
final class ScriptedSink implements Sink {
  /** What a scripted batch does instead of reporting per-record outcomes. */
  enum Misbehaviour {
    THROW,
    NULL_STAGE,
    FAIL_NETWORK,
    FAIL_TIMEOUT,
    NULL_LIST,
    WRONG_SIZE,
    NULL_ELEMENT,
    NEVER_COMPLETE
  }

  /** One call of {@link #send}. */
  static final class Call {
    final Duration at;
    final List<Long> sequences;
    final List<SinkRecord> records;
    final CompletableFuture<List<RecordOutcome>> stage = new CompletableFuture<>();
    List<RecordOutcome> planned;

    Call(Duration at, List<SinkRecord> records) {
      this.at = at;
      this.records = records;
      this.sequences = records.stream().map(SinkRecord::sequence).toList();
    }

    @Override
    public String toString() {
      return "Call{at=" + at + ", sequences=" + sequences + '}';
    }
  }

  private final SinkLimits limits;
  private final LongSupplier nanoTime;
  private final Map<Long, Deque<RecordOutcome>> scripts = new HashMap<>();
  private final Deque<Misbehaviour> misbehaviours = new ArrayDeque<>();
  private final List<Call> calls = new ArrayList<>();
  private final Map<Long, Integer> deliveries = new HashMap<>();
  private RecordOutcome otherwise = RecordOutcome.delivered();
  private boolean hold;
  private int inFlight;
  private int maxInFlight;

  ScriptedSink(SinkLimits limits, LongSupplier nanoTime) {
    this.limits = limits;
    this.nanoTime = nanoTime;
  }

  /** Scripts the outcomes of a record's next attempts; after them it is delivered. */
  ScriptedSink script(long sequence, RecordOutcome... outcomes) {
    scripts.computeIfAbsent(sequence, s -> new ArrayDeque<>()).addAll(Arrays.asList(outcomes));
    return this;
  }

  /** Scripts a record to fail the same way on every attempt. */
  ScriptedSink always(long sequence, RecordOutcome outcome) {
    return script(
        sequence, java.util.Collections.nCopies(10_000, outcome).toArray(new RecordOutcome[0]));
  }

  /** Outcome of every record without a script (default delivered). */
  ScriptedSink otherwise(RecordOutcome outcome) {
    otherwise = outcome;
    return this;
  }

  /** Scripts how the next batches break the contract, one per batch. */
  ScriptedSink misbehave(Misbehaviour... next) {
    misbehaviours.addAll(Arrays.asList(next));
    return this;
  }

  /** Keeps stages pending until {@link #complete(int)}. */
  ScriptedSink hold() {
    hold = true;
    return this;
  }

  @Override
  public SinkLimits limits() {
    return limits;
  }

  @Override
  public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    if (batch.isEmpty() || batch.size() > limits.maxRecordsPerBatch()) {
      throw new AssertionError("batch of " + batch.size() + " records");
    }
    long bytes = 0;
    for (SinkRecord record : batch) {
      if (record.payload().length > limits.maxRecordBytes()) {
        throw new AssertionError("record of " + record.payload().length + " bytes");
      }
      bytes += record.payload().length;
    }
    if (bytes > limits.maxBatchBytes()) {
      throw new AssertionError("batch of " + bytes + " bytes");
    }
    Call call = new Call(Duration.ofNanos(nanoTime.getAsLong()), batch);
    calls.add(call);
    Misbehaviour misbehaviour = misbehaviours.poll();
    if (misbehaviour == Misbehaviour.THROW) {
      throw new IllegalStateException("sink bug");
    }
    if (misbehaviour == Misbehaviour.NULL_STAGE) {
      return null;
    }
    List<RecordOutcome> outcomes = new ArrayList<>();
    for (SinkRecord record : batch) {
      Deque<RecordOutcome> script = scripts.get(record.sequence());
      RecordOutcome next = script == null || script.isEmpty() ? otherwise : script.poll();
      outcomes.add(next);
    }
    call.planned = outcomes;
    if (misbehaviour != null) {
      switch (misbehaviour) {
        case FAIL_NETWORK ->
            call.stage.completeExceptionally(new java.io.IOException("Connection reset"));
        case FAIL_TIMEOUT ->
            call.stage.completeExceptionally(
                new java.util.concurrent.CompletionException(
                    new java.util.concurrent.TimeoutException("read timed out")));
        case NULL_LIST -> call.stage.complete(null);
        case WRONG_SIZE -> call.stage.complete(outcomes.subList(0, outcomes.size() - 1));
        case NULL_ELEMENT -> {
          List<RecordOutcome> withNull = new ArrayList<>(outcomes);
          withNull.set(0, null);
          countDeliveries(call, withNull);
          call.stage.complete(withNull);
        }
        case NEVER_COMPLETE -> {}
        default -> throw new AssertionError(misbehaviour);
      }
      return call.stage;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (!hold) {
      complete(calls.size() - 1);
    }
    return call.stage;
  }

  /** Completes a held call with its planned outcomes. */
  void complete(int callIndex) {
    Call call = calls.get(callIndex);
    if (call.stage.isDone()) {
      throw new AssertionError("call " + callIndex + " already completed");
    }
    inFlight--;
    countDeliveries(call, call.planned);
    call.stage.complete(call.planned);
  }

  /** Completes a held call with a failure instead. */
  void fail(int callIndex, Throwable failure) {
    inFlight--;
    calls.get(callIndex).stage.completeExceptionally(failure);
  }

  /** Completes a call whose stage the scripted misbehaviour left pending (late outcome). */
  void completeLate(int callIndex) {
    Call call = calls.get(callIndex);
    countDeliveries(call, call.planned);
    call.stage.complete(call.planned);
  }

  private void countDeliveries(Call call, List<RecordOutcome> outcomes) {
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i) instanceof RecordOutcome.Delivered) {
        deliveries.merge(call.sequences.get(i), 1, Integer::sum);
      }
    }
  }

  List<Call> calls() {
    return calls;
  }

  Call call(int index) {
    return calls.get(index);
  }

  /** Indices of calls whose stage is still pending. */
  List<Integer> pending() {
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      if (!calls.get(i).stage.isDone() && calls.get(i).planned != null) {
        pending.add(i);
      }
    }
    return pending;
  }

  /** How often each record was reported delivered. */
  Map<Long, Integer> deliveries() {
    return deliveries;
  }

  int maxInFlight() {
    return maxInFlight;
  }

  static RecordOutcome throttled() {
    return RecordOutcome.retryable(RetryReason.THROTTLED, "Rate exceeded for shard shardId-0");
  }
}
