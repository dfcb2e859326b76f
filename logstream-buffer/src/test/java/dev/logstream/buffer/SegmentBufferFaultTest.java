package dev.logstream.buffer;

import static dev.logstream.buffer.SegmentBufferTest.readAll;
import static dev.logstream.buffer.SegmentBufferTest.record;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.assertj.core.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Disk faults injected through the {@link SegmentIo} seam: a failed {@code fsync} (of a mapping, a
 * channel or the directory), no space left while a segment is allocated, short writes, and failed
 * renames.
 */
class SegmentBufferFaultTest {
  private static final int SEGMENT = 64 << 10;
  private static final int MAX = SegmentFormat.maxPayload(SEGMENT);
  private static final String NO_SPACE = "No space left on device";

  @TempDir Path dir;

  /** The real file system, with faults a test switches on. */
  static final class FaultyIo implements SegmentIo {
    private final Map<FileChannel, Path> paths = new ConcurrentHashMap<>();
    volatile IOException mappedForceFailure;
    volatile IOException channelForceFailure;
    volatile IOException directoryForceFailure;
    volatile CountDownLatch mappedForceGate;
    final CountDownLatch mappedForceEntered = new CountDownLatch(1);
    volatile Predicate<Path> moveFailsTo = p -> false;
    volatile int maxBytesPerWrite = Integer.MAX_VALUE;

    /**
     * Bytes of new blocks the disk still has for any file (writes past a file's end take them;
     * replacing or deleting a file gives its size back); unlimited unless a test sets it.
     */
    final AtomicLong diskFree = new AtomicLong(Long.MAX_VALUE);

    /** Bytes that writes into {@code .seg.alloc} files may still take before the disk is full. */
    final AtomicLong allocationSpace = new AtomicLong(Long.MAX_VALUE);

    final AtomicInteger writes = new AtomicInteger();

    @Override
    public FileChannel openReadWrite(Path path) throws IOException {
      FileChannel ch = SegmentIo.super.openReadWrite(path);
      paths.put(ch, path);
      return ch;
    }

    @Override
    public int write(FileChannel channel, ByteBuffer src, long position) throws IOException {
      int n = Math.min(src.remaining(), maxBytesPerWrite);
      Path path = paths.get(channel);
      if (path != null && path.getFileName().toString().endsWith(".seg.alloc")) {
        long left = allocationSpace.get();
        if (left <= 0) {
          throw new IOException(NO_SPACE);
        }
        n = (int) Math.min(n, left);
        allocationSpace.addAndGet(-n);
      }
      long growth = position + n - channel.size();
      if (growth > 0 && diskFree.get() != Long.MAX_VALUE) {
        if (diskFree.addAndGet(-growth) < 0) {
          diskFree.addAndGet(growth);
          throw new IOException(NO_SPACE);
        }
      }
      ByteBuffer part = src.slice().limit(n);
      int written = channel.write(part, position);
      src.position(src.position() + written);
      writes.incrementAndGet();
      return written;
    }

    @Override
    public void force(MappedByteBuffer map, int offset, int length) throws IOException {
      IOException failure = mappedForceFailure;
      if (failure != null) {
        mappedForceEntered.countDown();
        CountDownLatch gate = mappedForceGate;
        if (gate != null) {
          try {
            gate.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        throw failure;
      }
      SegmentIo.super.force(map, offset, length);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
      IOException failure = channelForceFailure;
      if (failure != null) {
        throw failure;
      }
      SegmentIo.super.force(channel);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
      IOException failure = directoryForceFailure;
      if (failure != null) {
        throw failure;
      }
      SegmentIo.super.forceDirectory(directory);
    }

    @Override
    public void move(Path source, Path target) throws IOException {
      if (moveFailsTo.test(target)) {
        throw new FileSystemException(
            source.toString(), target.toString(), "Read-only file system");
      }
      long replaced = Files.exists(target) ? Files.size(target) : 0;
      SegmentIo.super.move(source, target);
      giveBack(replaced);
    }

    @Override
    public void delete(Path path) throws IOException {
      long size = Files.exists(path) ? Files.size(path) : 0;
      SegmentIo.super.delete(path);
      giveBack(size);
    }

    private void giveBack(long bytes) {
      diskFree.getAndUpdate(free -> free == Long.MAX_VALUE ? free : free + bytes);
    }
  }

  private SegmentBuffer open(SegmentIo io, Durability durability, OverflowPolicy overflow)
      throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(8)
        .durability(durability)
        .overflow(overflow)
        .checkpointInterval(Duration.ofHours(1)) // checkpoints only where a test makes them
        .io(io)
        .open();
  }

