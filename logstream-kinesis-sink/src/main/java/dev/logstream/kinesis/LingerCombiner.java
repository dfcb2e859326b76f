package dev.logstream.kinesis;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.SinkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Combines the records of successive {@link KinesisSink#send(List)} calls into one batch for the
 * sink's send path, for up to {@code linger} after the first record (like the KPL's {@code
 * RecordMaxBufferedTime}), so that a dispatcher sending small batches does not cost one PutRecords
 * request per batch.
 *
 * <p>Records accumulate in arrival order, each with its slot in its own batch's outcome array. The
 * accumulated records are handed on as one combined batch when the next record would take them over
 * {@code maxRecords} or {@code maxBytes} (payload bytes, as {@link KinesisSink#limits()} counts
 * them; the planner still counts partition keys and splits if needed), at once when they reach
 * either limit, and otherwise when the timer started by the first record fires. Each outcome of the
 * combined batch is written back to its original batch's slot; a batch's stage completes when all
 * its records are answered, whichever combined batches carried them. {@link #close()} answers the
 * records still lingering retryable {@code NETWORK} "sink closed".
 */
final class LingerCombiner {
  private static final Logger LOG = LoggerFactory.getLogger(LingerCombiner.class);

  /** Runs a task once after a delay: the combiner's only source of time. */
  interface Scheduler {
    /** Schedules {@code task} to run once after {@code delay}; returns its cancel handle. */
    Timer schedule(Runnable task, Duration delay);

    /** Stops the scheduler; pending tasks never run. */
    void shutdown();
  }

  /** A scheduled task. */
  interface Timer {
    /** Cancels the task if it has not run yet. */
    void cancel();
  }

  private final Duration linger;
  private final int maxRecords;
  private final long maxBytes;
  private final Scheduler scheduler;
  private final Function<List<SinkRecord>, CompletionStage<List<RecordOutcome>>> downstream;
  private final Closed onClose;

  private final Object lock = new Object();
  private List<SinkRecord> records = new ArrayList<>();
  private List<Slot> slots = new ArrayList<>();
  private long bytes;
  private long generation;
  private Timer timer;
  private boolean closed;

  /** Answers lingering records when the combiner closes, counting them like the sink's queue. */
  interface Closed {
    void answer(List<Slot> lingering);
  }

  LingerCombiner(
      Duration linger,
      int maxRecords,
      long maxBytes,
      Scheduler scheduler,
      Function<List<SinkRecord>, CompletionStage<List<RecordOutcome>>> downstream,
      Closed onClose) {
    this.linger = linger;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.scheduler = scheduler;
    this.downstream = downstream;
    this.onClose = onClose;
  }

  /** A scheduler on one daemon thread, named after the stream. */
  static Scheduler daemonThread(String stream) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "kinesis-sink-linger-" + stream);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    return new Scheduler() {
      @Override
      public Timer schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public void shutdown() {
        executor.shutdownNow();
      }
    };
  }

  /** Adds a batch; its stage completes once every record of it is answered. */
  CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
    Batch b = new Batch(batch.size());
    if (batch.isEmpty()) {
      b.result.complete(List.of());
      return b.result;
    }
    List<List<Slot>> readySlots = new ArrayList<>(1);
    List<List<SinkRecord>> readyRecords = new ArrayList<>(1);
    boolean rejected;
    synchronized (lock) {
      rejected = closed;
      if (!rejected) {
        for (int i = 0; i < batch.size(); i++) {
          SinkRecord record = batch.get(i);
          int size = record.payload().length;
          if (!records.isEmpty() && (records.size() + 1 > maxRecords || bytes + size > maxBytes)) {
            take(readyRecords, readySlots);
          }
          if (records.isEmpty()) {
            long id = ++generation;
            timer = scheduler.schedule(() -> expire(id), linger);
          }
          records.add(record);
          slots.add(new Slot(b, i));
          bytes += size;
          if (records.size() >= maxRecords || bytes >= maxBytes) {
            take(readyRecords, readySlots);
          }
        }
      }
    }
    if (rejected) {
      // closed: the sink's own path answers every record "sink closed"
      return downstream.apply(batch);
    }
    for (int k = 0; k < readyRecords.size(); k++) {
      forward(readyRecords.get(k), readySlots.get(k));
    }
    return b.result;
  }

  /** Answers the lingering records through {@code onClose} and stops the scheduler. */
  void close() {
    List<Slot> lingering;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lingering = slots;
      records = new ArrayList<>();
      slots = new ArrayList<>();
      bytes = 0;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
    scheduler.shutdown();
    if (!lingering.isEmpty()) {
      onClose.answer(lingering);
    }
  }

  private void expire(long id) {
    List<List<Slot>> readySlots = new ArrayList<>(1);
    List<List<SinkRecord>> readyRecords = new ArrayList<>(1);
    synchronized (lock) {
      if (closed || id != generation || records.isEmpty()) {
        return;
      }
      timer = null;
      take(readyRecords, readySlots);
    }
    forward(readyRecords.get(0), readySlots.get(0));
  }

  /** Moves the accumulated records out, under the lock. */
  private void take(List<List<SinkRecord>> readyRecords, List<List<Slot>> readySlots) {
    readyRecords.add(records);
    readySlots.add(slots);
    records = new ArrayList<>();
    slots = new ArrayList<>();
    bytes = 0;
    generation++;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void forward(List<SinkRecord> combined, List<Slot> combinedSlots) {
    CompletionStage<List<RecordOutcome>> stage;
    try {
      stage = downstream.apply(Collections.unmodifiableList(combined));
    } catch (RuntimeException bug) {
      stage = CompletableFuture.failedFuture(bug);
    }
    stage.whenComplete(
        (outcomes, error) -> {
          if (error != null) {
            LOG.error("Kinesis sink failed to send a lingered batch", error);
            for (Slot s : combinedSlots) {
              s.batch.result.completeExceptionally(error);
            }
            return;
          }
          for (int j = 0; j < combinedSlots.size(); j++) {
            combinedSlots.get(j).answer(outcomes.get(j));
          }
        });
  }

  /** One record's place in its original batch. */
  static final class Slot {
    final Batch batch;
    final int index;

    Slot(Batch batch, int index) {
      this.batch = batch;
      this.index = index;
    }

    void answer(RecordOutcome outcome) {
      batch.outcomes[index] = outcome;
      if (batch.remaining.decrementAndGet() == 0) {
        batch.result.complete(Collections.unmodifiableList(Arrays.asList(batch.outcomes)));
      }
    }
  }

  /** An original batch: its outcomes and its stage. */
  static final class Batch {
    final RecordOutcome[] outcomes;
    final AtomicInteger remaining;
    final CompletableFuture<List<RecordOutcome>> result = new CompletableFuture<>();

    Batch(int size) {
      this.outcomes = new RecordOutcome[size];
      this.remaining = new AtomicInteger(size);
    }
  }
}
