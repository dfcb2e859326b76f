package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
}