  private SegmentBuffer reopenHealthy() throws IOException {
    return SegmentBuffer.builder(dir).segmentSize(SEGMENT).maxSegments(8).open();
  }

  private static Durability durability(String name) {
    return name.equals("always") ? Durability.always() : Durability.interval(Duration.ofMillis(5));
  }

  private static long append(SegmentBuffer buffer, byte[] payload) {
    return buffer.append(payload, 0, payload.length);
  }

  private String failedMessage(String what, IOException cause) {
    return "buffer "
        + dir
        + " failed: "
        + what
        + ": "
        + cause.getMessage()
        + "; it accepts no more records (reopen it to recover from disk)";
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String segmentName(long id) {
    return String.format("segment-%020d.seg", id);
  }

  /** Asserts the buffer refuses appends for good, with {@code message}, caused by {@code cause}. */
  private static void assertFailedForGood(SegmentBuffer buffer, String message, IOException cause) {
    assertThat(buffer.failure()).hasMessage(message).hasCause(cause);
    byte[] r = record(99, 10);
    assertThatThrownBy(() -> append(buffer, r))
        .isExactlyInstanceOf(BufferFailedException.class)
        .hasMessage(message)
        .hasCause(cause);
    assertThatThrownBy(() -> buffer.appendAll(List.of(ByteBuffer.wrap(r))))
        .isExactlyInstanceOf(BufferFailedException.class)
        .hasMessage(message);
    ExecutionException late =
        catchThrowableOfType(
            ExecutionException.class, () -> buffer.whenDurable(1).get(10, TimeUnit.SECONDS));
    assertThat(late.getCause()).isInstanceOf(BufferFailedException.class).hasMessage(message);
  }

  /** Reopens with the real file system and checks every record appended is there. */
  private void assertReopenRecovers(List<byte[]> appended, long firstExpected) throws IOException {
    try (SegmentBuffer buffer = reopenHealthy()) {
      RecoveryReport report = buffer.recoveryReport();
      long expected = appended.size() - firstExpected + 1;
      assertThat(report.recordsRecovered()).as(report.summary()).isEqualTo(expected);
      assertThat(report.recordsLost()).isZero();
      assertThat(report.summary()).startsWith("recovered " + expected + " undelivered records");
      List<Long> seqs = new ArrayList<>();
      List<byte[]> read;
      try (BufferReader reader = buffer.openReader()) {
        read = readAll(reader, seqs);
      }
      assertThat(seqs).first().isEqualTo(firstExpected);
      assertThat(read)
          .containsExactlyElementsOf(appended.subList((int) firstExpected - 1, appended.size()));
    }
  }

  // ---------------------------------------------------------------- force() failures

  @Test
  void mappedForceFailure_underAlways_failsPendingFuturesAndLaterAppendsForGood() throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    IOException eio = new IOException("Input/output error");
    String message = failedMessage("fsync of segment 1 (" + segmentName(1) + ") failed", eio);
    try (SegmentBuffer buffer = open(io, Durability.always(), OverflowPolicy.reject())) {
      appended.add(record(1, 100));
      assertThat(buffer.whenDurable(append(buffer, appended.get(0))).get(10, TimeUnit.SECONDS))
          .isEqualTo(1);

      io.mappedForceGate = new CountDownLatch(1);
      io.mappedForceFailure = eio;
      appended.add(record(2, 200));
      appended.add(record(3, 300));
      AppendResult batch =
          buffer.appendAll(
              List.of(ByteBuffer.wrap(appended.get(1)), ByteBuffer.wrap(appended.get(2))));
      assertThat(io.mappedForceEntered.await(10, TimeUnit.SECONDS)).isTrue();
      appended.add(record(4, 400));
      var pending = buffer.whenDurable(append(buffer, appended.get(3)));
      assertThat(batch.durable()).isNotDone();
      assertThat(pending).isNotDone();
      io.mappedForceGate.countDown();

      for (var future : List.of(batch.durable(), pending)) {
        ExecutionException e =
            catchThrowableOfType(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertThat(e.getCause())
            .isExactlyInstanceOf(BufferFailedException.class)
            .hasMessage(message)
            .hasCause(eio);
      }
      assertFailedForGood(buffer, message, eio);
      BufferMetrics m = buffer.metrics();
      assertThat(m.lastSequence()).isEqualTo(4);
      assertThat(m.recordsAppended()).isEqualTo(4);
      assertThat(m.durableSequence()).isEqualTo(1);
      assertThat(m.fsyncs()).isPositive();
    }
    assertThat(files()).noneMatch(n -> n.endsWith(".alloc"));
    assertReopenRecovers(appended, 1);
  }

  @Test
  void mappedForceFailure_underInterval_failsLaterAppendsForGood() throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    IOException eio = new IOException("Input/output error");
    String message = failedMessage("fsync of segment 1 (" + segmentName(1) + ") failed", eio);
    try (SegmentBuffer buffer =
        open(io, Durability.interval(Duration.ofMillis(5)), OverflowPolicy.reject())) {
      appended.add(record(1, 100));
      append(buffer, appended.get(0));
      io.mappedForceFailure = eio;
      appended.add(record(2, 200));
      append(buffer, appended.get(1)); // completes at once: the fsync comes later
      await().atMost(Duration.ofSeconds(10)).until(() -> buffer.failure() != null);
      assertFailedForGood(buffer, message, eio);
      assertThat(buffer.metrics().lastSequence()).isEqualTo(2);
    }
    assertReopenRecovers(appended, 1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"always", "interval"})
  void checkpointForceFailure_failsTheBufferForGoodAndKeepsTheReleasedSegment(String level)
      throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    IOException eio = new IOException("Input/output error");
    String message = failedMessage("could not write the checkpoint", eio);
    try (SegmentBuffer buffer = open(io, durability(level), OverflowPolicy.reject())) {
      for (int i = 1; i <= 3; i++) {
        appended.add(record(i, MAX)); // one record per segment
        buffer.whenDurable(append(buffer, appended.get(i - 1))).get(10, TimeUnit.SECONDS);
      }
      io.channelForceFailure = eio;
      buffer.commit(1); // releases segment 1: the checkpoint must be on disk first
      assertFailedForGood(buffer, message, eio);
      assertThat(files()).contains(segmentName(1), segmentName(2), segmentName(3));
      assertThat(buffer.metrics().committedSequence()).isEqualTo(1);
    }
    assertReopenRecovers(appended, 1); // no checkpoint on disk: record 1 is delivered again
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"always", "interval"})
  void channelForceFailure_ofANewSegment_failsTheBufferForGood(String level) throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    IOException eio = new IOException("Input/output error");
    String message = failedMessage("fsync of new segment " + segmentName(2) + " failed", eio);
    try (SegmentBuffer buffer = open(io, durability(level), OverflowPolicy.reject())) {
      appended.add(record(1, MAX));
      buffer.whenDurable(append(buffer, appended.get(0))).get(10, TimeUnit.SECONDS);
      io.channelForceFailure = eio;
      byte[] next = record(2, 10);
      assertThatThrownBy(() -> append(buffer, next))
          .isExactlyInstanceOf(BufferFailedException.class)
          .hasMessage(message)
          .hasCause(eio);
      assertFailedForGood(buffer, message, eio);
      assertThat(buffer.metrics().allocationFailures()).isZero();
    }
    assertThat(files())
        .containsExactly("buffer.lock", "checkpoint", "checkpoint.spare", segmentName(1));
    assertReopenRecovers(appended, 1);
  }

  @Test
  void directoryForceFailure_afterANewSegmentIsRenamed_failsTheBufferAndLeavesNoSegment()
      throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    IOException eio = new IOException("Input/output error");
    String message = failedMessage("fsync of new segment " + segmentName(2) + " failed", eio);
    try (SegmentBuffer buffer = open(io, Durability.always(), OverflowPolicy.reject())) {
      appended.add(record(1, MAX));
      buffer.whenDurable(append(buffer, appended.get(0))).get(10, TimeUnit.SECONDS);
      io.directoryForceFailure = eio;
      byte[] next = record(2, 10);
      assertThatThrownBy(() -> append(buffer, next))
          .isExactlyInstanceOf(BufferFailedException.class)
          .hasMessage(message);
      assertFailedForGood(buffer, message, eio);
    }
    assertThat(files())
        .containsExactly("buffer.lock", "checkpoint", "checkpoint.spare", segmentName(1));
    assertReopenRecovers(appended, 1);
  }

  // ---------------------------------------------------------------- no space at allocation

  /** Runs {@code action} and returns what it logged (slf4j-simple writes to System.err). */
  private static String logOf(ThrowingRunnable action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(UTF_8);
    original.print(log);
    return log;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private String noSpaceMessage() {
    return "buffer " + dir + " cannot allocate a segment of " + SEGMENT + " bytes: " + NO_SPACE;
  }

  @Test
  void noSpaceAtAllocation_reject_throwsFullNamingTheCauseAndLogsOnce() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT + 1000); // the third segment fails after 1000 bytes
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.reject())) {
      append(buffer, record(1, MAX));
      append(buffer, record(2, MAX));
      String log =
          logOf(
              () -> {
                for (int i = 0; i < 2; i++) {
                  byte[] r = record(3, 10);
                  assertThatThrownBy(() -> append(buffer, r))
                      .isExactlyInstanceOf(BufferFullException.class)
                      .hasMessage(noSpaceMessage());
                }
                assertThatThrownBy(() -> buffer.appendAll(List.of(ByteBuffer.allocate(5))))
                    .isExactlyInstanceOf(BufferFullException.class)
                    .hasMessage(noSpaceMessage());
              });
      assertThat(count(log, "cannot allocate a segment")).as(log).isEqualTo(1);
      assertThat(log)
          .contains(
              "WARN dev.logstream.buffer.SegmentBuffer - cannot allocate a segment of 65536 bytes in "
                  + dir
                  + " (java.io.IOException: "
                  + NO_SPACE
                  + "); the buffer is full until a segment is delivered");
      BufferMetrics m = buffer.metrics();
      assertThat(m.allocationFailures()).isEqualTo(3);
      assertThat(m.appendsRejected()).isEqualTo(3);
      assertThat(m.lastSequence()).isEqualTo(2);
      assertThat(buffer.failure()).isNull();
      assertThat(files())
          .containsExactly(
              "buffer.lock", "checkpoint", "checkpoint.spare", segmentName(1), segmentName(2));

      buffer.commit(1); // segment 1 is released and kept for reuse: no new space needed
      assertThat(append(buffer, record(3, 10))).isEqualTo(3);
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(2L, 3L);
    }
  }

  @Test
  void noSpaceAtAllocation_blockWithTimeout_failsAfterWaiting() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(SEGMENT);
    try (SegmentBuffer buffer =
        open(io, Durability.never(), OverflowPolicy.block(Duration.ofMillis(50)))) {
      append(buffer, record(1, MAX));
      long start = System.nanoTime();
      byte[] r = record(2, 10);
      assertThatThrownBy(() -> append(buffer, r))
          .isExactlyInstanceOf(BufferFullException.class)
          .hasMessage(noSpaceMessage() + "; waited PT0.05S for a segment to be delivered");
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
      BufferMetrics m = buffer.metrics();
      assertThat(m.appendsBlocked()).isEqualTo(1);
      assertThat(m.appendsRejected()).isEqualTo(1);
      assertThat(m.allocationFailures()).isEqualTo(1);
      assertThat(files())
          .containsExactly("buffer.lock", "checkpoint", "checkpoint.spare", segmentName(1));
    }
  }

  @Test
  void noSpaceAtAllocation_block_succeedsOnceACommitFreesASegment() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (SegmentBuffer buffer =
        open(io, Durability.never(), OverflowPolicy.block(Duration.ofSeconds(30)))) {
      append(buffer, record(1, MAX));
      append(buffer, record(2, MAX));
      Future<Long> blocked = pool.submit(() -> append(buffer, record(3, 10)));
      await().atMost(Duration.ofSeconds(10)).until(() -> buffer.metrics().appendsBlocked() == 1);
      assertThat(blocked).isNotDone();
      buffer.commit(1);
      assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(3);
      BufferMetrics m = buffer.metrics();
      assertThat(m.allocationFailures()).isEqualTo(1);
      assertThat(m.segmentsInUse()).isEqualTo(2);
      assertThat(files())
          .noneMatch(n -> n.endsWith(".alloc"))
          .hasSize(5); // lock, checkpoint, spare, 2 segments
      List<Long> seqs = new ArrayList<>();
      List<byte[]> read;
      try (BufferReader reader = buffer.openReader()) {
        read = readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(2L, 3L);
      assertThat(read.get(1)).isEqualTo(record(3, 10));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noSpaceAtAllocation_tryAppendAllUnderBlock_returnsNullAndWaitsForAFreedSegment()
      throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT);
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.block())) {
      append(buffer, record(1, MAX));
      append(buffer, record(2, MAX));
      List<ByteBuffer> next = List.of(ByteBuffer.wrap(record(3, 10)));
      assertThat(buffer.tryAppendAll(next)).isNull();
      assertThat(buffer.metrics().allocationFailures()).isEqualTo(1);
      java.util.concurrent.CompletableFuture<Void> room = buffer.whenRoomFor(next);
      assertThat(room).isNotDone(); // two segments of eight in use, but the disk is full
      buffer.commit(1);
      assertThat(room).isCompleted();
      assertThat(buffer.tryAppendAll(next).firstSequence()).isEqualTo(3);
    }
  }

  @Test
  void noSpaceAtAllocation_dropOldest_dropsTheOldestSegmentAndReusesIt() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT);
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.dropOldest())) {
      append(buffer, record(1, MAX));
      append(buffer, record(2, MAX));
      assertThat(append(buffer, record(3, 10))).isEqualTo(3);
      BufferMetrics m = buffer.metrics();
      assertThat(m.allocationFailures()).isEqualTo(1);
      assertThat(m.segmentsDropped()).isEqualTo(1);
      assertThat(m.recordsLostOverflow()).isEqualTo(1);
      assertThat(m.appendsRejected()).isZero();
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(2L, 3L);
      assertThat(files()).noneMatch(n -> n.endsWith(".alloc"));
    }
  }

  @Test
  void noSpaceInTheMiddleOfABatch_rejectsTheWholeBatchStoringNothing() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT); // the batch needs segments 2 and 3; 3 does not fit
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.reject())) {
      append(buffer, record(1, 10));
      List<ByteBuffer> batch =
          List.of(ByteBuffer.wrap(record(2, MAX)), ByteBuffer.wrap(record(3, MAX)));
      assertThatThrownBy(() -> buffer.appendAll(batch))
          .isExactlyInstanceOf(BufferFullException.class)
          .hasMessage(noSpaceMessage());
      assertThat(buffer.metrics().lastSequence()).isEqualTo(1);
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(1L);
      assertThat(append(buffer, record(2, 10))).isEqualTo(2);
    }
  }

  @Test
  void noSpace_twoBlockedAppenders_bothResumeAndAReaderSeesEveryRecord() throws Exception {
    FaultyIo io = new FaultyIo();
    io.allocationSpace.set(2L * SEGMENT);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (SegmentBuffer buffer =
        open(io, Durability.never(), OverflowPolicy.block(Duration.ofSeconds(30)))) {
      append(buffer, record(1, MAX));
      append(buffer, record(2, MAX));
      Future<Long> a = pool.submit(() -> append(buffer, record(10, 10)));
      Future<Long> b = pool.submit(() -> append(buffer, record(11, 10)));
      await().atMost(Duration.ofSeconds(10)).until(() -> buffer.metrics().appendsBlocked() >= 2);
      buffer.commit(1); // frees segment 1: one appender gets it
      await().atMost(Duration.ofSeconds(10)).until(() -> a.isDone() || b.isDone());
      buffer.commit(2); // frees segment 2, if the other appender needs it
      assertThat(List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS)))
          .containsExactlyInAnyOrder(3L, 4L);
      assertThat(buffer.metrics().segmentsInUse()).isLessThanOrEqualTo(8);
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(3L, 4L);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void allocatedSegment_hasRealBlocks_notASparseFile() throws Exception {
    Path sparse = dir.resolve("sparse-probe");
    try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
      f.setLength(SEGMENT);
    }
    long probe = allocatedBytes(sparse);
    Assumptions.assumeThat(probe)
        .as("the file system makes sparse files (else there is nothing to tell apart)")
        .isLessThan(SEGMENT);
    Files.delete(sparse);
    try (SegmentBuffer buffer = open(new FaultyIo(), Durability.never(), OverflowPolicy.reject())) {
      append(buffer, record(1, 10));
      assertThat(allocatedBytes(dir.resolve(segmentName(1)))).isGreaterThanOrEqualTo(SEGMENT);
    }
  }

  /**
   * Bytes the file system allocated for {@code file}, from {@code stat}'s block count: Java has no
   * portable attribute for it. Skips the test where {@code stat} (GNU coreutils) is missing.
   */
  private static long allocatedBytes(Path file) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("stat", "--format=%b %B", file.toString()).start();
    } catch (IOException e) {
      Assumptions.assumeThat(e).as("stat is available").isNull();
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), UTF_8).trim();
    Assumptions.assumeThat(p.waitFor()).as("stat --format=%b %B works").isZero();
    String[] parts = out.split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }

  // ---------------------------------------------------------------- short writes, renames

  @Test
  void shortWrites_ofSevenBytes_stillProduceCorrectSegmentsAndCheckpoint() throws Exception {
    FaultyIo io = new FaultyIo();
    io.maxBytesPerWrite = 7;
    List<byte[]> appended = new ArrayList<>();
    try (SegmentBuffer buffer = open(io, Durability.always(), OverflowPolicy.reject())) {
      for (int i = 1; i <= 5; i++) {
        appended.add(record(i, i % 2 == 0 ? 40_000 : 1_000));
        buffer.whenDurable(append(buffer, appended.get(i - 1))).get(10, TimeUnit.SECONDS);
      }
      buffer.commit(3); // releases segment 1: a checkpoint is written, 7 bytes at a time
      assertThat(Checkpoint.read(dir).committed()).isEqualTo(3);
    }
    assertThat(io.writes.get()).isGreaterThan(2 * SEGMENT / 7);
    Checkpoint.Read checkpoint = Checkpoint.read(dir);
    assertThat(checkpoint.state()).isEqualTo(RecoveryReport.CheckpointState.VALID);
    assertThat(checkpoint.committed()).isEqualTo(3);
    assertThat(Files.size(dir.resolve(Checkpoint.FILE_NAME))).isEqualTo(Checkpoint.SIZE);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".seg")))
          .isNotEmpty()
          .allSatisfy(p -> assertThat(Files.size(p)).isEqualTo(SEGMENT));
    }
    try (SegmentBuffer buffer = reopenHealthy()) {
      assertThat(buffer.recoveryReport().clean()).as(buffer.recoveryReport().summary()).isTrue();
    }
    assertReopenRecovers(appended, 4);
  }

  @Test
  void diskFull_afterTheFirstCheckpoint_checkpointsStillGoIntoTheSpare() throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.reject())) {
      for (int i = 1; i <= 4; i++) {
        appended.add(record(i, MAX)); // one record per segment
        append(buffer, appended.get(i - 1));
      }
      io.diskFree.set(0); // another process filled the disk
      buffer.commit(1);
      buffer.commit(2);
      buffer.commit(3);
      assertThat(buffer.failure()).isNull();
      assertThat(Checkpoint.read(dir).committed()).isEqualTo(3);
    }
    assertThat(Checkpoint.read(dir).committed()).isEqualTo(3);
    assertReopenRecovers(appended, 4);
  }

  @Test
  void diskFull_withoutASpare_failsTheBufferNamingTheCause() throws Exception {
    FaultyIo io = new FaultyIo();
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.reject())) {
      for (int i = 1; i <= 2; i++) {
        append(buffer, record(i, MAX));
      }
      Files.delete(dir.resolve(Checkpoint.SPARE_NAME));
      io.diskFree.set(0);
      buffer.commit(1);
      assertThat(buffer.failure())
          .hasMessageContaining("could not write the checkpoint: " + NO_SPACE);
    }
  }

  @Test
  void checkpointRenameFailure_failsTheBufferForGoodAndKeepsTheReleasedSegment() throws Exception {
    FaultyIo io = new FaultyIo();
    List<byte[]> appended = new ArrayList<>();
    try (SegmentBuffer buffer = open(io, Durability.never(), OverflowPolicy.reject())) {
      for (int i = 1; i <= 4; i++) {
        appended.add(record(i, MAX)); // one record per segment
        append(buffer, appended.get(i - 1));
      }
      buffer.commit(1); // checkpoint 1 written, segment 1 released
      io.moveFailsTo = p -> p.getFileName().toString().equals(Checkpoint.FILE_NAME);
      buffer.commit(2); // releasing segment 2 needs checkpoint 2, which cannot be renamed
      IOException cause = (IOException) buffer.failure().getCause();
      assertThat(cause)
          .isInstanceOf(FileSystemException.class)
          .hasMessage(
              dir.resolve(Checkpoint.SPARE_NAME)
                  + " -> "
                  + dir.resolve(Checkpoint.FILE_NAME)
                  + ": Read-only file system");
      assertFailedForGood(buffer, failedMessage("could not write the checkpoint", cause), cause);
      assertThat(files()).contains(segmentName(2), segmentName(3), segmentName(4));
    }
    assertThat(Checkpoint.read(dir).committed()).isEqualTo(1);
    try (SegmentBuffer buffer = reopenHealthy()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.clean()).as(report.summary()).isTrue();
      assertThat(report.recordsLost()).isZero();
    }
    assertReopenRecovers(appended, 2); // record 2 is delivered again, none is missing
  }

  @Test
  void renameFailureDuringAllocation_leavesNoPartialSegment() throws Exception {
    FaultyIo io = new FaultyIo();
    io.moveFailsTo = p -> p.getFileName().toString().endsWith(".seg");
    try (SegmentBuffer buffer = open(io, Durability.always(), OverflowPolicy.reject())) {
      byte[] r = record(1, 10);
      Path target = dir.resolve(segmentName(1));
      assertThatThrownBy(() -> append(buffer, r))
          .isExactlyInstanceOf(BufferFullException.class)
          .hasMessage(
              "buffer "
                  + dir
                  + " cannot allocate a segment of 65536 bytes: "
                  + target
                  + ".alloc -> "
                  + target
                  + ": Read-only file system");
      assertThat(files()).containsExactly("buffer.lock", "checkpoint", "checkpoint.spare");
      assertThat(buffer.metrics().allocationFailures()).isEqualTo(1);
      assertThat(buffer.failure()).isNull();

      io.moveFailsTo = p -> false;
      assertThat(append(buffer, r)).isEqualTo(1);
      assertThat(files())
          .containsExactly("buffer.lock", "checkpoint", "checkpoint.spare", segmentName(1));
    }
  }
}
