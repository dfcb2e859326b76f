package dev.logstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.Size;

/**
 * Random records, one random damage, reopen: nothing damaged is ever read, reading is in order,
 * every record the damage did not touch is read, and the buffer keeps working.
 */
class CorruptionProperties {
  private static final int SEGMENT = 64 << 10;
  private static final int MAX_PAYLOAD = SegmentFormat.maxPayload(SEGMENT);

  enum SegmentDamage {
    BIT_FLIP,
    ZEROED_PAGE,
    TRUNCATED,
    RANDOM_BYTES
  }

  enum CheckpointDamage {
    DELETED,
    EMPTY,
    RANDOM_BYTES,
    BIT_FLIP,
    TRUNCATED
  }

  /** Mostly small payloads, some empty, some medium, a few of the largest a segment holds. */
  @Provide
  Arbitrary<Integer> payloadSize() {
    return Arbitraries.frequencyOf(
        weighted(2, Arbitraries.just(0)),
        weighted(10, Arbitraries.integers().between(1, 300)),
        weighted(4, Arbitraries.integers().between(301, 12_000)),
        weighted(1, Arbitraries.integers().between(MAX_PAYLOAD - 64, MAX_PAYLOAD)));
  }

  private static Tuple2<Integer, Arbitrary<? extends Integer>> weighted(
      int weight, Arbitrary<Integer> a) {
    return Tuple.of(weight, a);
  }

  private static SegmentBuffer open(Path dir) throws IOException {
    return SegmentBuffer.builder(dir)
        .segmentSize(SEGMENT)
        .maxSegments(1000)
        .durability(Durability.never())
        .overflow(OverflowPolicy.reject())
        .open();
  }

