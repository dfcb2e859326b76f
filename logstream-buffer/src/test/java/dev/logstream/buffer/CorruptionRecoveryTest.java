package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Damage generated at known places: which records survive and what the report says. */
class CorruptionRecoveryTest {
  private static final int SEGMENT = 64 << 10;

  /** 4984-byte payloads make 5000-byte frames: 13 per segment, frame k of a segment at 64+5000k. */
  private static final int SIZE = 4984;

  @TempDir Path dir;

  private final Map<Long, byte[]> written = new LinkedHashMap<>();

  private SegmentBuffer open() throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(64)
        .durability(Durability.never())
        .open();
  }

  private long append(SegmentBuffer buffer, long i, int size) {
    byte[] r = SegmentBufferTest.record(i, size);
    long seq = buffer.append(r, 0, r.length);
    written.put(seq, r);
    return seq;
  }

  private Map<Long, byte[]> expected(LongStream sequences) {
    Map<Long, byte[]> out = new LinkedHashMap<>();
    sequences.forEach(seq -> out.put(seq, written.get(seq)));
    return out;
  }

  /* --------------------------------------------------------- damage in segment 2 of 4 */

  enum SegmentTwoDamage {
    /** seq 14 @64: the first frame of segment 2. */
    FIRST_FRAME_BIT_FLIP(14),
    /** seq 16 @10064. */
    PAYLOAD_BIT_FLIP(16),
    /** page 2 (8192..12288): the end of seq 15 and the header of seq 16. */
    ZEROED_PAGE(15, 16),
    /** bytes 0..6000 overwritten: the header, seq 14 and the start of seq 15. */
    GARBAGE_OVER_HEADER(14, 15),
    /** seq 26 @60064, the last frame: nothing valid follows, so it is a torn tail. */
    LAST_FRAME_BIT_FLIP(26),
    /** cut inside seq 17 (15064..20064). */
    TRUNCATED(17, 18, 19, 20, 21, 22, 23, 24, 25, 26),
    /** cut to 10 bytes: the file is quarantined. */
    TRUNCATED_TO_NOTHING(14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26);

    final long[] lost;

    SegmentTwoDamage(long... lost) {
      this.lost = lost;
    }

    void apply(Path file) throws IOException {
      switch (this) {
        case FIRST_FRAME_BIT_FLIP -> SegmentFiles.flipBit(file, 64 + 16 + 7, 2);
        case PAYLOAD_BIT_FLIP -> SegmentFiles.flipBit(file, 10064 + 16 + 4000, 7);
        case ZEROED_PAGE -> SegmentFiles.zero(file, 8192, 12288);
        case GARBAGE_OVER_HEADER ->
            SegmentFiles.overwrite(file, 0, GoldenCorpus.randomBytes(3, 6000));
        case LAST_FRAME_BIT_FLIP -> SegmentFiles.flipBit(file, 60064 + 16 + 4983, 0);
        case TRUNCATED -> SegmentFiles.truncate(file, 20000);
        case TRUNCATED_TO_NOTHING -> SegmentFiles.truncate(file, 10);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(SegmentTwoDamage.class)
  void damageInSegmentTwoOfFour_segmentsOneThreeAndFourAreReadInFull(SegmentTwoDamage damage)
      throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 50; i++) {
        append(buffer, i, SIZE);
      }
    }
    assertThat(SegmentFiles.segments(dir)).hasSize(4);
    damage.apply(SegmentFiles.segment(dir, 2));

    try (SegmentBuffer buffer = open()) {
      List<Long> lost = LongStream.of(damage.lost).boxed().toList();
      Map<Long, byte[]> expected =
          expected(LongStream.rangeClosed(1, 50).filter(seq -> !lost.contains(seq)));
      assertThat(SegmentFiles.readAll(buffer)).containsExactlyEntriesOf(expected);
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.recordsLost()).as(report.toString()).isEqualTo(lost.size());
      assertThat(report.recordsRecovered()).isEqualTo(50 - lost.size());
      assertThat(report.lastSequence()).isEqualTo(50);
      assertThat(report.segmentsQuarantined())
          .isEqualTo(damage == SegmentTwoDamage.TRUNCATED_TO_NOTHING ? 1 : 0);
      assertThat(append(buffer, 51, 10)).isEqualTo(51);
    }
    try (SegmentBuffer buffer = open()) {
      assertThat(SegmentFiles.readAll(buffer)).containsKey(51L).hasSize(51 - damage.lost.length);
    }
  }

  @Test
  void garbageOverHeader_reportsTheSkipFromTheLastGoodRecord() throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 50; i++) {
        append(buffer, i, SIZE);
      }
    }
    SegmentTwoDamage.GARBAGE_OVER_HEADER.apply(SegmentFiles.segment(dir, 2));
    try (SegmentBuffer buffer = open()) {
      String seg2 = SegmentFiles.segmentName(2);
      assertThat(buffer.recoveryReport().problems())
          .containsExactly(
              seg2 + ": damaged header (bad magic number or CRC); scanning frames only",
              seg2
                  + ": skipped 10000 damaged bytes at offsets 64..10064 (length 3360288378 runs past"
                  + " the segment end); 2 records lost, reading resumes at sequence 16");
    }
  }

  /* --------------------------------------------------------- the start of a segment */

  @Test
  void bitFlipInTheVeryFirstFrame_countsTheRecordAsLost() throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 20; i++) {
        append(buffer, i, SIZE);
      }
    }
    SegmentFiles.flipBit(SegmentFiles.segment(dir, 1), 64 + 16, 0);
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.recordsLost()).isEqualTo(1);
      assertThat(report.recordsRecovered()).isEqualTo(19);
      assertThat(report.problems())
          .containsExactly(
              SegmentFiles.segmentName(1)
                  + ": skipped 5000 damaged bytes at offsets 64..5064 (CRC-32C mismatch); 1"
                  + " records lost, reading resumes at sequence 2");
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(expected(LongStream.rangeClosed(2, 20)));
    }
  }

  @Test
  void bitFlipInFirstUndeliveredRecord_firstSequenceIsTheFirstReadable() throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 20; i++) {
        append(buffer, i, SIZE);
      }
      buffer.commit(5);
    }
    SegmentFiles.flipBit(SegmentFiles.segment(dir, 1), 64 + 5 * 5000 + 16, 0); // seq 6
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.firstSequence()).isEqualTo(7);
      assertThat(report.recordsLost()).isEqualTo(1);
      assertThat(SegmentFiles.readAll(buffer).keySet()).first().isEqualTo(7L);
    }
  }

  @Test
  void bitFlipInFirstFrame_afterManyReleasedSegments_keepsTheRestOfTheSegment() throws IOException {
    long last = 0;
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 20_000; i++) {
        last = append(buffer, i, 8); // 24-byte frames: 2728 per segment
      }
      buffer.commit(last - 100);
    }
    List<Path> segments = SegmentFiles.segments(dir);
    // segments 1 and 2 were kept for reuse; 3..7 deleted; 8 holds 19097..20000
    assertThat(segments.stream().map(p -> p.getFileName().toString()))
        .containsExactly(
            SegmentFiles.segmentName(1), SegmentFiles.segmentName(2), SegmentFiles.segmentName(8));
    SegmentFiles.flipBit(segments.get(2), 64 + 16, 0); // its first record, already delivered
    try (SegmentBuffer buffer = open()) {
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(expected(LongStream.rangeClosed(last - 99, last)));
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.recordsRecovered()).isEqualTo(100);
      assertThat(report.recordsLost()).isZero();
    }
  }

  /* --------------------------------------------------------- recycled segments */

  /** Rounds of records of changing sizes, committed but for the last few: files are reused. */
  private void writeWithRecycling() throws IOException {
    try (SegmentBuffer buffer = open()) {
      long i = 0;
      for (int round = 0; round < 6; round++) {
        long last = 0;
        for (int k = 0; k < 50; k++) {
          i++;
          last = append(buffer, i, 100 + (round * 37 + k * 13) % 900);
        }
        buffer.commit(last - 3);
      }
      assertThat(buffer.metrics().lastSequence()).isEqualTo(300);
    }
  }

  @Test
  void recycledSegment_afterCleanClose_reopensCleanAndKeepsAppendingInIt() throws IOException {
    writeWithRecycling();
    List<Path> before = SegmentFiles.segments(dir);
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.problems()).isEmpty();
      assertThat(report.clean()).as(report.summary()).isTrue();
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(expected(LongStream.rangeClosed(298, 300)));
      append(buffer, 301, 50);
      assertThat(SegmentFiles.segments(dir)).isEqualTo(before);
    }
    try (SegmentBuffer buffer = open()) {
      assertThat(buffer.recoveryReport().clean()).isTrue();
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(expected(LongStream.rangeClosed(298, 301)));
    }
  }

  @Test
  void recycledSegment_tornLastFrame_isStillCut() throws IOException {
    writeWithRecycling();
    try (SegmentBuffer buffer = open()) {
      append(buffer, 301, 500);
    }
    // find seq 301 in the last segment and zero the end of its payload, as a crash mid-append
    Path last = SegmentFiles.segments(dir).get(SegmentFiles.segments(dir).size() - 1);
    byte[] bytes = Files.readAllBytes(last);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int at = SegmentFormat.HEADER_SIZE;
    while (b.getLong(at + SegmentFormat.F_SEQUENCE) != 301) {
      at += (int) SegmentFormat.frameSize(b.getInt(at));
    }
    SegmentFiles.zero(last, at + 16 + 200, at + 16 + 500);
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.tornTails()).isEqualTo(1);
      assertThat(report.problems())
          .containsExactly(
              last.getFileName()
                  + ": torn tail cut at offset "
                  + at
                  + " (CRC-32C mismatch, 520 bytes)");
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(expected(LongStream.rangeClosed(298, 300)));
    }
  }

  /* --------------------------------------------------------- checkpoint damage */

  enum CheckpointDamage {
    DELETED,
    EMPTY,
    GARBAGE,
    TRUNCATED,
    COMMITTED_BIT_FLIP
  }

  @ParameterizedTest
  @EnumSource(CheckpointDamage.class)
  void checkpointDamage_afterSegmentsWereReleased_costsDuplicatesNeverLoss(CheckpointDamage damage)
      throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 100; i++) {
        append(buffer, i, 5000); // 5016-byte frames: 13 per segment
      }
      buffer.commit(99);
    }
    // segments 1 and 2 (seq 1..26) were kept for reuse, 3..7 deleted, 8 holds 92..100
    Path checkpoint = dir.resolve(Checkpoint.FILE_NAME);
    switch (damage) {
      case DELETED -> Files.delete(checkpoint);
      case EMPTY -> Files.write(checkpoint, new byte[0]);
      case GARBAGE -> Files.write(checkpoint, GoldenCorpus.randomBytes(1, 32));
      case TRUNCATED -> SegmentFiles.truncate(checkpoint, 31);
      case COMMITTED_BIT_FLIP -> SegmentFiles.flipBit(checkpoint, 8, 5);
    }
    try (SegmentBuffer buffer = open()) {
      RecoveryReport report = buffer.recoveryReport();
      assertThat(report.checkpoint()).isNotEqualTo(RecoveryReport.CheckpointState.VALID);
      assertThat(SegmentFiles.readAll(buffer))
          .containsExactlyEntriesOf(
              expected(
                  LongStream.concat(
                      LongStream.rangeClosed(1, 26),
                      LongStream.of(92, 93, 94, 95, 96, 97, 98, 99, 100))));
      assertThat(report.recordsLost()).as(report.toString()).isZero();
      assertThat(buffer.metrics().recordsLostCorruption()).isZero();
      assertThat(report.recordsRecovered()).isEqualTo(35);
      assertThat(report.problems())
          .contains(
              SegmentFiles.segmentName(8)
                  + ": sequences 27..91 are not on disk; without a valid checkpoint they are"
                  + " taken as delivered, not lost");
    }
  }

  /* --------------------------------------------------------- format version */

  @Test
  void newerVersion_afterDeliveredSegments_failsBeforeTouchingAnyFile() throws IOException {
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 52; i++) {
        append(buffer, i, SIZE);
      }
    }
    // segments 1..3 hold 1..39 and are delivered; segment 4 was written by a newer release
    Checkpoint.write(SegmentIo.SYSTEM, dir, 39, 0);
    SegmentFiles.setHeaderVersion(SegmentFiles.segment(dir, 4), 7);
    Files.write(dir.resolve(Checkpoint.TEMP_NAME), new byte[] {1, 2, 3});
    Map<String, byte[]> before = SegmentFiles.snapshot(dir);
    before.remove("buffer.lock");

    assertThatThrownBy(this::open)
        .isInstanceOf(BufferException.class)
        .hasMessage(
            SegmentFiles.segmentName(4)
                + " has segment format version 7; this release reads version 1 (refusing to open"
                + " rather than destroy newer data)");

    Map<String, byte[]> after = SegmentFiles.snapshot(dir);
    after.remove("buffer.lock");
    assertThat(after).containsOnlyKeys(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
  }

  @Test
  void versionFieldBitFlip_isDamageNotANewerVersion() throws IOException {
    List<Long> all = new ArrayList<>();
    try (SegmentBuffer buffer = open()) {
      for (int i = 1; i <= 20; i++) {
        all.add(append(buffer, i, SIZE));
      }
    }
    SegmentFiles.flipBit(SegmentFiles.segment(dir, 2), SegmentFormat.H_VERSION, 1);
    try (SegmentBuffer buffer = open()) {
      assertThat(buffer.recoveryReport().problems())
          .containsExactly(
              SegmentFiles.segmentName(2)
                  + ": damaged header (bad magic number or CRC); scanning frames only");
      assertThat(SegmentFiles.readAll(buffer).keySet()).containsExactlyElementsOf(all);
    }
  }
}
