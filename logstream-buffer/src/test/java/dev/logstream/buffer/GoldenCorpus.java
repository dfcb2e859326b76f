package dev.logstream.buffer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the golden buffer directories under {@code src/test/resources/golden/<case>/}, each file
 * gzip-compressed as {@code <name>.gz} (a 64 KiB segment is mostly zeros). The tests read the
 * committed files, not fresh output, so a format change that no longer reads old directories fails
 * them. Every case starts from the same buffer, written through {@link SegmentBuffer} with a fixed
 * clock, then damaged at a fixed place:
 *
 * <pre>
 * segment 1 (64 KiB): seq 1 (0 bytes) @64, seq 2 (1 byte) @80, seq 3..15 (4984 bytes, 5000-byte
 *                     frames) @104 + (seq - 3) * 5000, so seq 15 ends at 65104
 * segment 2 (64 KiB): seq 16..19 (4984 bytes) @64 + (seq - 16) * 5000, seq 20 (7 bytes) @20064
 *                     (ends 20088)
 * checkpoint:         committed through sequence 5
 * </pre>
 *
 * <p>The payload of record {@code seq} repeats {@code "record <seq> of the golden corpus; "}. To
 * regenerate after a deliberate change (then review the diff of the expectations in {@code
 * GoldenCorpusTest}), from the repository root:
 *
 * <pre>
 * mvn -B -o -q -pl logstream-buffer test-compile \
 *   org.codehaus.mojo:exec-maven-plugin:3.5.1:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.logstream.buffer.GoldenCorpus \
 *   -Dexec.args=logstream-buffer/src/test/resources/golden
 * </pre>
 */
