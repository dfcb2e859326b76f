package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of segment files that were recycled: their bytes after the last frame of the current
 * life are the middle of frames from the earlier life. Found by {@link KillLoopTest}.
 */
class RecycledSegmentRecoveryTest {
  private static final int SEGMENT = 64 << 10;

  @TempDir Path dir;

  private SegmentBuffer open() throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(8)
        .durability(Durability.never())
        .open();
  }

  private static void append(SegmentBuffer buffer, int count, int size) {
    for (int i = 0; i < count; i++) {
      byte[] r = SegmentBufferTest.record(buffer.metrics().lastSequence() + 1, size);
      buffer.append(r, 0, r.length);
    }
  }

  @Test
  void reopen_afterCleanCloseWithRecycledSegments_reportsNoTornTail() throws IOException {
    try (SegmentBuffer buffer = open()) {
      append(buffer, 200, 1000); // 1,016-byte frames: about 3 segments
      buffer.commit(buffer.metrics().lastSequence()); // released; two files kept for reuse
      append(buffer, 300, 300); // 320-byte frames end inside the old 1,016-byte frames
    }

    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();

      assertThat(report.problems()).isEmpty();
      assertThat(report.tornTails()).isZero();
      assertThat(report.bytesSkipped()).isZero();
      assertThat(report.clean()).isTrue();
      assertThat(report.recordsRecovered()).isEqualTo(300);
    }
  }

  @Test
  void append_afterReopenWithRecycledActiveSegment_continuesInThatSegment() throws IOException {
    long firstUndelivered;
    long lastBefore;
    try (SegmentBuffer buffer = open()) {
      append(buffer, 200, 1000);
      buffer.commit(buffer.metrics().lastSequence());
      firstUndelivered = buffer.metrics().lastSequence() + 1;
      while (buffer.metrics().segmentsInUse() < 2) {
        append(buffer, 1, 1000); // until the appender rolls into a recycled file
      }
      append(buffer, 10, 300); // the bytes after these are the middle of an old frame
      lastBefore = buffer.metrics().lastSequence();
    }

    try (SegmentBuffer buffer = open()) {
      append(buffer, 10, 300);

      assertThat(buffer.recoveryReport().clean()).isTrue();
      assertThat(buffer.metrics().segmentsInUse()).isEqualTo(2);
      List<Long> sequences = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        SegmentBufferTest.readAll(reader, sequences);
      }
      assertThat(sequences)
          .hasSize((int) (lastBefore + 10 - firstUndelivered + 1))
          .startsWith(firstUndelivered)
          .endsWith(lastBefore + 10);
    }
  }

  @Test
  void reopen_afterCrashBetweenRecyclingRenameAndHeaderWrite_reportsNoProblem() throws IOException {
    try (SegmentBuffer buffer = open()) {
      append(buffer, 200, 1000); // 64 frames per segment: 4 segments
      buffer.commit(100); // the first segment is delivered and kept for reuse
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
    assertThat(files).hasSize(4);
    // what reuse() does first; a kill before the header is rewritten leaves the old header
    Files.move(files.get(0), dir.resolve(String.format("segment-%020d.seg", 5)));

    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();

      assertThat(report.problems()).isEmpty();
      assertThat(report.clean()).isTrue();
      assertThat(report.recordsRecovered()).isEqualTo(100);
      List<Long> sequences = new ArrayList<>();
      try (BufferReader reader = buffer.openReader()) {
        SegmentBufferTest.readAll(reader, sequences);
      }
      assertThat(sequences).hasSize(100).startsWith(101L).endsWith(200L);
    }
  }
}
