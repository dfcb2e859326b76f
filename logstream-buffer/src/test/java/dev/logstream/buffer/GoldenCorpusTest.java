package dev.logstream.buffer;

import static dev.logstream.buffer.GoldenCorpus.SEG1;
import static dev.logstream.buffer.GoldenCorpus.SEG2;
import static dev.logstream.buffer.GoldenCorpus.SEG3;
import static dev.logstream.buffer.RecoveryReport.CheckpointState.CORRUPT;
import static dev.logstream.buffer.RecoveryReport.CheckpointState.EMPTY;
import static dev.logstream.buffer.RecoveryReport.CheckpointState.MISSING;
import static dev.logstream.buffer.RecoveryReport.CheckpointState.VALID;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the committed golden directories (see {@link GoldenCorpus} for their layout and damage) and
 * checks the exact recovery report, the exact records read, and that the buffer takes appends that
 * survive another reopen.
 */
class GoldenCorpusTest {
  private static final List<Long> ALL_UNCOMMITTED = range(6, 20);
  private static final List<Long> EVERY_RECORD = range(1, 20);

  @TempDir Path dir;

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static List<Long> without(List<Long> sequences, long... missing) {
    List<Long> out = new ArrayList<>(sequences);
    for (long m : missing) {
      out.remove(m);
    }
    return out;
  }

  private static RecoveryReport report(
      RecoveryReport.CheckpointState checkpoint,
      long committed,
      int scanned,
      int quarantined,
      long recovered,
      long lost,
      long skipped,
      int torn,
      long first,
      List<String> unknown,
      String... problems) {
    return new RecoveryReport(
        checkpoint,
        committed,
        scanned,
        2,
        quarantined,
        recovered,
        lost,
        skipped,
        torn,
        first,
        20,
        unknown,
        List.of(problems));
  }