public final class GoldenCorpus {
  static final int SEGMENT_SIZE = 64 << 10;
  static final long COMMITTED = 5;
  static final int RECORDS = 20;
  static final String SEG1 = SegmentFiles.segmentName(1);
  static final String SEG2 = SegmentFiles.segmentName(2);
  static final String SEG3 = SegmentFiles.segmentName(3);
  static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));

  private GoldenCorpus() {}

  /** Damage applied to a freshly written copy of the base buffer. */
  @FunctionalInterface
  interface Damage {
    void apply(Path dir) throws IOException;
  }

  private record Case(int records, Damage damage) {}

  /** The cases, by directory name, in the order the tests list them. */
  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    CASES.put("clean", new Case(RECORDS, dir -> {}));
    // a crash mid-append: seq 21's header and the first 1000 payload bytes reached the file
    CASES.put(
        "torn-tail",
        new Case(
            RECORDS + 1, dir -> SegmentFiles.zero(dir.resolve(SEG2), 20088 + 16 + 1000, 25088)));
    // seq 8 @25104: one payload bit
    CASES.put(
        "payload-bit-flip",
        new Case(RECORDS, dir -> SegmentFiles.flipBit(dir.resolve(SEG1), 25104 + 16 + 100, 0)));
    // seq 10 @35104: bit 20 of the length, 4984 -> 1053560
    CASES.put(
        "length-bit-flip",
        new Case(RECORDS, dir -> SegmentFiles.flipBit(dir.resolve(SEG1), 35104 + 2, 4)));
    // seq 16, the first frame of segment 2 (@64): one payload bit
    CASES.put(
        "first-frame-bit-flip",
        new Case(RECORDS, dir -> SegmentFiles.flipBit(dir.resolve(SEG2), 64 + 16 + 100, 0)));
    // segment 2's first-sequence field
    CASES.put(
        "header-bit-flip",
        new Case(RECORDS, dir -> SegmentFiles.flipBit(dir.resolve(SEG2), 16, 0)));
    // segment 1 cut inside seq 8 (25104..30104)
    CASES.put(
        "truncated-segment",
        new Case(RECORDS, dir -> SegmentFiles.truncate(dir.resolve(SEG1), 30000)));
    // page 7 of segment 1: the end of seq 8 and the header of seq 9 (@30104)
    CASES.put(
        "zeroed-page",
        new Case(RECORDS, dir -> SegmentFiles.zero(dir.resolve(SEG1), 7 * 4096, 8 * 4096)));
    CASES.put(
        "missing-checkpoint",
        new Case(RECORDS, dir -> Files.delete(dir.resolve(Checkpoint.FILE_NAME))));
    CASES.put(
        "empty-checkpoint",
        new Case(RECORDS, dir -> Files.write(dir.resolve(Checkpoint.FILE_NAME), new byte[0])));
    CASES.put(
        "garbage-checkpoint",
        new Case(
            RECORDS,
            dir ->
                Files.write(dir.resolve(Checkpoint.FILE_NAME), randomBytes(42, Checkpoint.SIZE))));
    CASES.put(
        "truncated-checkpoint",
        new Case(RECORDS, dir -> SegmentFiles.truncate(dir.resolve(Checkpoint.FILE_NAME), 20)));
    CASES.put(
        "unknown-files",
        new Case(
            RECORDS,
            dir -> {
              Files.write(dir.resolve("notes.txt"), "operator notes, keep\n".getBytes(US_ASCII));
              Files.write(dir.resolve("segment-9.seg"), "not a segment name\n".getBytes(US_ASCII));
              Files.write(dir.resolve(SEG2 + ".bak"), "a backup\n".getBytes(US_ASCII));
            }));
    // a crash while allocating segment 3: its zeros were partly written
    CASES.put(
        "seg-alloc-leftover",
        new Case(RECORDS, dir -> Files.write(dir.resolve(SEG3 + ".alloc"), new byte[8192])));
    // a crash between writing checkpoint.tmp (committed 12) and renaming it
    CASES.put(
        "checkpoint-tmp-leftover",
        new Case(
            RECORDS,
            dir -> {
              Path other = Files.createTempDirectory("golden-checkpoint");
              Checkpoint.write(SegmentIo.SYSTEM, other, 12, CLOCK.millis());
              Files.move(other.resolve(Checkpoint.FILE_NAME), dir.resolve(Checkpoint.TEMP_NAME));
              Files.delete(other);
            }));
    // a 4 KiB segment 3 of random bytes
    CASES.put(
        "garbage-segment",
        new Case(RECORDS, dir -> Files.write(dir.resolve(SEG3), randomBytes(7, 4096))));
    CASES.put(
        "empty-segment-file",
        new Case(RECORDS, dir -> Files.write(dir.resolve(SEG3), new byte[0])));
    // segment 2 written by a future release (valid header CRC), next to an allocation leftover
    CASES.put(
        "newer-version",
        new Case(
            RECORDS,
            dir -> {
              SegmentFiles.setHeaderVersion(dir.resolve(SEG2), 2);
              Files.write(dir.resolve(SEG3 + ".alloc"), new byte[4096]);
            }));
  }

  static List<String> caseNames() {
    return new ArrayList<>(CASES.keySet());
  }

  static int payloadSize(long sequence) {
    if (sequence == 1) {
      return 0;
    }
    if (sequence == 2) {
      return 1;
    }
    if (sequence == 20) {
      return 7;
    }
    return 4984;
  }

  static byte[] payload(long sequence) {
    byte[] text = ("record " + sequence + " of the golden corpus; ").getBytes(US_ASCII);
    byte[] b = new byte[payloadSize(sequence)];
    for (int i = 0; i < b.length; i++) {
      b[i] = text[i % text.length];
    }
    return b;
  }

  static byte[] randomBytes(long seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** Writes the base buffer into {@code dir} and applies the case's damage. */
  static void build(String name, Path dir) throws IOException {
    Case c = CASES.get(name);
    try (SegmentBuffer buffer =
        SegmentBuffer.builder(dir)
            .segmentSize(SEGMENT_SIZE)
            .maxSegments(4)
            .durability(Durability.never())
            .clock(CLOCK)
            .open()) {
      for (long seq = 1; seq <= c.records(); seq++) {
        byte[] p = payload(seq);
        buffer.append(p, 0, p.length);
      }
      buffer.commit(COMMITTED);
    }
    Files.delete(dir.resolve("buffer.lock"));
    c.damage().apply(dir);
  }

  /**
   * Regenerates every case.
   *
   * @param args the golden directory (default {@code src/test/resources/golden})
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
    for (String name : CASES.keySet()) {
      Path work = Files.createTempDirectory("golden-" + name);
      build(name, work);
      Path target = root.resolve(name);
      deleteRecursively(target);
      Files.createDirectories(target);
      try (Stream<Path> files = Files.list(work)) {
        for (Path f : (Iterable<Path>) files.sorted()::iterator) {
          try (OutputStream out =
              new GZIPOutputStream(
                  Files.newOutputStream(target.resolve(f.getFileName() + ".gz")))) {
            out.write(Files.readAllBytes(f));
          }
        }
      }
      deleteRecursively(work);
      System.out.println("wrote " + target);
    }
  }

  /** Unpacks the committed files of case {@code name} into {@code dir}. */
  static void unpack(String name, Path dir) throws IOException {
    URL url = GoldenCorpus.class.getResource("/golden/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no golden case " + name);
    }
    Path source;
    try {
      source = Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String file = f.getFileName().toString();
        if (!file.endsWith(".gz")) {
          continue;
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
          Files.write(dir.resolve(file.substring(0, file.length() - 3)), in.readAllBytes());
        }
      }
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
