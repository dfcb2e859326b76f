package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.logstream.core.sink.RecordOutcome;
import dev.logstream.core.sink.Sink;
import dev.logstream.core.sink.SinkLimits;
import dev.logstream.core.sink.SinkRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Races between appenders, a reader, commits, the flusher and {@code close()}: lock ordering, lost
 * wake-ups, and stress runs that check no record is lost, duplicated or read from a recycled
 * mapping. Each test stays within a few seconds.
 */
class SegmentBufferConcurrencyTest {
  private static final int SEGMENT = 64 << 10;

  /** Three records of this size fill one segment: a fourth does not fit. */
  private static final int THIRD = 16 << 10;

  @TempDir Path dir;

  private static long append(SegmentBuffer buffer, int size) {
    byte[] payload = new byte[size];
    return buffer.append(payload, 0, size);
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "buffer-race");
    thread.setDaemon(true);
    return thread;
  }

  private static boolean blockedIn(Thread thread, String method) {
    return thread.getState() == Thread.State.BLOCKED
        && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
  }

  /* --------------- lock ordering --------------- */

  @Test
  void commit_checkpointFailsWhileAppenderRollsAndReleases_neitherThreadDeadlocks()
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2, SegmentBufferConcurrencyTest::daemon);
    AtomicReference<Thread> appenderThread = new AtomicReference<>();
    CountDownLatch checkpointEntered = new CountDownLatch(1);
    IOException readOnly = new IOException("Read-only file system");
    boolean[] armed = {false};
    SegmentIo io =
        new SegmentIo() {
          @Override
          public void move(Path source, Path target) throws IOException {
            boolean fault;
            synchronized (armed) {
              fault = armed[0] && target.getFileName().toString().equals(Checkpoint.FILE_NAME);
              if (fault) {
                armed[0] = false; // once
              }
            }
            if (fault) {
              // the commit thread holds the checkpoint lock: fail only once the appender, which
              // holds the buffer lock, waits for it
              checkpointEntered.countDown();
              await()
                  .atMost(Duration.ofSeconds(5))
                  .until(
                      () ->
                          appenderThread.get() != null
                              && blockedIn(appenderThread.get(), "writeCheckpoint"));
              throw readOnly;
            }
            SegmentIo.super.move(source, target);
          }
        };
    SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(SEGMENT)
            .maxSegments(8)
            .durability(Durability.never())
            .checkpointInterval(Duration.ofHours(1))
            .io(io)
            .open();
    boolean deadlocked = true;
    try {
      for (int i = 0; i < 6; i++) {
        append(buffer, THIRD); // segment 1 sealed with 1..3, segment 2 active and full with 4..6
      }
      synchronized (armed) {
        armed[0] = true;
      }
      // commits 1..6: releases segment 1 outside the buffer lock, writing the checkpoint
      Future<?> commit = threads.submit(() -> buffer.commit(6));
      assertThat(checkpointEntered.await(5, TimeUnit.SECONDS)).isTrue();
      // rolls past the delivered segment 2, which releases it (and checkpoints) under the lock
      Future<Long> roll =
          threads.submit(
              () -> {
                appenderThread.set(Thread.currentThread());
                return append(buffer, THIRD);
              });

      commit.get(10, TimeUnit.SECONDS);
      assertThat(roll.get(10, TimeUnit.SECONDS)).isEqualTo(7);
      deadlocked = false;
      assertThat(buffer.failure())
          .hasMessage(
              "buffer "
                  + dir
                  + " failed: could not write the checkpoint: Read-only file system; it accepts"
                  + " no more records (reopen it to recover from disk)");
    } finally {
      threads.shutdownNow();
      if (!deadlocked) {
        buffer.close(); // else close() would wait for the buffer lock forever
      }
    }
  }

  /* --------------- overflow: block --------------- */

  @Test
  void blockedAppend_commitReleasesSegmentAReaderStillHolds_appendProceeds() throws Exception {
    ExecutorService threads =
        Executors.newSingleThreadExecutor(SegmentBufferConcurrencyTest::daemon);
    SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(SEGMENT)
            .maxSegments(2)
            .durability(Durability.never())
            .overflow(OverflowPolicy.block(Duration.ofMinutes(1)))
            .open();
    BufferReader reader = buffer.openReader();
    try {
      for (int i = 0; i < 6; i++) {
        append(buffer, THIRD); // both segments full: 1..3 and 4..6
      }
      // reads exactly segment 1: the reader stays at its end, holding it
      assertThat(reader.read(3, Long.MAX_VALUE, (seq, view) -> {})).isEqualTo(3);
      Future<Long> blocked = threads.submit(() -> append(buffer, THIRD));
      await().atMost(Duration.ofSeconds(5)).until(() -> buffer.metrics().appendsBlocked() == 1);

      // segment 1 leaves the live list: room for a segment, as for an append that arrives now
      buffer.commit(3);

      assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(7);
    } finally {
      reader.close(); // lets a still blocked append go before the executor is stopped
      threads.shutdownNow();
      buffer.close();
    }
  }

  @Test
  void blockedBatch_commitDeliversTheActiveSegment_batchProceeds() throws Exception {
    ExecutorService threads =
        Executors.newSingleThreadExecutor(SegmentBufferConcurrencyTest::daemon);
    int max = SegmentFormat.maxPayload(SEGMENT);
    SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(SEGMENT)
            .maxSegments(2)
            .durability(Durability.never())
            .overflow(OverflowPolicy.block(Duration.ofMinutes(1)))
            .open();
    try {
      append(buffer, 100); // the active segment holds 1
      // two new segments: room only once record 1 is delivered and its segment can be released
      Future<AppendResult> batch =
          threads.submit(
              () -> buffer.appendAll(List.of(ByteBuffer.allocate(max), ByteBuffer.allocate(max))));
      await().atMost(Duration.ofSeconds(5)).until(() -> buffer.metrics().appendsBlocked() == 1);

      buffer.commit(1); // the active segment is now fully delivered: a commit needs no lock

      AppendResult result = batch.get(5, TimeUnit.SECONDS);
      assertThat(result.firstSequence()).isEqualTo(2);
      assertThat(result.lastSequence()).isEqualTo(3);
    } finally {
      buffer.close(); // fails a still blocked batch
      threads.shutdownNow();
    }
  }

  /* --------------- stress --------------- */

  /** A payload that names its writer and its number and can be checked byte for byte. */
  private static byte[] payload(int writer, long number, int size) {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(0, writer).putLong(4, number);
    for (int i = 12; i < size; i++) {
      b.put(i, (byte) (writer * 7 + number * 31 + i));
    }
    return b.array();
  }

  /** Checks a payload's bytes; returns {writer, number}. */
  private static long[] check(long sequence, ByteBuffer view) {
    int size = view.remaining();
    assertThat(size).as("size of sequence %d", sequence).isGreaterThanOrEqualTo(12);
    int at = view.position();
    int writer = view.getInt(at);
    long number = view.getLong(at + 4);
    for (int i = 12; i < size; i++) {
      if (view.get(at + i) != (byte) (writer * 7 + number * 31 + i)) {
        throw new AssertionError("sequence " + sequence + ": byte " + i + " is damaged");
      }
    }
    return new long[] {writer, number};
  }

  private static boolean isClosedFailure(Throwable e, Path directory) {
    return e instanceof BufferFailedException
        && (e.getMessage().equals("buffer " + directory + " is closed")
            || e.getMessage().equals("reader of " + directory + " is closed"));
  }

  @Test
  void appendersReaderFlusherAndClose_racing_everyAcknowledgedRecordReadOnceInOrderOrAfterReopen()
      throws Exception {
    SplittableRandom random = new SplittableRandom(20260807L);
    for (int round = 0; round < 4; round++) {
      Path directory = dir.resolve("round-" + round);
      closeWhileRunning(directory, random.split(), 200 + random.nextInt(4000));
    }
  }

  private void closeWhileRunning(Path directory, SplittableRandom random, int readsBeforeClose)
      throws Exception {
    int writers = 3;
    SegmentBuffer buffer =
        SegmentBuffer.builder(directory)
            .segmentSize(SEGMENT)
            .maxSegments(4)
            .durability(Durability.interval(Duration.ofMillis(2)))
            .overflow(OverflowPolicy.block())
            .checkpointInterval(Duration.ofMillis(10))
            .open();
    ExecutorService threads =
        Executors.newFixedThreadPool(writers + 1, SegmentBufferConcurrencyTest::daemon);
    Map<Long, Long> acknowledged = new ConcurrentHashMap<>(); // sequence -> writer << 40 | number
    Map<Long, Long> read = new ConcurrentHashMap<>();
    AtomicLong reads = new AtomicLong();
    List<Future<?>> tasks = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      long seed = random.nextLong();
      tasks.add(
          threads.submit(
              () -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (long n = 0; ; n++) {
                  byte[] p = payload(writer, n, 12 + r.nextInt(3000));
                  long sequence = buffer.append(p, 0, p.length);
                  acknowledged.put(sequence, ((long) writer << 40) | n);
                }
              }));
    }
    tasks.add(
        threads.submit(
            () -> {
              try (BufferReader reader = buffer.openReader()) {
                long[] expected = {1};
                long[] lastNumber = new long[writers];
                Arrays.fill(lastNumber, -1);
                while (true) {
                  int n =
                      reader.read(
                          1 + (int) (reads.get() % 97),
                          32 << 10,
                          (sequence, view) -> {
                            assertThat(sequence).isEqualTo(expected[0]);
                            long[] id = check(sequence, view);
                            assertThat(id[1]).isGreaterThan(lastNumber[(int) id[0]]);
                            lastNumber[(int) id[0]] = id[1];
                            read.put(sequence, (id[0] << 40) | id[1]);
                            expected[0] = sequence + 1;
                            reads.incrementAndGet();
                          });
                  if (n > 0) {
                    reader.commit(expected[0] - 1);
                  } else if (!reader.awaitRecords(Duration.ofMillis(50)) && buffer.isClosed()) {
                    reader.read(1, 1, (sequence, view) -> {}); // throws: closed
                  }
                }
              }
            }));
    await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() >= readsBeforeClose);
    buffer.close();
    for (Future<?> task : tasks) {
      try {
        task.get(5, TimeUnit.SECONDS);
        throw new AssertionError("a task ended without the closed buffer's exception");
      } catch (ExecutionException e) {
        if (!isClosedFailure(e.getCause(), directory)) {
          throw new AssertionError("unexpected failure", e.getCause());
        }
      }
    }
    threads.shutdownNow();

    // every acknowledged record was read before the close, or is read after reopening
    try (SegmentBuffer reopened = SegmentBuffer.builder(directory).segmentSize(SEGMENT).open();
        BufferReader reader = reopened.openReader()) {
      assertThat(reopened.recoveryReport().clean()).isTrue();
      long[] expected = {reader.nextSequence()};
      assertThat(expected[0]).isLessThanOrEqualTo(read.size() + 1L);
      while (reader.read(
              500,
              Long.MAX_VALUE,
              (sequence, view) -> {
                assertThat(sequence).isEqualTo(expected[0]);
                long[] id = check(sequence, view);
                Long before = read.putIfAbsent(sequence, (id[0] << 40) | id[1]);
                assertThat(before).isIn(null, (id[0] << 40) | id[1]);
                expected[0] = sequence + 1;
              })
          > 0) {}
    }
    for (Map.Entry<Long, Long> e : acknowledged.entrySet()) {
      assertThat(read.get(e.getKey())).as("sequence %d", e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void dropOldest_readerInsideDroppedSegments_readsIntactRecordsInOrderAndLosesOnlyDropped()
      throws Exception {
    SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(SEGMENT)
            .maxSegments(3)
            .durability(Durability.never())
            .overflow(OverflowPolicy.dropOldest())
            .open();
    ExecutorService threads =
        Executors.newSingleThreadExecutor(SegmentBufferConcurrencyTest::daemon);
    int total = 15_000;
    AtomicLong lastRead = new AtomicLong();
    AtomicLong readCount = new AtomicLong();
    try (BufferReader reader = buffer.openReader()) {
      Future<?> appender =
          threads.submit(
              () -> {
                SplittableRandom r = new SplittableRandom(7);
                for (long n = 1; n <= total; n++) {
                  byte[] p = payload(0, n, 12 + r.nextInt(2000));
                  assertThat(buffer.append(p, 0, p.length)).isEqualTo(n); // one appender: seq = n
                }
                return null;
              });
      long uncommitted = 0;
      while (lastRead.get() < total) {
        int n =
            reader.read(
                7,
                Long.MAX_VALUE,
                (sequence, view) -> {
                  assertThat(sequence).isGreaterThan(lastRead.get());
                  assertThat(check(sequence, view)[1]).isEqualTo(sequence);
                  lastRead.set(sequence);
                  readCount.incrementAndGet();
                });
        uncommitted += n;
        if (uncommitted >= 400) { // more than three segments hold: drops are certain
          reader.commit(lastRead.get());
          uncommitted = 0;
        }
        if (n == 0) {
          assertThat(reader.awaitRecords(Duration.ofSeconds(5))).isTrue();
        }
      }
      appender.get(5, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    BufferMetrics metrics = buffer.metrics();
    buffer.close();
    assertThat(metrics.segmentsDropped()).isPositive();
    assertThat(total - readCount.get()).isLessThanOrEqualTo(metrics.recordsLostOverflow());
  }

  /* --------------- the dispatcher's use of the buffer --------------- */

  /** A scheduler whose {@code execute} can be made to refuse, as a shut-down one does. */
  private static final class RefusingScheduler extends ScheduledThreadPoolExecutor {
    volatile boolean refuse;
    final CountDownLatch refusing = new CountDownLatch(1);
    final AtomicReference<Thread> worker = new AtomicReference<>();

    RefusingScheduler() {
      super(1);
      setThreadFactory(
          task -> {
            Thread thread = daemon(task);
            worker.set(thread);
            return thread;
          });
    }

    @Override
    public void execute(Runnable command) {
      if (refuse) {
        refusing.countDown();
        // refuse only once the worker, running the dispatcher's stop under its lock, waits for
        // the buffer lock this (appending) thread holds
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    worker.get() != null
                        && worker.get().getState() == Thread.State.WAITING
                        && Arrays.stream(worker.get().getStackTrace())
                            .anyMatch(f -> f.getMethodName().equals("handBack")));
        throw new RejectedExecutionException("refused by the test");
      }
      super.execute(command);
    }
  }

  @Test
  void dispatcherStopping_appendWakesItAndItsSchedulerRefuses_neitherThreadDeadlocks()
      throws Exception {
    Sink sink =
        new Sink() {
          @Override
          public SinkLimits limits() {
            return new SinkLimits(50, 1 << 20, 64 << 10);
          }

          @Override
          public CompletionStage<List<RecordOutcome>> send(List<SinkRecord> batch) {
            return CompletableFuture.completedFuture(
                Collections.nCopies(batch.size(), RecordOutcome.delivered()));
          }
        };
    RefusingScheduler scheduler = new RefusingScheduler();
    ExecutorService threads =
        Executors.newSingleThreadExecutor(SegmentBufferConcurrencyTest::daemon);
    SegmentBuffer buffer =
        SegmentBuffer.builder(dir).segmentSize(SEGMENT).durability(Durability.never()).open();
    boolean deadlocked = true;
    try (InMemoryDeadLetterStore dead = new InMemoryDeadLetterStore()) {
      Dispatcher dispatcher =
          Dispatcher.builder(buffer, sink)
              .scheduler(scheduler)
              .pollInterval(Duration.ofMinutes(1))
              .deadLetterStore(dead)
              .build();
      dispatcher.start();
      for (int i = 0; i < 3; i++) {
        append(buffer, THIRD); // fills the active segment 1
      }
      // delivered and committed; the reader waits at the end of segment 1, a listener armed
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> dispatcher.metrics().lastCommittedSequence() == 3);
      scheduler.refuse = true;

      // rolls: segment 1 is released but the reader still holds it; the listener asks for a pump
      Future<Long> roll = threads.submit(() -> append(buffer, THIRD));
      assertThat(scheduler.refusing.await(5, TimeUnit.SECONDS)).isTrue();
      // the worker runs finish() under the dispatcher lock: closing the reader hands segment 1 back
      CompletableFuture<Boolean> stopped = dispatcher.stop(Duration.ZERO);

      assertThat(roll.get(10, TimeUnit.SECONDS)).isEqualTo(4);
      assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
      deadlocked = false;
    } finally {
      threads.shutdownNow();
      scheduler.shutdownNow();
      if (!deadlocked) {
        buffer.close();
      }
    }
  }
}
