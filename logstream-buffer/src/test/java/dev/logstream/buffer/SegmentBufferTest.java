package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentBufferTest {
  private static final int SEGMENT = 64 << 10;

  @TempDir Path dir;

  private SegmentBuffer open(Durability durability, OverflowPolicy overflow, int maxSegments)
      throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(maxSegments)
        .durability(durability)
        .overflow(overflow)
        .open();
  }

  private SegmentBuffer open() throws IOException {
    return open(Durability.never(), OverflowPolicy.block(), 16);
  }

  static byte[] record(long i, int size) {
    byte[] b = new byte[size];
    byte[] tag = ("r" + i + ":").getBytes(UTF_8);
    for (int j = 0; j < size; j++) {
      b[j] = j < tag.length ? tag[j] : (byte) (i * 31 + j);
    }
    return b;
  }

  static List<byte[]> readAll(BufferReader reader, List<Long> sequences) {
    List<byte[]> out = new ArrayList<>();
    while (reader.read(
            100,
            Long.MAX_VALUE,
            (seq, view) -> {
              byte[] copy = new byte[view.remaining()];
              view.get(copy);
              out.add(copy);
              sequences.add(seq);
            })
        > 0) {}
    return out;
  }

  @Test
  void append_acrossManySegments_readsEveryRecordInOrder() throws IOException {
    try (SegmentBuffer buffer = open()) {
      List<byte[]> written = new ArrayList<>();
      for (int i = 1; i <= 2000; i++) {
        byte[] r = record(i, 10 + i % 300);
        written.add(r);
        assertThat(buffer.append(r, 0, r.length)).isEqualTo(i);
      }
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        List<byte[]> read = readAll(reader, seqs);
        assertThat(read).containsExactlyElementsOf(written);
      }
      assertThat(seqs).hasSize(2000).isSorted().startsWith(1L).endsWith(2000L);
      assertThat(buffer.metrics().segmentsInUse()).isGreaterThan(5);
    }
  }

  @Test
  void commit_ofWholeSegments_releasesAndRecyclesFiles() throws IOException {
    try (SegmentBuffer buffer = open()) {
      byte[] r = record(1, 1000);
      for (int round = 0; round < 20; round++) {
        long last = 0;
        for (int i = 0; i < 200; i++) {
          last = buffer.append(r, 0, r.length);
        }
        buffer.commit(last);
      }
      BufferMetrics m = buffer.metrics();
      assertThat(m.segmentsInUse()).isEqualTo(1);
      assertThat(m.backlogRecords()).isZero();
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.filter(p -> p.toString().endsWith(".seg")).count()).isLessThanOrEqualTo(3);
      }
    }
  }

  @Test
  void reopen_afterClose_returnsOnlyUncommittedRecords() throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 500; i++) {
        byte[] r = record(i, 200);
        buffer.append(r, 0, r.length);
      }
      buffer.commit(321);
    }
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.clean()).as(report.summary()).isTrue();
      assertThat(report.committedSequence()).isEqualTo(321);
      assertThat(report.recordsRecovered()).isEqualTo(179);
      List<Long> seqs = new ArrayList<>();
      List<byte[]> read;
      try (BufferReader reader = buffer.openReader()) {
        read = readAll(reader, seqs);
      }
      assertThat(seqs).first().isEqualTo(322L);
      assertThat(seqs).last().isEqualTo(500L);
      assertThat(read.get(0)).isEqualTo(record(322, 200));
      assertThat(buffer.append(new byte[] {1}, 0, 1)).isEqualTo(501);
    }
  }

  @Test
  void append_recordLargerThanSegment_isRejectedNamingBothSizes() throws IOException {
    try (SegmentBuffer buffer = open()) {
      byte[] big = new byte[SEGMENT];
      assertThatThrownBy(() -> buffer.append(big, 0, big.length))
          .isInstanceOf(RecordTooLargeException.class)
          .hasMessage(
              "record of 65536 bytes does not fit in a segment: segment size 65536 bytes holds at"
                  + " most 65456 bytes of payload");
      byte[] max = new byte[buffer.maxRecordSize()];
      long seq = buffer.append(max, 0, max.length);
      assertThat(seq).isEqualTo(1);
    }
  }

  @Test
  void overflowReject_whenFull_throwsAndStoresNothing() throws IOException {
    try (SegmentBuffer buffer = open(Durability.never(), OverflowPolicy.reject(), 2)) {
      byte[] r = new byte[30_000];
      buffer.append(r, 0, r.length);
      buffer.append(r, 0, r.length);
      buffer.append(r, 0, r.length);
      buffer.append(r, 0, r.length);
      assertThatThrownBy(() -> buffer.append(r, 0, r.length))
          .isInstanceOf(BufferFullException.class)
          .hasMessageContaining("is full: 2 of 2 segments of 65536 bytes hold 4 undelivered")
          .hasMessageEndingWith("overflow policy reject");
      assertThat(buffer.metrics().appendsRejected()).isEqualTo(1);
      assertThat(buffer.metrics().lastSequence()).isEqualTo(4);
      buffer.commit(2);
      assertThat(buffer.append(r, 0, r.length)).isEqualTo(5);
    }
  }

  @Test
  void overflowBlockWithTimeout_whenFull_throwsAfterWaiting() throws IOException {
    try (SegmentBuffer buffer =
        open(Durability.never(), OverflowPolicy.block(Duration.ofMillis(50)), 2)) {
      byte[] r = new byte[30_000];
      for (int i = 0; i < 4; i++) {
        buffer.append(r, 0, r.length);
      }
      assertThatThrownBy(() -> buffer.append(r, 0, r.length))
          .isInstanceOf(BufferFullException.class)
          .hasMessageEndingWith("waited PT0.05S for a segment to be delivered");
      assertThat(buffer.metrics().appendsBlocked()).isEqualTo(1);
    }
  }

  @Test
  void overflowBlock_whenFull_resumesOnceASegmentIsCommitted() throws Exception {
    try (SegmentBuffer buffer = open(Durability.never(), OverflowPolicy.block(), 2)) {
      byte[] r = new byte[30_000];
      for (int i = 0; i < 4; i++) {
        buffer.append(r, 0, r.length);
      }
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Long> blocked = pool.submit(() -> buffer.append(r, 0, r.length));
        org.awaitility.Awaitility.await().until(() -> buffer.metrics().appendsBlocked() == 1);
        assertThat(blocked).isNotDone();
        buffer.commit(2);
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(5);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void overflowDropOldest_whenFull_dropsOldestSegmentAndCountsLoss() throws IOException {
    try (SegmentBuffer buffer = open(Durability.never(), OverflowPolicy.dropOldest(), 2)) {
      byte[] r = new byte[30_000];
      for (int i = 0; i < 5; i++) {
        buffer.append(r, 0, r.length);
      }
      BufferMetrics m = buffer.metrics();
      assertThat(m.segmentsDropped()).isEqualTo(1);
      assertThat(m.recordsLostOverflow()).isEqualTo(2);
      List<Long> seqs = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        readAll(reader, seqs);
      }
      assertThat(seqs).containsExactly(3L, 4L, 5L);
    }
  }

  @Test
  void durabilityAlways_completesAfterFsync() throws Exception {
    try (SegmentBuffer buffer = open(Durability.always(), OverflowPolicy.block(), 4)) {
      AppendResult result =
          buffer.appendAll(
              List.of(ByteBuffer.wrap(record(1, 100)), ByteBuffer.wrap(record(2, 50))));
      assertThat(result.durable().get(10, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(buffer.metrics().fsyncs()).isPositive();
      assertThat(buffer.metrics().durableSequence()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void durabilityInterval_fsyncsInTheBackground_durableSequenceCatchesUp() throws Exception {
    try (SegmentBuffer buffer =
        open(Durability.interval(Duration.ofMillis(10)), OverflowPolicy.block(), 4)) {
      long last = 0;
      for (int i = 1; i <= 100; i++) {
        byte[] r = record(i, 100);
        last = buffer.append(r, 0, r.length);
      }
      assertThat(buffer.whenDurable(last)).isCompletedWithValue(last); // page cache suffices
      long appended = last;
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> buffer.metrics().durableSequence() >= appended);
      assertThat(buffer.metrics().fsyncs()).isPositive();
    }
  }

  @Test
  void concurrentAppenders_everyRecordReadExactlyOnce() throws Exception {
    int threads = 4;
    int perThread = 3000;
    try (SegmentBuffer buffer = open(Durability.never(), OverflowPolicy.block(), 64)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    byte[] r = (id + ":" + i).getBytes(UTF_8);
                    buffer.append(r, 0, r.length);
                  }
                  return null;
                }));
      }
      List<String> read = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        start.countDown();
        while (read.size() < threads * perThread) {
          reader.awaitRecords(Duration.ofSeconds(5));
          reader.read(256, Long.MAX_VALUE, (seq, view) -> read.add(UTF_8.decode(view).toString()));
        }
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      assertThat(read).doesNotHaveDuplicates().hasSize(threads * perThread);
      for (int t = 0; t < threads; t++) {
        String prefix = t + ":";
        List<Integer> mine =
            read.stream()
                .filter(s -> s.startsWith(prefix))
                .map(s -> Integer.parseInt(s.substring(prefix.length())))
                .toList();
        assertThat(mine).isSorted().hasSize(perThread);
      }
    }
  }

  @Test
  void open_twiceOnOneDirectory_failsNamingIt() throws IOException {
    try (SegmentBuffer buffer = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(BufferException.class)
          .hasMessage("buffer directory " + dir + " is in use by another buffer or process");
    }
  }
}
