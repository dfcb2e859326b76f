package dev.logstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each peer of the buffer benchmark must read back exactly what it wrote, record after record. */
class BufferBenchmarkTest {

  private static BufferBenchmark benchmark(int recordSize) {
    BufferBenchmark benchmark = new BufferBenchmark();
    benchmark.recordSize = recordSize;
    benchmark.makeRecords();
    return benchmark;
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 256, 4096})
  void records_areDistinctAndOfTheParamSize(int recordSize) {
    BufferBenchmark benchmark = benchmark(recordSize);

    assertThat(benchmark.records.length).isEqualTo(BufferBenchmark.RECORDS);
    assertThat(Arrays.asList(benchmark.records))
        .allSatisfy(record -> assertThat(record).hasSize(recordSize));
    assertThat(benchmark.records[0]).isNotEqualTo(benchmark.records[1]);
    assertThat(benchmark(recordSize).records[5]).isEqualTo(benchmark.records[5]);
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 256, 4096})
  void logstream_pastSeveralSegments_readsBackEachRecordAndRecyclesFiles(int recordSize)
      throws Exception {
    BufferBenchmark benchmark = benchmark(recordSize);
    BufferBenchmark.LogstreamPeer peer = new BufferBenchmark.LogstreamPeer();
    peer.open(benchmark);
    Path directory = peer.buffer.directory();
    try {
      int operations = 3 * (16 << 20) / recordSize + 7;
      for (int i = 0; i < operations; i++) {
        byte[] expected = benchmark.records[i % BufferBenchmark.RECORDS];
        byte[] read = benchmark.logstream(peer);
        if (!Arrays.equals(read, expected)) {
          assertThat(read).as("operation %d", i).isEqualTo(expected);
        }
      }
      assertThat(peer.buffer.metrics().backlogRecords()).isZero();
      assertThat(peer.buffer.metrics().segmentsInUse()).isEqualTo(1);
      try (Stream<Path> files = Files.list(directory)) {
        assertThat(files.filter(p -> p.toString().endsWith(".seg")).count()).isLessThanOrEqualTo(3);
      }
    } finally {
      peer.close();
    }
    assertThat(directory).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 256, 4096})
  void chronicleQueue_manyOperations_readsBackEachRecord(int recordSize) throws Exception {
    BufferBenchmark benchmark = benchmark(recordSize);
    BufferBenchmark.ChronicleQueuePeer peer = new BufferBenchmark.ChronicleQueuePeer();
    peer.open(benchmark);
    Path directory = peer.directory();
    try {
      for (int i = 0; i < 1000; i++) {
        byte[] expected = benchmark.records[i % BufferBenchmark.RECORDS].clone();
        assertThat(benchmark.chronicleQueue(peer)).isEqualTo(expected);
      }
    } finally {
      peer.close();
    }
    assertThat(directory).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 256, 4096})
  void tapeQueueFile_severalOperations_readsBackEachRecordAndLeavesTheQueueEmpty(int recordSize)
      throws Exception {
    BufferBenchmark benchmark = benchmark(recordSize);
    BufferBenchmark.TapePeer peer = new BufferBenchmark.TapePeer();
    peer.open();
    try {
      for (int i = 0; i < 20; i++) {
        byte[] expected = benchmark.records[i % BufferBenchmark.RECORDS].clone();
        assertThat(benchmark.tapeQueueFile(peer)).isEqualTo(expected);
      }
      assertThat(peer.queue.isEmpty()).isTrue();
    } finally {
      peer.close();
    }
    assertThat(peer.queue.file()).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 256, 4096})
  void rawMappedCopy_pastTheEndOfTheFile_wrapsAroundAndReadsBackEachRecord(int recordSize)
      throws Exception {
    BufferBenchmark benchmark = benchmark(recordSize);
    BufferBenchmark.RawMappedPeer peer = new BufferBenchmark.RawMappedPeer();
    peer.open(benchmark);
    int operations = BufferBenchmark.RAW_FILE_SIZE / recordSize + 3;
    try {
      int mismatches = 0;
      for (int i = 0; i < operations; i++) {
        byte[] expected = benchmark.records[i % BufferBenchmark.RECORDS];
        mismatches += Arrays.equals(benchmark.rawMappedCopy(peer), expected) ? 0 : 1;
      }
      assertThat(mismatches).isZero();
      assertThat(peer.position).isEqualTo(3 * recordSize);
    } finally {
      peer.close();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {64})
  void chronicleQueue_runForSeveralSeconds_deletesTheFilesOfPastCycles(int recordSize)
      throws Exception {
    BufferBenchmark benchmark = benchmark(recordSize);
    BufferBenchmark.ChronicleQueuePeer peer = new BufferBenchmark.ChronicleQueuePeer();
    peer.open(benchmark);
    try {
      long end = System.nanoTime() + 3_500_000_000L;
      while (System.nanoTime() < end) {
        benchmark.chronicleQueue(peer);
      }
      benchmark.chronicleQueue(peer);

      assertThat(cycleFiles(peer.directory())).hasSizeBetween(1, 2);
    } finally {
      peer.close();
    }
  }

  private static List<Path> cycleFiles(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.toString().endsWith(".cq4")).toList();
    }
  }
}
