package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link KillLoopTest} kills. It opens a buffer (recovering what the previous child
 * left), then appends with several writer threads and reads and commits with one reader thread
 * until it is killed, reporting on stdout, one line each:
 *
 * <pre>
 * opening                                   before the buffer is opened
 * ready &lt;lastSequence&gt; &lt;committed&gt;           the buffer is open (metrics after recovery)
 * appending                                 the writers and the reader are running
 * acked &lt;first&gt; &lt;last&gt; &lt;writer&gt; &lt;counter&gt;    records first..last, the writer's records
 *                                           counter.. , reached the durability level
 * durable &lt;sequence&gt;                        the buffer's durableSequence metric grew
 * committing &lt;sequence&gt;                     about to commit (written and flushed before)
 * committed &lt;sequence&gt;                      the commit returned
 * stats &lt;appendsBlocked&gt; &lt;fsyncs&gt;           counters since open, every 10 ms
 * error &lt;text&gt;                              something the buffer must never do; the child halts
 * </pre>
 *
 * <p>An {@code acked} line is written only after the append's durability future completed: for
 * {@code always} after the covering {@code fsync} (the child checks that the durableSequence metric
 * covers the record), for {@code interval} at once (page cache). A {@code committing} line is
 * flushed before {@link SegmentBuffer#commit(long)} runs, so the parent always knows a bound on
 * what the checkpoint may hold. Lines are otherwise written in batches; a kill loses the unwritten
 * ones, which only makes the parent know less.
 *
 * <p>The reader checks every record it reads: exact bytes ({@link KillLoopPayload#verify}) and
 * sequences without gaps from the first undelivered one. It keeps a random backlog uncommitted and
 * commits everything read when the writers stall (the buffer is full), so segments are released,
 * recycled and checkpointed all the time.
 *
 * <p>Arguments: directory, durability ({@code always} or {@code interval:<ms>}), seed, segment
 * size, max segments, writer threads, run id (writer ids are {@code runId * 16 + thread}),
 * checkpoint interval in ms. The child also halts when its stdin closes (the parent died) and after
 * two minutes.
 */
final class KillLoopChild {
  private static final int IN_FLIGHT_PER_WRITER = 64;
  private static final int KEEP_BACK_MAX = 2_000;
  private static final Out OUT = new Out();

  private final SegmentBuffer buffer;
  private final Out out;
  private final boolean always;

  private KillLoopChild(SegmentBuffer buffer, Out out, boolean always) {
    this.buffer = buffer;
    this.out = out;
    this.always = always;
  }

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args[0]);
    String durabilityArg = args[1];
    long seed = Long.parseLong(args[2]);
    int segmentSize = Integer.parseInt(args[3]);
    int maxSegments = Integer.parseInt(args[4]);
    int writers = Integer.parseInt(args[5]);
    int runId = Integer.parseInt(args[6]);
    int checkpointMillis = Integer.parseInt(args[7]);

    Out out = OUT;
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "scheduler");
              t.setDaemon(true);
              return t;
            });
    startDaemon("stdin-watch", KillLoopChild::haltWhenParentGone);
    scheduler.schedule(() -> out.fail("not killed within 120 s"), 120, TimeUnit.SECONDS);

    Durability durability = durability(durabilityArg);
    out.now("opening");
    SegmentBuffer buffer =
        SegmentBuffer.builder(directory)
            .segmentSize(segmentSize)
            .maxSegments(maxSegments)
            .durability(durability)
            .checkpointInterval(Duration.ofMillis(checkpointMillis))
            .open();
    BufferMetrics opened = buffer.metrics();
    out.now("ready " + opened.lastSequence() + " " + opened.committedSequence());

    KillLoopChild child =
        new KillLoopChild(buffer, out, durability.level() == Durability.Level.ALWAYS);
    for (int t = 0; t < writers; t++) {
      int writer = runId * 16 + t;
      long writerSeed = seed * 31 + t;
      startDaemon("writer-" + writer, () -> child.write(writer, new SplittableRandom(writerSeed)));
    }
    startDaemon("reader", () -> child.readAndCommit(new SplittableRandom(seed ^ 0x5DEECE66DL)));
    long[] lastDurable = {-1};
    scheduler.scheduleWithFixedDelay(
        () -> {
          long durable = buffer.metrics().durableSequence();
          if (durable > lastDurable[0]) {
            lastDurable[0] = durable;
            out.later("durable " + durable);
          }
        },
        0,
        2,
        TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> {
          BufferMetrics m = buffer.metrics();
          out.later("stats " + m.appendsBlocked() + " " + m.fsyncs());
        },
        10,
        10,
        TimeUnit.MILLISECONDS);
    out.now("appending");
    new CountDownLatch(1).await(); // until killed
  }

  private static Durability durability(String arg) {
    if (arg.equals("always")) {
      return Durability.always();
    }
    if (arg.startsWith("interval:")) {
      return Durability.interval(Duration.ofMillis(Long.parseLong(arg.substring(9))));
    }
    throw new IllegalArgumentException("durability must be always or interval:<ms>, got " + arg);
  }

  /** Appends this writer's records 0, 1, 2, ... forever, singly or in small batches. */
  private void write(int writer, SplittableRandom random) {
    Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_WRITER);
    long counter = 0;
    while (true) {
      int count = random.nextInt(4) == 0 ? 2 + random.nextInt(7) : 1;
      inFlight.acquireUninterruptibly();
      long first;
      long last;
      CompletableFuture<Long> durable;
      if (count == 1) {
        byte[] payload = KillLoopPayload.expected(writer, counter);
        if (random.nextBoolean()) {
          first = buffer.append(payload, 0, payload.length);
        } else {
          first = buffer.append(ByteBuffer.wrap(payload));
        }
        last = first;
        durable = buffer.whenDurable(first);
      } else {
        List<ByteBuffer> payloads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          payloads.add(ByteBuffer.wrap(KillLoopPayload.expected(writer, counter + i)));
        }
        AppendResult result = buffer.appendAll(payloads);
        first = result.firstSequence();
        last = result.lastSequence();
        durable = result.durable();
        if (last - first + 1 != count) {
          out.fail("appendAll of " + count + " records returned " + first + ".." + last);
        }
      }
      long firstCounter = counter;
      durable.whenComplete(
          (sequence, failure) -> {
            if (failure != null) {
              out.fail("durability of " + first + ".." + last + " failed: " + stackTrace(failure));
            } else if (sequence != last) {
              out.fail(
                  "durability future of " + first + ".." + last + " completed with " + sequence);
            } else if (always && buffer.metrics().durableSequence() < last) {
              out.fail(
                  "always: "
                      + first
                      + ".."
                      + last
                      + " completed while durableSequence is "
                      + buffer.metrics().durableSequence());
            } else {
              out.later("acked " + first + " " + last + " " + writer + " " + firstCounter);
            }
            inFlight.release();
          });
      counter += count;
    }
  }

  /**
   * Reads every record, checking bytes and sequence order, and commits with a random backlog;
   * commits everything read when no record arrived for a while (the writers are blocked on a full
   * buffer or on fsync).
   */
  private void readAndCommit(SplittableRandom random) {
    try (BufferReader reader = buffer.openReader()) {
      long[] next = {reader.nextSequence()};
      long committed = next[0] - 1;
      while (true) {
        int n =
            reader.read(
                256,
                1 << 20,
                (sequence, view) -> {
                  if (sequence != next[0]) {
                    out.fail("reader expected sequence " + next[0] + ", read " + sequence);
                  }
                  if (!KillLoopPayload.verify(view)) {
                    out.fail(
                        "record "
                            + sequence
                            + " of "
                            + view.remaining()
                            + " bytes does not verify (names writer "
                            + KillLoopPayload.writer(view)
                            + ")");
                  }
                  next[0] = sequence + 1;
                });
        long lastRead = next[0] - 1;
        if (n == 0) {
          if (!reader.awaitRecords(Duration.ofMillis(2)) && lastRead > committed) {
            committed = commit(lastRead);
          }
          continue;
        }
        long target = lastRead - random.nextInt(KEEP_BACK_MAX);
        if (target > committed && random.nextInt(4) == 0) {
          committed = commit(target);
        }
      }
    } catch (InterruptedException e) {
      out.fail("reader interrupted");
    }
  }

  private long commit(long sequence) {
    out.now("committing " + sequence);
    buffer.commit(sequence);
    out.later("committed " + sequence);
    return sequence;
  }

  private static void haltWhenParentGone() {
    try {
      while (System.in.read() >= 0) {
        // the parent writes nothing; EOF means it is gone
      }
    } catch (IOException e) {
      // same
    }
    Runtime.getRuntime().halt(3);
  }

  private static void startDaemon(String name, ThrowingRunnable body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                OUT.fail("thread " + name + " died: " + stackTrace(e));
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  private static String stackTrace(Throwable e) {
    StringWriter s = new StringWriter();
    e.printStackTrace(new PrintWriter(s));
    return s.toString().replace('\n', '|').replace("\t", "");
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** stdout: lines written at once and flushed, or queued and written in batches. */
  private static final class Out {
    private final OutputStream stream = new FileOutputStream(FileDescriptor.out);
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final StringBuilder batch = new StringBuilder(1 << 16);

    Out() {
      Thread t = new Thread(this::drain, "out");
      t.setDaemon(true);
      t.start();
    }

    /** Writes and flushes the line before returning. */
    synchronized void now(String line) {
      try {
        stream.write((line + "\n").getBytes(US_ASCII));
        stream.flush();
      } catch (IOException e) {
        Runtime.getRuntime().halt(5);
      }
    }

    /** Queues the line; the writer thread writes it soon. */
    void later(String line) {
      queue.add(line);
    }

    /** Reports a broken guarantee and halts. */
    void fail(String message) {
      now("error " + message);
      Runtime.getRuntime().halt(2);
    }

    private void drain() {
      List<String> lines = new ArrayList<>();
      try {
        while (true) {
          lines.add(queue.take());
          queue.drainTo(lines);
          batch.setLength(0);
          for (String line : lines) {
            batch.append(line).append('\n');
          }
          lines.clear();
          synchronized (this) {
            stream.write(batch.toString().getBytes(US_ASCII));
            stream.flush();
          }
        }
      } catch (InterruptedException | IOException e) {
        Runtime.getRuntime().halt(5);
      }
    }
  }
}