  private SegmentBuffer open() throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(GoldenCorpus.SEGMENT_SIZE)
        .maxSegments(8)
        .durability(Durability.never())
        .open();
  }

  /**
   * Unpacks {@code name}, opens it, checks the report and the records read, appends a small and a
   * large record (the large one needs a new segment), reopens and checks everything is read again.
   */
  private RecoveryReport verify(String name, RecoveryReport expected, List<Long> expectedSequences)
      throws IOException {
    GoldenCorpus.unpack(name, dir);
    Map<Long, byte[]> expectedRecords = new LinkedHashMap<>();
    expectedSequences.forEach(seq -> expectedRecords.put(seq, GoldenCorpus.payload(seq)));
    byte[] small = "appended after recovery".getBytes(US_ASCII);
    byte[] large = new byte[50_000];
    java.util.Arrays.fill(large, (byte) 'L');
    RecoveryReport first;
    try (SegmentBuffer buffer = open()) {
      first = buffer.recoveryReport();
      assertThat(first).isEqualTo(expected);
      assertThat(SegmentFiles.readAll(buffer)).containsExactlyEntriesOf(expectedRecords);
      assertThat(buffer.metrics().recordsLostCorruption()).isEqualTo(expected.recordsLost());
      long a = buffer.append(small, 0, small.length);
      long b = buffer.append(large, 0, large.length);
      assertThat(a).isEqualTo(21);
      assertThat(b).isEqualTo(22);
      expectedRecords.put(a, small);
      expectedRecords.put(b, large);
    }
    try (SegmentBuffer buffer = open()) {
      RecoveryReport second = buffer.recoveryReport();
      assertThat(second.checkpoint()).isEqualTo(VALID);
      assertThat(second.recordsRecovered()).isEqualTo(first.recordsRecovered() + 2);
      assertThat(second.recordsLost()).isEqualTo(first.recordsLost());
      assertThat(second.lastSequence()).isEqualTo(22);
      assertThat(first.problems()).containsAll(second.problems());
      assertThat(SegmentFiles.readAll(buffer)).containsExactlyEntriesOf(expectedRecords);
    }
    return first;
  }

  @Test
  void corpus_everyCaseDirectory_isCommittedAndTested() throws IOException, URISyntaxException {
    Path root = Path.of(GoldenCorpus.class.getResource("/golden").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
      assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(GoldenCorpus.caseNames());
    }
  }

  @Test
  void clean_twoSegmentsAndCheckpoint_readsEveryUncommittedRecord() throws IOException {
    RecoveryReport r =
        verify("clean", report(VALID, 5, 2, 0, 15, 0, 0, 0, 6, List.of()), ALL_UNCOMMITTED);
    assertThat(r.clean()).isTrue();
    assertThat(r.summary())
        .isEqualTo(
            "recovered 15 undelivered records in 2 of 2 segments (sequences 6..20); checkpoint"
                + " valid");
  }

  @Test
  void tornTail_partlyWrittenLastFrame_isCutAndAppendsGoToANewSegment() throws IOException {
    verify(
        "torn-tail",
        report(
            VALID,
            5,
            2,
            0,
            15,
            0,
            5000,
            1,
            6,
            List.of(),
            SEG2 + ": torn tail cut at offset 20088 (CRC-32C mismatch, 5000 bytes)"),
        ALL_UNCOMMITTED);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains(SEG3); // segment 2 was sealed at its torn tail
    }
  }

  @Test
  void payloadBitFlip_oneFrame_isSkippedAndCountedAsLost() throws IOException {
    RecoveryReport r =
        verify(
            "payload-bit-flip",
            report(
                VALID,
                5,
                2,
                0,
                14,
                1,
                5000,
                0,
                6,
                List.of(),
                SEG1
                    + ": skipped 5000 damaged bytes at offsets 25104..30104 (CRC-32C mismatch); 1"
                    + " records lost, reading resumes at sequence 9"),
            without(ALL_UNCOMMITTED, 8));
    assertThat(r.summary())
        .isEqualTo(
            "recovered 14 undelivered records in 2 of 2 segments (sequences 6..20); checkpoint"
                + " valid; skipped 5000 damaged bytes, 1 records lost");
  }

  @Test
  void lengthBitFlip_lengthPastTheSegmentEnd_isSkippedByResynchronising() throws IOException {
    verify(
        "length-bit-flip",
        report(
            VALID,
            5,
            2,
            0,
            14,
            1,
            5000,
            0,
            6,
            List.of(),
            SEG1
                + ": skipped 5000 damaged bytes at offsets 35104..40104 (length 1053560 runs past"
                + " the segment end); 1 records lost, reading resumes at sequence 11"),
        without(ALL_UNCOMMITTED, 10));
  }

  @Test
  void firstFrameBitFlip_lostRecordIsCountedOnce() throws IOException {
    verify(
        "first-frame-bit-flip",
        report(
            VALID,
            5,
            2,
            0,
            14,
            1,
            5000,
            0,
            6,
            List.of(),
            SEG2
                + ": skipped 5000 damaged bytes at offsets 64..5064 (CRC-32C mismatch); 1 records"
                + " lost, reading resumes at sequence 17"),
        without(ALL_UNCOMMITTED, 16));
  }

  @Test
  void headerBitFlip_segmentStillScannedFrameByFrame() throws IOException {
    verify(
        "header-bit-flip",
        report(
            VALID,
            5,
            2,
            0,
            15,
            0,
            0,
            0,
            6,
            List.of(),
            SEG2 + ": damaged header (bad magic number or CRC); scanning frames only"),
        ALL_UNCOMMITTED);
  }

  @Test
  void truncatedSegment_cutsItsTailAndStillReadsTheNextSegment() throws IOException {
    verify(
        "truncated-segment",
        report(
            VALID,
            5,
            2,
            0,
            7,
            8,
            4896,
            1,
            6,
            List.of(),
            SEG1 + ": file is 30000 bytes, header says 65536",
            SEG1
                + ": torn tail cut at offset 25104 (length 4984 runs past the segment end, 4896"
                + " bytes)",
            SEG2 + ": sequences 8..15 are missing"),
        List.of(6L, 7L, 16L, 17L, 18L, 19L, 20L));
  }

  @Test
  void zeroedPage_frameTailAndNextHeader_areSkippedTogether() throws IOException {
    verify(
        "zeroed-page",
        report(
            VALID,
            5,
            2,
            0,
            13,
            2,
            10000,
            0,
            6,
            List.of(),
            SEG1
                + ": skipped 10000 damaged bytes at offsets 25104..35104 (CRC-32C mismatch); 2"
                + " records lost, reading resumes at sequence 10"),
        without(ALL_UNCOMMITTED, 8, 9));
  }

  @Test
  void missingCheckpoint_everyRecordIsReadAgain_andTheReportIsNotClean() throws IOException {
    RecoveryReport r =
        verify(
            "missing-checkpoint",
            report(MISSING, 0, 2, 0, 20, 0, 0, 0, 1, List.of()),
            EVERY_RECORD);
    assertThat(r.clean()).isFalse();
  }

  @Test
  void emptyCheckpoint_everyRecordIsReadAgain() throws IOException {
    verify(
        "empty-checkpoint",
        report(
            EMPTY,
            0,
            2,
            0,
            20,
            0,
            0,
            0,
            1,
            List.of(),
            "checkpoint: empty; every record found is delivered again"),
        EVERY_RECORD);
  }

  @Test
  void garbageCheckpoint_everyRecordIsReadAgain() throws IOException {
    verify(
        "garbage-checkpoint",
        report(
            CORRUPT,
            0,
            2,
            0,
            20,
            0,
            0,
            0,
            1,
            List.of(),
            "checkpoint: checkpoint file has a bad magic number or CRC; every record found is"
                + " delivered again"),
        EVERY_RECORD);
  }

  @Test
  void truncatedCheckpoint_everyRecordIsReadAgain() throws IOException {
    verify(
        "truncated-checkpoint",
        report(
            CORRUPT,
            0,
            2,
            0,
            20,
            0,
            0,
            0,
            1,
            List.of(),
            "checkpoint: checkpoint file is 20 bytes, expected 32; every record found is delivered"
                + " again"),
        EVERY_RECORD);
  }

  @Test
  void unknownFiles_areReportedAndLeftAlone() throws IOException {
    RecoveryReport r =
        verify(
            "unknown-files",
            report(
                VALID,
                5,
                2,
                0,
                15,
                0,
                0,
                0,
                6,
                List.of("notes.txt", SEG2 + ".bak", "segment-9.seg")),
            ALL_UNCOMMITTED);
    assertThat(r.clean()).isFalse();
    assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("operator notes, keep\n");
    assertThat(Files.readString(dir.resolve("segment-9.seg"))).isEqualTo("not a segment name\n");
    assertThat(Files.readString(dir.resolve(SEG2 + ".bak"))).isEqualTo("a backup\n");
  }

  @Test
  void segAllocLeftover_isDeletedAndTheNextAllocationWorks() throws IOException {
    RecoveryReport r =
        verify(
            "seg-alloc-leftover",
            report(VALID, 5, 2, 0, 15, 0, 0, 0, 6, List.of()),
            ALL_UNCOMMITTED);
    assertThat(r.clean()).isTrue();
    assertThat(dir.resolve(SEG3 + ".alloc")).doesNotExist();
    assertThat(Files.size(dir.resolve(SEG3))).isEqualTo(GoldenCorpus.SEGMENT_SIZE);
  }

  @Test
  void checkpointTmpLeftover_isIgnoredAndDeleted() throws IOException {
    RecoveryReport r =
        verify(
            "checkpoint-tmp-leftover",
            report(VALID, 5, 2, 0, 15, 0, 0, 0, 6, List.of()),
            ALL_UNCOMMITTED);
    assertThat(r.clean()).isTrue();
    assertThat(dir.resolve(Checkpoint.TEMP_NAME)).doesNotExist();
  }

  @Test
  void garbageSegment_isQuarantinedAndTheOthersRead() throws IOException {
    byte[] garbage = GoldenCorpus.randomBytes(7, 4096);
    verify(
        "garbage-segment",
        report(
            VALID,
            5,
            3,
            1,
            15,
            0,
            4032,
            1,
            6,
            List.of(),
            SEG3 + ": damaged header (bad magic number or CRC); scanning frames only",
            SEG3
                + ": torn tail cut at offset 64 (length 2572183393 runs past the segment end, 4032"
                + " bytes)",
            SEG3 + ": nothing readable; quarantined"),
        ALL_UNCOMMITTED);
    assertThat(dir.resolve("quarantine").resolve(SEG3)).hasBinaryContent(garbage);
  }

  @Test
  void emptySegmentFile_isQuarantined() throws IOException {
    verify(
        "empty-segment-file",
        report(
            VALID,
            5,
            3,
            1,
            15,
            0,
            0,
            0,
            6,
            List.of(),
            SEG3 + ": 0 bytes cannot hold a segment; quarantined"),
        ALL_UNCOMMITTED);
    assertThat(dir.resolve("quarantine").resolve(SEG3)).isEmptyFile();
  }

  @Test
  void newerVersion_openFailsNamingBothVersions_andChangesNothing() throws IOException {
    GoldenCorpus.unpack("newer-version", dir);
    Map<String, byte[]> before = SegmentFiles.snapshot(dir);
    for (int attempt = 0; attempt < 2; attempt++) {
      assertThatThrownBy(this::open)
          .isInstanceOf(BufferException.class)
          .hasMessage(
              SEG2
                  + " has segment format version 2; this release reads version 1 (refusing to"
                  + " open rather than destroy newer data)");
      Map<String, byte[]> after = SegmentFiles.snapshot(dir);
      after.remove("buffer.lock");
      assertThat(after).containsOnlyKeys(before.keySet());
      before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }
  }
}
