package dev.logstream.buffer;

import dev.logstream.core.sink.FatalReason;
import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.RetryReason;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the records of a buffer to a {@link Sink}: reads them in order, sends them in batches
 * within the sink's {@link SinkLimits}, resends only the records that failed after their backoff
 * under a {@link RetryPolicy}, moves the ones it gives up on to a {@link DeadLetterStore}, and
 * commits to the buffer the records that are finished.
 *
 * <h2>What happens to a record</h2>
 *
 * <ol>
 *   <li>It is read from the buffer and its payload copied once into an exactly sized array, which
 *       the sink receives on every attempt ({@link SinkRecord}). A payload larger than the sink's
 *       {@link SinkLimits#maxRecordBytes()} is never sent: it is dead-lettered at once as {@link
 *       FatalReason#TOO_LARGE}, with both sizes in the detail.
 *   <li>It is sent in a batch of at most {@link SinkLimits#maxRecordsPerBatch()} records and {@link
 *       SinkLimits#maxBatchBytes()} bytes. At most {@link Builder#maxBatchesInFlight(int)} batches
 *       await their outcome at any time; no thread ever waits for the sink.
 *   <li>Its outcome decides: {@link RecordOutcome.Delivered delivered}, it is finished; {@link
 *       RecordOutcome.Fatal fatal}, it is dead-lettered at once; {@link RecordOutcome.Retryable
 *       retryable}, it waits {@link RetryPolicy#delayBeforeAttempt} and is sent again in a batch of
 *       the failed records that are due (never with the records of its batch that were delivered),
 *       while other batches go on. When its attempts ({@link RetryPolicy#maxAttempts()}) or age
 *       ({@link RetryPolicy#maxAge()}) run out, it is dead-lettered with its last outcome.
 *   <li>Once it and every record read before it are finished (delivered, or written to the
 *       dead-letter store), the buffer is told to {@code commit} up to it. Out-of-order outcomes
 *       never commit past a record still in flight or waiting for a retry.
 * </ol>
 *
 * <p>Delivery is at-least-once: when nothing crashes, each record is delivered exactly once or
 * dead-lettered exactly once. A record is delivered twice only if the process dies between the
 * sink's success and the commit (it is read again after a restart), or if the sink's stage outlives
 * the {@linkplain Builder#sendTimeout(Duration) send timeout} and the record is resent.
 *
 * <h2>Bounded memory</h2>
 *
 * <p>The dispatcher stops reading while it holds {@code maxBatchesInFlight} full batches' worth of
 * records (in flight, waiting for a retry, or waiting to be sent), so a failing destination makes
 * the records wait in the buffer, not in the heap; it also stops reading while {@link
 * Builder#maxUncommittedRecords(int)} records are read but not committable, which happens when an
 * early record keeps failing and holds back the commit of everything after it.
 *
 * <h2>Threads and time</h2>
 *
 * <p>All the work (reading, copying, sending, handling outcomes, writing dead letters, committing)
 * runs in tasks on the {@linkplain Builder#scheduler(ScheduledExecutorService) scheduler}, one task
 * at a time. Sink stages may complete on any thread: their outcomes are queued and handled by the
 * next task. When the buffer is empty the dispatcher looks again after the {@linkplain
 * Builder#pollInterval(Duration) poll interval}; while records are coming, a completed batch makes
 * room for the next one at once, so batches fill up by themselves under load. Backoff, timeouts and
 * the drain deadline use the injected {@linkplain Builder#ticker(LongSupplier) ticker}; dead
 * letters carry instants from the injected {@linkplain Builder#clock(InstantSource) clock}.
 *
 * <h2>Life cycle</h2>
 *
 * <p>{@link #start()} begins reading. {@link #stop(Duration)} stops reading new records and lets
 * the records already read finish (batches in flight, waiting retries) until the drain timeout;
 * records still unfinished then are not committed, and are read again after a restart. {@link
 * #close()} stops with the builder's {@linkplain Builder#drainTimeout(Duration) drain timeout} and
 * waits. The dispatcher closes neither the buffer, nor the sink, nor the dead-letter store; it
 * shuts down the scheduler only if it created it.
 */
public final class Dispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Default for {@link Builder#maxBatchesInFlight(int)}: 4. */
  public static final int DEFAULT_MAX_BATCHES_IN_FLIGHT = 4;

  /** Default for {@link Builder#pollInterval(Duration)}: 100 milliseconds. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

  /** Default for {@link Builder#sendTimeout(Duration)}: 60 seconds. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(60);

  /** Default for {@link Builder#maxUncommittedRecords(int)}: 1,048,576. */
  public static final int DEFAULT_MAX_UNCOMMITTED_RECORDS = 1 << 20;

  /** Default for {@link Builder#drainTimeout(Duration)}: 10 seconds. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private enum State {
    NEW,
    RUNNING,
    DRAINING,
    STOPPED
  }

  /* configuration */
  private final RecordSource source;
  private final Sink sink;
  private final SinkLimits limits;
  private final RetryPolicy policy;
  private final int maxBatchesInFlight;
  private final long pollIntervalNanos;
  private final long sendTimeoutNanos;
  private final int maxUncommittedRecords;
  private final DeadLetterStore deadLetterStore;
  private final Duration drainTimeout;
  private final LongSupplier ticker;
  private final InstantSource clock;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final RandomGenerator random;
  private final long maxHeldRecords;
  private final long maxHeldBytes;
  private final long maxAgeNanos;

  /* hand-over from sink threads */
  private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean pumpQueued = new AtomicBoolean();

  /** How long an append-triggered read waits for more records; 0 reads at once. */
  private final long lingerNanos;

  private final AtomicBoolean lingerQueued = new AtomicBoolean();

  /* state, guarded by lock */
  private final ReentrantLock lock = new ReentrantLock();
  // written under lock; volatile for isStopped(), which runs without it
  private volatile State state = State.NEW;
  private final CommitTracker tracker = new CommitTracker();
  private final ArrayDeque<Pending> ready = new ArrayDeque<>();
  private final PriorityQueue<Pending> retries =
      new PriorityQueue<>(
          (a, b) -> {
            long difference = a.dueNanos - b.dueNanos; // ticker values compare by difference
            return difference != 0
                ? (difference < 0 ? -1 : 1)
                : Long.compare(a.record.sequence(), b.record.sequence());
          });
  private final List<Pending> deadLetterBacklog = new ArrayList<>();
  private final List<Pending> readScratch = new ArrayList<>();
  private final Map<String, Long> deadLetteredByReason = new HashMap<>();
  private long heldRecords;
  private long heldBytes;
  private int batchesInFlight;
  private int recordsInFlight;
  private long committable = CommitTracker.NO_PROGRESS;
  private long lastCommitted = CommitTracker.NO_PROGRESS;
  private long nextWakeupNanos;
  private boolean wakeupScheduled;
  private long wakeupGeneration;
  private ScheduledFuture<?> wakeup;
  private ScheduledFuture<?> drainTimer;
  private CompletableFuture<Boolean> stopped;
  private long recordsRead;
  private long recordsSent;
  private long recordsDelivered;
  private long recordsRetried;
  private long sinkContractViolations;
  private long deadLetterWriteFailures;
  private boolean deadLetterFailed;
  private long deadLetterRetryNanos;
  private final Set<Batch> inFlight = new HashSet<>();
  private final BufferReader ownedReader;

  private Dispatcher(Builder builder) {
    this.source = builder.source;
    this.ownedReader = builder.ownedReader;
    this.sink = builder.sink;
    this.limits = Objects.requireNonNull(builder.sink.limits(), "sink.limits()");
    this.policy = builder.retryPolicy == null ? RetryPolicy.defaults() : builder.retryPolicy;
    this.maxBatchesInFlight =
        builder.maxBatchesInFlight == 0
            ? DEFAULT_MAX_BATCHES_IN_FLIGHT
            : builder.maxBatchesInFlight;
    this.pollIntervalNanos =
        (builder.pollInterval == null ? DEFAULT_POLL_INTERVAL : builder.pollInterval).toNanos();
    this.lingerNanos = builder.linger == null ? 0 : builder.linger.toNanos();
    this.sendTimeoutNanos =
        (builder.sendTimeout == null ? DEFAULT_SEND_TIMEOUT : builder.sendTimeout).toNanos();
    this.maxUncommittedRecords =
        builder.maxUncommittedRecords == 0
            ? DEFAULT_MAX_UNCOMMITTED_RECORDS
            : builder.maxUncommittedRecords;
    this.deadLetterStore = builder.deadLetterStore;
    this.drainTimeout = builder.drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : builder.drainTimeout;
    this.ticker = builder.ticker == null ? System::nanoTime : builder.ticker;
    this.clock = builder.clock == null ? InstantSource.system() : builder.clock;
    this.ownsScheduler = builder.scheduler == null;
    this.scheduler = ownsScheduler ? defaultScheduler() : builder.scheduler;
    this.random = builder.random == null ? new SplittableRandom() : builder.random;
    this.maxHeldRecords = (long) maxBatchesInFlight * limits.maxRecordsPerBatch();
    this.maxHeldBytes =
        limits.maxBatchBytes() > Long.MAX_VALUE / maxBatchesInFlight
            ? Long.MAX_VALUE
            : limits.maxBatchBytes() * maxBatchesInFlight;
    this.maxAgeNanos = policy.maxAge().map(Duration::toNanos).orElse(Long.MAX_VALUE);
  }

  /**
   * Returns a builder for a dispatcher that reads {@code source} and sends to {@code sink}. The
   * public entry point is the buffer's own builder method; this one takes the seam tests use.
   */
  static Builder builder(RecordSource source, Sink sink) {
    return new Builder(source, sink, null);
  }

  /**
   * Returns a builder for a dispatcher that delivers the records of {@code buffer} to {@code sink},
   * starting at the first undelivered record. The dispatcher reads through its own {@link
   * BufferReader}, which it closes when it stops, and is woken by appends instead of polling.
   *
   * @param buffer the buffer to deliver
   * @param sink where records go
   * @return a builder; a dead-letter store is required
   */
  public static Builder builder(SegmentBuffer buffer, Sink sink) {
    BufferReader reader = buffer.openReader();
    return new Builder(reader, sink, reader);
  }

  /**
   * Starts reading and sending.
   *
   * @throws IllegalStateException if already started, or stopped
   */
  public void start() {
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IllegalStateException(
            state == State.RUNNING
                ? "dispatcher already started"
                : "dispatcher was stopped and cannot start again");
      }
      state = State.RUNNING;
    } finally {
      lock.unlock();
    }
    requestPump();
  }

  /**
   * Stops reading new records and lets the records already read finish, for at most {@code
   * drainTimeout}: batches in flight complete, waiting retries are sent when due, dead letters are
   * written and everything finished is committed. When the drain ends or the timeout passes, the
   * dispatcher stops: later outcomes are ignored and unfinished records stay uncommitted in the
   * buffer, to be read again after a restart (at-least-once).
   *
   * <p>Does not block. Calling it again returns the same stage; the first timeout stands.
   *
   * @param drainTimeout how long the records already read may take to finish; zero stops at once
   * @return a stage completing with {@code true} if every record read was delivered or
   *     dead-lettered and committed, {@code false} if the timeout left some unfinished
   * @throws IllegalArgumentException if {@code drainTimeout} is negative
   */
  public CompletableFuture<Boolean> stop(Duration drainTimeout) {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative, got " + drainTimeout);
    }
    lock.lock();
    try {
      switch (state) {
        case NEW -> {
          stopped = CompletableFuture.completedFuture(true);
          state = State.STOPPED;
          shutDownOwnScheduler();
          if (ownedReader != null) {
            ownedReader.close();
          }
        }
        case RUNNING -> {
          stopped = new CompletableFuture<>();
          state = State.DRAINING;
          drainTimer =
              scheduler.schedule(this::drainTimedOut, drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
          requestPump();
        }
        default -> {
          // already stopping or stopped: the first call's stage
        }
      }
      return stopped;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops with the builder's {@linkplain Builder#drainTimeout(Duration) drain timeout} and waits
   * for the dispatcher to stop. Must not be called from a scheduler task.
   */
  @Override
  public void close() {
    CompletableFuture<Boolean> done = stop(drainTimeout);
    try {
      done.get(drainTimeout.toNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("dispatcher did not stop cleanly within {}: {}", drainTimeout, e.toString());
    } finally {
      lock.lock();
      try {
        if (state != State.STOPPED) {
          finish(false);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Returns a snapshot of the counters and gauges.
   *
   * @return the metrics at this moment
   */
  public DispatcherMetrics metrics() {
    lock.lock();
    try {
      return new DispatcherMetrics(
          recordsRead,
          recordsSent,
          recordsDelivered,
          recordsRetried,
          deadLetteredByReason,
          sinkContractViolations,
          deadLetterWriteFailures,
          batchesInFlight,
          recordsInFlight,
          retries.size(),
          tracker.size(),
          lastCommitted);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "Dispatcher{state="
          + state
          + ", sink="
          + sink
          + ", batchesInFlight="
          + batchesInFlight
          + ", retriesPending="
          + retries.size()
          + ", lastCommitted="
          + lastCommitted
          + '}';
    } finally {
      lock.unlock();
    }
  }

  /* --------------- the pump: every change of state happens here, under the lock --------------- */

  private void requestPump() {
    if (pumpQueued.compareAndSet(false, true)) {
      try {
        scheduler.execute(this::pumpTask);
      } catch (RejectedExecutionException e) {
        pumpQueued.set(false);
        if (!isStopped()) {
          log.error("dispatcher scheduler rejected a task; the dispatcher is stuck", e);
        }
      }
    }
  }

  /**
   * A record arrived while the dispatcher had read everything: read at once, or after the linger so
   * that the records appended meanwhile go out in the same batch (one pump, one sink call and one
   * timeout per batch instead of per record when records trickle in one by one). Runs under the
   * buffer's append lock: only hands work to the scheduler.
   */
  private void onReadable() {
    if (lingerNanos == 0) {
      requestPump();
    } else if (lingerQueued.compareAndSet(false, true)) {
      try {
        scheduler.schedule(
            () -> {
              lingerQueued.set(false);
              pumpTask();
            },
            lingerNanos,
            TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        lingerQueued.set(false);
        if (!isStopped()) {
          log.error("dispatcher scheduler rejected a task; the dispatcher is stuck", e);
        }
      }
    }
  }

  private void pumpTask() {
    pumpQueued.set(false);
    lock.lock();
    try {
      pumpSafely();
    } finally {
      lock.unlock();
    }
  }

  private void wakeupTask(long generation) {
    lock.lock();
    try {
      if (generation == wakeupGeneration) {
        wakeupScheduled = false;
      }
      pumpSafely();
    } finally {
      lock.unlock();
    }
  }

  private void pumpSafely() {
    try {
      pump();
    } catch (RuntimeException e) {
      log.error("dispatcher step failed; trying again in {}", policy.initialDelay(), e);
      if (state == State.RUNNING || state == State.DRAINING) {
        scheduleWakeup(ticker.getAsLong() + policy.initialDelay().toNanos());
      }
    }
  }

  private void pump() {
    if (state == State.NEW || state == State.STOPPED) {
      completions.clear();
      return;
    }
    long now = ticker.getAsLong();
    handleCompletions(now);
    writeDeadLetters(now);
    sendDueRetries(now);
    sendReady();
    boolean sourceEmpty = state == State.RUNNING && readAndSend();
    writeDeadLetters(now);
    commit();
    if (state == State.DRAINING && drained()) {
      finish(true);
      return;
    }
    long next = Long.MAX_VALUE;
    Pending firstRetry = retries.peek();
    if (firstRetry != null && firstRetry.dueNanos - now > 0) {
      next = firstRetry.dueNanos;
    }
    if (sourceEmpty) {
      if (source.notifyWhenReadable(this::onReadable)) {
        onReadable(); // appended between the read and arming the listener
      }
      next = earliest(next, now + pollIntervalNanos); // the fallback for sources that cannot notify
    }
    if (!deadLetterBacklog.isEmpty()) {
      next = earliest(next, deadLetterRetryNanos);
    }
    if (next != Long.MAX_VALUE) {
      scheduleWakeup(next);
    }
    if (state == State.RUNNING && !sourceEmpty && canRead()) {
      requestPump(); // dead letters written after reading made room: read on
    }
  }

  private static long earliest(long a, long b) {
    return a == Long.MAX_VALUE || b - a < 0 ? b : a;
  }

  private void scheduleWakeup(long at) {
    if (wakeupScheduled && at - nextWakeupNanos >= 0) {
      return; // an earlier wake-up will run the pump, which schedules again
    }
    if (wakeup != null) {
      wakeup.cancel(false);
    }
    long delay = Math.max(0, at - ticker.getAsLong());
    long generation = ++wakeupGeneration;
    wakeup = scheduler.schedule(() -> wakeupTask(generation), delay, TimeUnit.NANOSECONDS);
    nextWakeupNanos = at;
    wakeupScheduled = true;
  }

  private boolean drained() {
    return batchesInFlight == 0
        && retries.isEmpty()
        && ready.isEmpty()
        && deadLetterBacklog.isEmpty()
        && tracker.size() == 0;
  }

  private void drainTimedOut() {
    lock.lock();
    try {
      if (state != State.DRAINING) {
        return;
      }
      long now = ticker.getAsLong();
      handleCompletions(now);
      writeDeadLetters(now);
      commit();
      boolean done = drained();
      if (!done) {
        log.warn(
            "dispatcher stopped with {} records unfinished ({} in flight, {} waiting for a retry);"
                + " they stay uncommitted in the buffer (last committed sequence: {}) and are"
                + " sent again after a restart",
            tracker.size(),
            recordsInFlight,
            retries.size(),
            lastCommitted);
      }
      finish(done);
    } finally {
      lock.unlock();
    }
  }

  private void finish(boolean drained) {
    state = State.STOPPED;
    if (wakeup != null) {
      wakeup.cancel(false);
    }
    if (drainTimer != null) {
      drainTimer.cancel(false);
    }
    for (Batch batch : inFlight) {
      batch.finished = true;
      if (batch.timeout != null) {
        batch.timeout.cancel(false);
      }
    }
    inFlight.clear();
    batchesInFlight = 0; // their outcomes are ignored from now on
    recordsInFlight = 0;
    completions.clear();
    retries.clear();
    ready.clear();
    deadLetterBacklog.clear();
    shutDownOwnScheduler();
    if (ownedReader != null) {
      ownedReader.close();
    }
    if (stopped == null) {
      stopped = new CompletableFuture<>();
    }
    stopped.complete(drained);
  }

  /**
   * Lock-free: requestPump runs in the buffer's append listener, under the buffer lock, and the
   * dispatcher takes the buffer lock under its own (reading, committing, closing its reader).
   */
  private boolean isStopped() {
    return state == State.STOPPED;
  }

  private void shutDownOwnScheduler() {
    if (ownsScheduler) {
      scheduler.shutdown();
    }
  }

  /* --------------- reading --------------- */

  /** Reads and sends while there is room; returns whether the source ran out of records. */
  private boolean readAndSend() {
    while (canRead()) {
      int budget = Math.min(limits.maxRecordsPerBatch(), maxUncommittedRecords - tracker.size());
      int read = source.read(budget, limits.maxBatchBytes(), this::accept);
      if (read == 0 && readScratch.isEmpty()) {
        return true;
      }
      ready.addAll(readScratch);
      readScratch.clear();
      sendReady();
    }
    return false;
  }

  /** Whether there is room to read: a free batch slot, and memory and commit tracking to spare. */
  private boolean canRead() {
    return batchesInFlight < maxBatchesInFlight
        && ready.isEmpty()
        && heldRecords < maxHeldRecords
        && heldBytes < maxHeldBytes
        && tracker.size() < maxUncommittedRecords;
  }

  private void accept(long sequence, ByteBuffer payload) {
    byte[] copy = new byte[payload.remaining()];
    payload.get(payload.position(), copy);
    Pending pending = new Pending(new SinkRecord(sequence, copy), tracker.track(sequence));
    recordsRead++;
    heldRecords++;
    heldBytes += copy.length;
    if (copy.length > limits.maxRecordBytes()) {
      Instant now = clock.instant();
      pending.firstAttempt = now;
      pending.lastAttempt = now;
      deadLetter(
          pending,
          RecordOutcome.fatal(
              FatalReason.TOO_LARGE,
              "record of "
                  + copy.length
                  + " bytes exceeds the sink's maximum of "
                  + limits.maxRecordBytes()
                  + " bytes per record"));
    } else {
      readScratch.add(pending);
    }
  }

  /* --------------- sending --------------- */

  private void sendDueRetries(long now) {
    if (retries.isEmpty() || batchesInFlight >= maxBatchesInFlight) {
      return;
    }
    List<Pending> due = new ArrayList<>();
    while (!retries.isEmpty() && retries.peek().dueNanos - now <= 0) {
      due.add(retries.poll());
    }
    if (due.isEmpty()) {
      return;
    }
    due.sort(Comparator.comparingLong(p -> p.record.sequence()));
    ArrayDeque<Pending> queue = new ArrayDeque<>(due);
    while (!queue.isEmpty() && batchesInFlight < maxBatchesInFlight) {
      send(takeBatch(queue));
    }
    retries.addAll(queue); // still due: sent as soon as a batch completes
  }

  private void sendReady() {
    while (!ready.isEmpty() && batchesInFlight < maxBatchesInFlight) {
      send(takeBatch(ready));
    }
  }

  private List<Pending> takeBatch(ArrayDeque<Pending> queue) {
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty() && batch.size() < limits.maxRecordsPerBatch()) {
      int size = queue.peek().record.payload().length;
      if (!batch.isEmpty() && bytes + size > limits.maxBatchBytes()) {
        break;
      }
      batch.add(queue.poll());
      bytes += size;
    }
    return batch;
  }

  private void send(List<Pending> records) {
    long now = ticker.getAsLong();
    Instant at = clock.instant();
    List<SinkRecord> sinkRecords = new ArrayList<>(records.size());
    for (Pending pending : records) {
      if (pending.attempts == 0) {
        pending.firstAttemptNanos = now;
        pending.firstAttempt = at;
      }
      pending.attempts++;
      pending.lastAttempt = at;
      sinkRecords.add(pending.record);
    }
    Batch batch = new Batch(records);
    inFlight.add(batch);
    batchesInFlight++;
    recordsInFlight += records.size();
    recordsSent += records.size();
    CompletionStage<List<RecordOutcome>> stage;
    try {
      stage = sink.send(Collections.unmodifiableList(sinkRecords));
    } catch (RuntimeException e) {
      complete(new Completion(batch, null, null, "sink.send threw " + e));
      return;
    }
    if (stage == null) {
      complete(new Completion(batch, null, null, "sink.send returned no stage"));
      return;
    }
    batch.timeout =
        scheduler.schedule(
            () ->
                complete(
                    new Completion(
                        batch,
                        null,
                        new TimeoutException(
                            "the sink did not complete the batch within "
                                + Duration.ofNanos(sendTimeoutNanos)),
                        null)),
            sendTimeoutNanos,
            TimeUnit.NANOSECONDS);
    stage.whenComplete(
        (outcomes, failure) -> complete(new Completion(batch, outcomes, failure, null)));
  }

  /** Called on any thread: queues the outcome for the pump. */
  private void complete(Completion completion) {
    completions.add(completion);
    requestPump();
  }

  /* --------------- outcomes --------------- */

  private void handleCompletions(long now) {
    Completion completion;
    while ((completion = completions.poll()) != null) {
      Batch batch = completion.batch;
      if (batch.finished) {
        continue; // a late outcome after the send timeout, or the timeout after the outcome
      }
      batch.finished = true;
      inFlight.remove(batch);
      if (batch.timeout != null) {
        batch.timeout.cancel(false);
      }
      batchesInFlight--;
      recordsInFlight -= batch.records.size();
      handle(batch.records, outcomesOf(completion), now);
    }
  }

  private RecordOutcome[] outcomesOf(Completion completion) {
    int size = completion.batch.records.size();
    RecordOutcome[] outcomes = new RecordOutcome[size];
    String violation = completion.violation;
    if (violation == null && completion.failure != null) {
      Throwable cause = unwrap(completion.failure);
      RetryReason reason =
          cause instanceof TimeoutException ? RetryReason.TIMEOUT : RetryReason.NETWORK;
      Arrays.fill(outcomes, RecordOutcome.retryable(reason, cause.toString()));
      return outcomes;
    }
    List<RecordOutcome> list = completion.outcomes;
    if (violation == null && list == null) {
      violation = "the sink completed with no outcome list";
    } else if (violation == null && list.size() != size) {
      violation = "the sink returned " + list.size() + " outcomes for " + size + " records";
    }
    if (violation == null) {
      for (int i = 0; i < size; i++) {
        outcomes[i] = list.get(i);
        if (outcomes[i] == null) {
          if (violation == null) {
            violation = "the sink returned no outcome for record " + i + " of " + size;
          }
          outcomes[i] =
              RecordOutcome.retryable(
                  RetryReason.INTERNAL_FAILURE, "the sink returned no outcome for this record");
        }
      }
    } else {
      Arrays.fill(outcomes, RecordOutcome.retryable(RetryReason.INTERNAL_FAILURE, violation));
    }
    if (violation != null) {
      sinkContractViolations++;
      log.error("sink {} broke its contract: {}; retrying the records concerned", sink, violation);
    }
    return outcomes;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private void handle(List<Pending> records, RecordOutcome[] outcomes, long now) {
    boolean progress = false;
    for (RecordOutcome outcome : outcomes) {
      if (outcome instanceof RecordOutcome.Delivered) {
        progress = true;
        break;
      }
    }
    for (int i = 0; i < outcomes.length; i++) {
      Pending pending = records.get(i);
      RecordOutcome outcome = outcomes[i];
      pending.lastOutcome = outcome;
      if (outcome instanceof RecordOutcome.Delivered) {
        recordsDelivered++;
        finished(pending);
      } else if (outcome instanceof RecordOutcome.Fatal) {
        deadLetter(pending, outcome);
      } else if (pending.attempts >= policy.maxAttempts()
          || now - pending.firstAttemptNanos >= maxAgeNanos) {
        deadLetter(pending, outcome);
      } else {
        scheduleRetry(pending, progress, now);
      }
    }
  }

  private void scheduleRetry(Pending pending, boolean progress, long now) {
    if (progress && policy.resetOnProgress()) {
      pending.backoffAttempt = 2;
    } else if (pending.backoffAttempt < Integer.MAX_VALUE) {
      pending.backoffAttempt++;
    }
    long due = now + policy.delayNanosBeforeAttempt(pending.backoffAttempt, random);
    if (maxAgeNanos != Long.MAX_VALUE) {
      long deadline = pending.firstAttemptNanos + maxAgeNanos;
      if (due - deadline > 0) {
        due = deadline; // the last retry happens at the deadline, as Fluentd's retry_timeout
      }
    }
    pending.dueNanos = due;
    retries.add(pending);
    recordsRetried++;
  }

  private void finished(Pending pending) {
    heldRecords--;
    heldBytes -= pending.record.payload().length;
    long prefix = tracker.finish(pending.ticket);
    if (prefix != CommitTracker.NO_PROGRESS) {
      committable = prefix;
    }
  }

  /* --------------- dead letters and commits --------------- */

  private void deadLetter(Pending pending, RecordOutcome outcome) {
    pending.lastOutcome = outcome;
    deadLetterBacklog.add(pending);
  }

  /** Writes the waiting dead letters, unless a failed write is waiting for its retry time. */
  private void writeDeadLetters(long now) {
    if (deadLetterBacklog.isEmpty() || (deadLetterFailed && now - deadLetterRetryNanos < 0)) {
      return;
    }
    List<DeadLetter> letters = new ArrayList<>(deadLetterBacklog.size());
    for (Pending pending : deadLetterBacklog) {
      letters.add(
          new DeadLetter(
              pending.record.sequence(),
              pending.record.payload(),
              pending.lastOutcome,
              pending.attempts,
              pending.firstAttempt,
              pending.lastAttempt));
    }
    try {
      deadLetterStore.write(Collections.unmodifiableList(letters));
    } catch (Exception e) {
      deadLetterWriteFailures++;
      deadLetterFailed = true;
      deadLetterRetryNanos = now + policy.initialDelay().toNanos();
      log.error(
          "dead-letter store {} failed to store {} records; they stay uncommitted and are tried"
              + " again in {}",
          deadLetterStore,
          letters.size(),
          policy.initialDelay(),
          e);
      return;
    }
    deadLetterFailed = false;
    Map<String, String> examples = new TreeMap<>();
    Map<String, Long> counts = new TreeMap<>();
    for (DeadLetter letter : letters) {
      deadLetteredByReason.merge(letter.reason(), 1L, Long::sum);
      counts.merge(letter.reason(), 1L, Long::sum);
      examples.putIfAbsent(
          letter.reason(),
          "record "
              + letter.sequence()
              + " after "
              + letter.attempts()
              + " attempts: "
              + abbreviate(letter.detail()));
    }
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      log.warn(
          "dead-lettered {} records as {}, e.g. {}",
          entry.getValue(),
          entry.getKey(),
          examples.get(entry.getKey()));
    }
    for (Pending pending : deadLetterBacklog) {
      finished(pending);
    }
    deadLetterBacklog.clear();
  }

  private static String abbreviate(String detail) {
    return detail.length() <= 200 ? detail : detail.substring(0, 200) + "...";
  }

  private void commit() {
    if (committable == CommitTracker.NO_PROGRESS || committable == lastCommitted) {
      return;
    }
    source.commit(committable);
    lastCommitted = committable;
  }

  private static ScheduledExecutorService defaultScheduler() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "logstream-dispatcher");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true); // send timeouts are cancelled by the thousand
    return executor;
  }

  /* --------------- bookkeeping types --------------- */

  /** A record read and not yet finished. */
  private static final class Pending {
    final SinkRecord record;
    final long ticket;
    int attempts;
    int backoffAttempt = 1;
    long firstAttemptNanos;
    Instant firstAttempt;
    Instant lastAttempt;
    RecordOutcome lastOutcome;
    long dueNanos;

    Pending(SinkRecord record, long ticket) {
      this.record = record;
      this.ticket = ticket;
    }
  }

  /** A batch handed to the sink; finished by its first outcome or its timeout. */
  private static final class Batch {
    final List<Pending> records;
    ScheduledFuture<?> timeout;
    boolean finished;

    Batch(List<Pending> records) {
      this.records = records;
    }
  }

  /** What came back for a batch: outcomes, a failure, or a broken contract. */
  private record Completion(
      Batch batch, List<RecordOutcome> outcomes, Throwable failure, String violation) {}

  /**
   * Sets the options of a {@link Dispatcher}. Each option may be set once and is checked when set;
   * only the dead-letter store is required.
   */
  public static final class Builder {
    private final RecordSource source;
    private final Sink sink;
    private final BufferReader ownedReader;
    private RetryPolicy retryPolicy;
    private int maxBatchesInFlight;
    private Duration pollInterval;
    private Duration linger;
    private Duration sendTimeout;
    private int maxUncommittedRecords;
    private DeadLetterStore deadLetterStore;
    private Duration drainTimeout;
    private LongSupplier ticker;
    private InstantSource clock;
    private ScheduledExecutorService scheduler;
    private RandomGenerator random;

    Builder(RecordSource source, Sink sink, BufferReader ownedReader) {
      this.source = Objects.requireNonNull(source, "source");
      this.sink = Objects.requireNonNull(sink, "sink");
      this.ownedReader = ownedReader;
    }

    /**
     * Sets when failed records are resent and when they are given up; default {@link
     * RetryPolicy#defaults()}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder retryPolicy(RetryPolicy policy) {
      requireUnset("retryPolicy", retryPolicy);
      retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * Sets how many batches may await their outcome at once; default 4. It also bounds the records
     * the dispatcher holds in memory: reading stops at this many full batches' worth.
     *
     * @param batches from 1 to 1,024
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxBatchesInFlight(int batches) {
      maxBatchesInFlight = setInt("maxBatchesInFlight", maxBatchesInFlight, batches, 1, 1024);
      return this;
    }

    /**
     * Sets how long the dispatcher waits before looking at the buffer again when it found nothing
     * to read; default 100 ms. While records are coming, it reads again as soon as a batch
     * completes, without waiting.
     *
     * @param interval from 1 ms to 1 minute
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder pollInterval(Duration interval) {
      requireUnset("pollInterval", pollInterval);
      pollInterval = between("pollInterval", interval, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /**
     * Sets how long the dispatcher waits, once a record arrives after it had read everything, for
     * more records to send in the same batch; default zero (read at once). When lines arrive one by
     * one (Docker's one-frame-per-line traffic), a few milliseconds turn thousands of one-record
     * batches per second into a few full ones, at the cost of that much delivery latency. A backlog
     * is always read without lingering.
     *
     * @param duration from zero to 1 second
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder linger(Duration duration) {
      requireUnset("linger", linger);
      linger = between("linger", duration, Duration.ZERO, Duration.ofSeconds(1));
      return this;
    }

    /**
     * Sets how long a batch may await its outcome before the dispatcher treats all its records as
     * failed with {@link RetryReason#TIMEOUT} and ignores the late outcome (which may duplicate
     * records); default 60 seconds. It protects the in-flight slots from a sink whose stage never
     * completes; the sink's own request timeout should be shorter.
     *
     * @param timeout from 1 ms to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder sendTimeout(Duration timeout) {
      requireUnset("sendTimeout", sendTimeout);
      sendTimeout = between("sendTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Sets how many records may be read but not committable (in flight, waiting for a retry, or
     * finished behind an unfinished one) before the dispatcher stops reading; default 1,048,576.
     * The dispatcher keeps 9 bytes per such record to know what it may commit.
     *
     * @param records from 1 to 2<sup>30</sup>
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxUncommittedRecords(int records) {
      maxUncommittedRecords =
          setInt("maxUncommittedRecords", maxUncommittedRecords, records, 1, 1 << 30);
      return this;
    }

    /**
     * Sets where records the dispatcher gives up on are stored; required. The dispatcher does not
     * close it.
     *
     * @param store the store, e.g. {@link DirectoryDeadLetterStore#open}
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder deadLetterStore(DeadLetterStore store) {
      requireUnset("deadLetterStore", deadLetterStore);
      deadLetterStore = Objects.requireNonNull(store, "deadLetterStore");
      return this;
    }

    /**
     * Sets how long {@link Dispatcher#close()} lets the records already read finish; default 10
     * seconds.
     *
     * @param timeout from zero to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder drainTimeout(Duration timeout) {
      requireUnset("drainTimeout", drainTimeout);
      drainTimeout = between("drainTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * Sets the monotonic clock for backoff, timeouts and record age, in nanoseconds like {@link
     * System#nanoTime()} (the default); for tests.
     *
     * @param nanoTime the ticker
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder ticker(LongSupplier nanoTime) {
      requireUnset("ticker", ticker);
      ticker = Objects.requireNonNull(nanoTime, "ticker");
      return this;
    }

    /**
     * Sets the clock for the attempt instants written into dead letters; default {@link
     * InstantSource#system()}.
     *
     * @param instants the clock
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder clock(InstantSource instants) {
      requireUnset("clock", clock);
      clock = Objects.requireNonNull(instants, "clock");
      return this;
    }

    /**
     * Sets where the dispatcher's tasks run; default a single daemon thread named {@code
     * logstream-dispatcher}, shut down when the dispatcher stops. A given scheduler is shared, not
     * shut down; it may have several threads (the dispatcher runs one task at a time under its own
     * lock), and must run delayed tasks in time order, as {@link
     * java.util.concurrent.ScheduledThreadPoolExecutor} does.
     *
     * @param executor the scheduler
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder scheduler(ScheduledExecutorService executor) {
      requireUnset("scheduler", scheduler);
      scheduler = Objects.requireNonNull(executor, "scheduler");
      return this;
    }

    /**
     * Sets the randomness of the backoff's jitter; default a {@link SplittableRandom}. Only the
     * dispatcher's task uses it, one task at a time.
     *
     * @param randomness the source
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder random(RandomGenerator randomness) {
      requireUnset("random", random);
      random = Objects.requireNonNull(randomness, "random");
      return this;
    }

    /**
     * Returns a dispatcher, not started; call {@link Dispatcher#start()}. Reads the sink's {@link
     * Sink#limits()} once.
     *
     * @return the dispatcher
     * @throws IllegalStateException if no dead-letter store was set
     */
    public Dispatcher build() {
      if (deadLetterStore == null) {
        throw new IllegalStateException(
            "deadLetterStore is required: records the dispatcher gives up on must go somewhere,"
                + " e.g. DirectoryDeadLetterStore.open(bufferDirectory.resolve(\"dead-letter\"))");
      }
      return new Dispatcher(this);
    }

    private static void requireUnset(String option, Object current) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    private static int setInt(String option, int current, int value, int min, int max) {
      if (current != 0) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            option + " must be in " + min + ".." + max + ", got " + value);
      }
      return value;
    }

    private static Duration between(String option, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, option);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            option + " must be in " + min + ".." + max + ", got " + value);
      }
      return value;
    }
  }
}