  private static byte[] payload(SplittableRandom random, int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  /** Appends the records, committing a random prefix now and then; returns the last commit. */
  private static long write(
      Path dir, List<Integer> sizes, SplittableRandom random, Map<Long, byte[]> oracle)
      throws IOException {
    long committed = 0;
    try (SegmentBuffer buffer = open(dir)) {
      for (int size : sizes) {
        byte[] p = payload(random, size);
        long seq = buffer.append(p, 0, p.length);
        oracle.put(seq, p);
        if (random.nextInt(8) == 0) {
          committed = Math.max(committed, random.nextLong(seq + 1));
          buffer.commit(committed);
        }
      }
    }
    return committed;
  }

  /**
   * The damage is one of: a flipped bit, a zeroed 4 KiB page, a truncation, a range overwritten
   * with random bytes, in a random segment file (three times in four within its written part).
   * After reopening: every record read is byte-identical to the one written with that sequence,
   * sequences strictly increase, every uncommitted record whose frame lies outside the damaged byte
   * range is read (in other segments, and before or after the damage in the same one), the report
   * neither miscounts recovered records nor claims more lost than are missing, and records appended
   * afterwards survive another reopen along with everything read before.
   */
  @Property(tries = 200)
  void segmentDamage_anyKindAnywhere_readsOnlyWrittenRecordsAndEveryUntouchedOne(
      @ForAll @Size(min = 1, max = 60) List<@From("payloadSize") Integer> sizes,
      @ForAll SegmentDamage damage,
      @ForAll long seed)
      throws IOException {
    Path dir = Files.createTempDirectory("corruption");
    try {
      SplittableRandom random = new SplittableRandom(seed);
      Map<Long, byte[]> oracle = new LinkedHashMap<>();
      long committed = write(dir, sizes, random, oracle);

      List<Path> segments = SegmentFiles.segments(dir);
      Path file = segments.get(random.nextInt(segments.size()));
      long id = Long.parseLong(file.getFileName().toString().substring(8, 28));
      List<SegmentFiles.Placement> layout = SegmentFiles.layout(sizes, SEGMENT);
      long size = Files.size(file);
      // three times in four, aim at the written part of the file (header, frames, the next slot)
      long used =
          layout.stream()
              .filter(p -> p.segmentId() == id)
              .mapToLong(p -> p.end() + SegmentFormat.FRAME_HEADER_SIZE)
              .max()
              .orElse(size);
      long range = random.nextInt(4) == 0 ? size : Math.min(size, used);
      long from;
      long to;
      switch (damage) {
        case BIT_FLIP -> {
          from = random.nextLong(range);
          to = from + 1;
          SegmentFiles.flipBit(file, from, random.nextInt(8));
        }
        case ZEROED_PAGE -> {
          from = random.nextLong((range + 4095) / 4096) * 4096;
          to = from + 4096;
          SegmentFiles.zero(file, from, to);
        }
        case TRUNCATED -> {
          from = random.nextLong(range);
          to = Long.MAX_VALUE;
          SegmentFiles.truncate(file, from);
        }
        default -> {
          from = random.nextLong(range);
          to = Math.min(size, from + 1 + random.nextInt(8192));
          SegmentFiles.overwrite(file, from, payload(random, (int) (to - from)));
        }
      }

      Map<Long, byte[]> read;
      RecoveryReport report;
      try (SegmentBuffer buffer = open(dir)) {
        report = buffer.recoveryReport();
        read = SegmentFiles.readAll(buffer); // checks strictly increasing sequences
        long expectedCount = 0;
        for (SegmentFiles.Placement p : layout) {
          if (p.sequence() <= committed) {
            continue;
          }
          expectedCount++;
          boolean touched = p.segmentId() == id && p.offset() < to && from < p.end();
          if (!touched) {
            assertThat(read)
                .as("untouched record %d (%s)", p.sequence(), report)
                .containsKey(p.sequence());
          }
        }
        for (Map.Entry<Long, byte[]> e : read.entrySet()) {
          assertThat(e.getKey()).isGreaterThan(committed);
          assertThat(e.getValue()).as("record %d", e.getKey()).isEqualTo(oracle.get(e.getKey()));
        }
        assertThat(report.recordsRecovered()).as(report.toString()).isEqualTo(read.size());
        assertThat(report.recordsLost())
            .as(report.toString())
            .isLessThanOrEqualTo(expectedCount - read.size());

        Map<Long, byte[]> more = new LinkedHashMap<>(read);
        for (int i = random.nextInt(1, 4); i > 0; i--) {
          byte[] p = payload(random, random.nextInt(4) == 0 ? MAX_PAYLOAD : random.nextInt(2000));
          long seq = buffer.append(p, 0, p.length);
          more.put(seq, p);
        }
        read = more;
      }
      try (SegmentBuffer buffer = open(dir)) {
        assertThat(SegmentFiles.readAll(buffer)).containsExactlyEntriesOf(read);
      }
    } finally {
      GoldenCorpus.deleteRecursively(dir);
    }
  }

  /**
   * A missing, empty, random, bit-flipped or truncated checkpoint makes records be read again, but
   * every undelivered record is still read, correctly, and nothing is counted as lost.
   */
  @Property(tries = 60)
  void checkpointDamage_anyKind_costsDuplicatesNeverLoss(
      @ForAll @Size(min = 1, max = 80) List<@From("payloadSize") Integer> sizes,
      @ForAll CheckpointDamage damage,
      @ForAll long seed)
      throws IOException {
    Path dir = Files.createTempDirectory("checkpoint-damage");
    try {
      SplittableRandom random = new SplittableRandom(seed);
      Map<Long, byte[]> oracle = new LinkedHashMap<>();
      long committed = write(dir, sizes, random, oracle);
      Path checkpoint = dir.resolve(Checkpoint.FILE_NAME);
      switch (damage) {
        case DELETED -> Files.delete(checkpoint);
        case EMPTY -> Files.write(checkpoint, new byte[0]);
        case RANDOM_BYTES -> Files.write(checkpoint, payload(random, random.nextInt(1, 64)));
        case BIT_FLIP -> SegmentFiles.flipBit(checkpoint, random.nextInt(32), random.nextInt(8));
        case TRUNCATED -> SegmentFiles.truncate(checkpoint, random.nextInt(32));
      }
      try (SegmentBuffer buffer = open(dir)) {
        RecoveryReport report = buffer.recoveryReport();
        Map<Long, byte[]> read = SegmentFiles.readAll(buffer);
        for (long seq = committed + 1; seq <= sizes.size(); seq++) {
          assertThat(read).as("record %d (%s)", seq, report).containsKey(seq);
        }
        read.forEach((seq, p) -> assertThat(p).as("record %d", seq).isEqualTo(oracle.get(seq)));
        assertThat(report.recordsLost()).as(report.toString()).isZero();
        if (report.checkpoint() == RecoveryReport.CheckpointState.VALID) {
          assertThat(report.committedSequence()).isEqualTo(committed); // a flip outside the CRC
        }
      }
    } finally {
      GoldenCorpus.deleteRecursively(dir);
    }
  }
}
