package dev.logstream.buffer;

import static dev.logstream.buffer.SegmentFormat.FRAME_HEADER_SIZE;
import static dev.logstream.buffer.SegmentFormat.HEADER_SIZE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Model-based test: random sequences of appends, batches, reads, commits, readers opened and
 * closed, clean reopens and simulated crashes run against a {@link SegmentBuffer} and against a
 * small in-memory model, which must agree after every step (Vector's {@code disk_v2/tests/model}
 * idea, buffer.md §6.4).
 *
 * <p>The model is deliberately a second implementation of the documented rules, not a copy of the
 * code: sequences start at 1 and have no gaps; frames take {@code 16 + length} bytes rounded up to
 * 8, after a 64-byte segment header; a frame goes into the segment being written if it fits, else
 * into a new one; a segment counts as in use until every record in it is committed and it is no
 * longer written; the checkpoint is written when a segment is released or dropped and on close (the
 * periodic checkpoint is disabled here with a 1 h interval, so the model knows exactly what the
 * checkpoint file holds at any moment); a batch is written into the current segment's free space
 * only if the current segment plus the new segments it needs fit within {@code maxSegments},
 * otherwise it starts a new segment.
 *
 * <p><b>Crash.</b> A crash is simulated by copying the directory's files, as the page cache holds
 * them, into a fresh directory and opening that copy; the old instance is closed only afterwards,
 * and its directory is discarded. This is exactly what {@code kill -9} leaves behind: the mapped
 * segments' pages belong to the kernel, so reading the files sees every completed append, and
 * nothing that {@code close()} would have done (final checkpoint, unmapping) reaches the copy. No
 * other thread writes while the files are copied: durability is {@code never} (no {@code fsync})
 * and the periodic checkpoint never fires, so the copy is an instantaneous snapshot. Losing writes
 * that were never forced (power loss) is not modelled here. A copy was preferred to a test hook
 * that abandons an instance and releases its lock: the hook would be a code path only tests take,
 * and the old instance's threads and mappings would still touch the files being recovered.
 */
class SegmentBufferModelTest {
  static final int SEGMENT = 64 << 10;
  static final int MAX_PAYLOAD = SegmentFormat.maxPayload(SEGMENT);

  // ---------------------------------------------------------------- actions

  /** How a payload size is chosen; relative sizes are resolved against the model when run. */
  sealed interface Size {}

  /** A fixed payload size. */
  record Exact(int bytes) implements Size {
    @Override
    public String toString() {
      return Integer.toString(bytes);
    }
  }

  /** The largest payload a segment holds: its frame fills an empty segment exactly. */
  record Max() implements Size {
    @Override
    public String toString() {
      return "MAX";
    }
  }

  /**
   * The size whose frame exactly fills the free space of the segment being written, plus {@code
   * delta} bytes: 0 or below fits, 1..8 straddles the segment boundary and forces a new segment.
   */
  record Fill(int delta) implements Size {
    @Override
    public String toString() {
      return delta < 0 ? "FILL" + delta : "FILL+" + delta;
    }
  }

  /** A payload {@code extra} bytes over the largest: refused, naming both sizes. */
  record TooLarge(int extra) implements Size {
    @Override
    public String toString() {
      return "MAX+" + extra;
    }
  }

  sealed interface Op {}

  record Append(Size size) implements Op {
    @Override
    public String toString() {
      return "append(" + size + ")";
    }
  }

  record AppendAll(List<Size> sizes) implements Op {
    @Override
    public String toString() {
      return "appendAll" + sizes;
    }
  }

  /** Reads with reader {@code reader} (modulo the open readers; opens one if none is open). */
  record Read(int reader, int maxRecords, int maxBytes) implements Op {
    @Override
    public String toString() {
      return "read(reader " + reader + ", " + maxRecords + " records, " + maxBytes + " bytes)";
    }
  }

  /**
   * Commits one of the sequences read so far: the one at {@code perMille}/1000 of the list of every
   * sequence any reader returned, so lower ones (already committed) come up too. A no-op commit of
   * the committed sequence if nothing was read.
   */
  record Commit(int perMille) implements Op {
    @Override
    public String toString() {
      return "commit(read[" + perMille + "‰])";
    }
  }

  /** Commits a sequence never appended: refused, nothing changes. */
  record CommitBeyond(int ahead) implements Op {
    @Override
    public String toString() {
      return "commit(last+" + ahead + ")";
    }
  }

  record OpenReader() implements Op {
    @Override
    public String toString() {
      return "openReader";
    }
  }

  record CloseReader(int reader) implements Op {
    @Override
    public String toString() {
      return "closeReader(" + reader + ")";
    }
  }

  record Reopen() implements Op {
    @Override
    public String toString() {
      return "reopen";
    }
  }

  record Crash() implements Op {
    @Override
    public String toString() {
      return "crash";
    }
  }

  /** The overflow policies under test; {@code block} waits 1 ms, as nothing commits meanwhile. */
  enum Overflow {
    REJECT(OverflowPolicy.reject()),
    DROP_OLDEST(OverflowPolicy.dropOldest()),
    BLOCK_1MS(OverflowPolicy.block(Duration.ofMillis(1)));

    final OverflowPolicy policy;

    Overflow(OverflowPolicy policy) {
      this.policy = policy;
    }
  }

  record Config(int maxSegments, Overflow overflow) {}

  /**
   * The real file system without {@code fsync}: what this test checks lives in the page cache (a
   * crash here is a process crash), and the checkpoint's two forces per release would dominate its
   * run time.
   */
  static final SegmentIo PAGE_CACHE_ONLY =
      new SegmentIo() {
        @Override
        public void force(MappedByteBuffer map, int offset, int length) {}

        @Override
        public void force(FileChannel channel) {}

        @Override
        public void forceDirectory(Path directory) {}
      };

  // ---------------------------------------------------------------- properties

  @Property(tries = 250)
  void buffer_randomActionSequences_behavesAsTheModel(
      @ForAll("configs") Config config, @ForAll("actions") List<Op> actions) throws IOException {
    try (Harness h = new Harness(config)) {
      h.run(actions);
    }
  }

  /** A recycled segment file still holds its earlier life's bytes after the last new frame. */
  @Example
  void recycledSegment_afterCleanReopen_isNotReportedTorn() throws IOException {
    run(
        new Config(2, Overflow.REJECT),
        new Append(new Max()),
        new Append(new Max()),
        new Read(0, 1, 1),
        new CloseReader(0), // else the reader keeps segment 1 mapped
        new Commit(0), // segment 1 is released and kept for reuse
        new Append(new Exact(300)), // segment 3 is segment 1's file: 300 bytes, then old bytes
        new Reopen());
  }

  /**
   * A batch that starts in a fully delivered active segment keeps that segment in use, so the new
   * segments it needs must fit beside it; here they do not, and the batch starts afresh.
   */
  @Example
  void batch_fromAFullyDeliveredActiveSegment_staysWithinMaxSegments() throws IOException {
    run(
        new Config(2, Overflow.REJECT),
        new Append(new Exact(65_000)),
        new Read(0, 1, 1),
        new Commit(0),
        new AppendAll(List.of(new Exact(100), new Exact(40_000), new Exact(30_000))),
        new Crash());
  }

  /** A batch that needs every segment makes drop-oldest drop the segment being written. */
  @Example
  void batch_needingEverySegment_dropsEvenTheActiveSegment() throws IOException {
    run(
        new Config(2, Overflow.DROP_OLDEST),
        new Append(new Max()),
        new Read(0, 1, 1),
        new AppendAll(List.of(new Max(), new Max())),
        new Read(0, 5, 1_000_000),
        new Crash());
  }

  private static void run(Config config, Op... actions) throws IOException {
    try (Harness h = new Harness(config)) {
      h.run(List.of(actions));
    }
  }

  @Provide
  Arbitrary<Config> configs() {
    return Combinators.combine(Arbitraries.integers().between(2, 5), Arbitraries.of(Overflow.class))
        .as(Config::new);
  }

  @Provide
  Arbitrary<List<Op>> actions() {
    return action()
        .list()
        .ofMinSize(1)
        .ofMaxSize(80)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  static Arbitrary<Size> size() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.integers().between(0, 300).map(Exact::new)),
        Tuple.of(3, Arbitraries.integers().between(301, 20_000).map(Exact::new)),
        Tuple.of(2, Arbitraries.integers().between(20_001, MAX_PAYLOAD).map(Exact::new)),
        Tuple.of(1, Arbitraries.just(new Max())),
        Tuple.of(3, Arbitraries.integers().between(-16, 8).map(Fill::new)));
  }

  static Arbitrary<Op> action() {
    return Arbitraries.frequencyOf(
        Tuple.of(30, size().map(Append::new)),
        Tuple.of(9, size().list().ofMinSize(1).ofMaxSize(6).map(AppendAll::new)),
        Tuple.of(1, Arbitraries.integers().between(1, 64).map(e -> new Append(new TooLarge(e)))),
        Tuple.of(
            20,
            Combinators.combine(
                    Arbitraries.integers().between(0, 2),
                    Arbitraries.integers().between(1, 40),
                    Arbitraries.integers().between(1, 200_000))
                .as(Read::new)),
        Tuple.of(14, Arbitraries.integers().between(0, 999).map(Commit::new)),
        Tuple.of(1, Arbitraries.integers().between(1, 3).map(CommitBeyond::new)),
        Tuple.of(3, Arbitraries.just(new OpenReader())),
        Tuple.of(3, Arbitraries.integers().between(0, 2).map(CloseReader::new)),
        Tuple.of(3, Arbitraries.just(new Reopen())),
        Tuple.of(3, Arbitraries.just(new Crash())));
  }

  // ---------------------------------------------------------------- the model

  /** One segment as the model sees it: the sequences in it and where its next frame goes. */
  static final class ModelSegment {
    final long first;
    long last;
    int position = HEADER_SIZE;

    ModelSegment(long first) {
      this.first = first;
    }

    int free() {
      return SEGMENT - position;
    }
  }

  /** A refusal the model predicts: the exception type and its exact message. */
  record Refusal(Class<? extends RuntimeException> type, String message) {}

  /** The in-memory model of one buffer directory and the process that has it open. */
  static final class Model {
    final int maxSegments;
    final Overflow overflow;

    // what survives a crash: the checkpoint and every record after it (all on disk)
    long checkpoint;
    boolean checkpointExists;
    final TreeMap<Long, byte[]> records = new TreeMap<>();
    long last;

    // the open process
    long committed;
    final ArrayDeque<ModelSegment> live = new ArrayDeque<>();
    ModelSegment active;
    long appended;
    long bytesAppended;
    long recordsCommitted;
    long rejected;
    long blocked;
    long dropped;
    long lostOverflow;

    Model(Config config) {
      this.maxSegments = config.maxSegments();
      this.overflow = config.overflow();
    }

    static int frame(int length) {
      return (int) SegmentFormat.frameSize(length);
    }

    /** New segments that may be created now; {@code keepActive}: the active one gets records. */
    int available(boolean keepActive) {
      int inUse = live.size();
      if (!keepActive && active != null && active.last <= committed && live.peekLast() == active) {
        inUse--; // rolling releases a fully delivered active segment
      }
      return maxSegments - inUse;
    }

    int resolve(Size size, int free) {
      if (size instanceof Exact e) {
        return e.bytes();
      } else if (size instanceof TooLarge t) {
        return MAX_PAYLOAD + t.extra();
      } else if (size instanceof Fill f) {
        return Math.max(0, Math.min(MAX_PAYLOAD, free - FRAME_HEADER_SIZE + f.delta()));
      }
      return MAX_PAYLOAD;
    }

    /** Resolves a batch's sizes as if packed one after the other from the active segment. */
    int[] resolve(List<Size> sizes) {
      int free = active == null ? SEGMENT - HEADER_SIZE : active.free();
      int[] out = new int[sizes.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = resolve(sizes.get(i), free);
        int f = frame(Math.min(out[i], MAX_PAYLOAD));
        free = f <= free ? free - f : SEGMENT - HEADER_SIZE - f;
      }
      return out;
    }

    Refusal tooLarge(int length) {
      return new Refusal(
          RecordTooLargeException.class,
          "record of "
              + length
              + " bytes does not fit in a segment: segment size "
              + SEGMENT
              + " bytes holds at most "
              + MAX_PAYLOAD
              + " bytes of payload");
    }

    String fullMessage(Path dir, long bytes) {
      return "buffer "
          + dir
          + " is full: "
          + live.size()
          + " of "
          + maxSegments
          + " segments of "
          + SEGMENT
          + " bytes hold "
          + (last - committed)
          + " undelivered records; "
          + bytes
          + " more bytes do not fit";
    }

    /**
     * Appends payloads as one unit, or predicts the refusal (and changes only the counters). The
     * records get the sequences after {@link #last}.
     */
    Refusal append(Path dir, List<byte[]> payloads, boolean batch) {
      for (byte[] p : payloads) {
        if (p.length > MAX_PAYLOAD) {
          return tooLarge(p.length);
        }
      }
      while (true) {
        int free = active == null ? 0 : active.free();
        int needed = count(payloads, free);
        boolean intoActive = active != null && frame(payloads.get(0).length) <= free;
        boolean fresh = false;
        if (batch && needed > 0 && intoActive && needed > maxSegments - 1) {
          // the active segment and the new ones would not all fit: start the batch afresh
          fresh = true;
          intoActive = false;
          needed = count(payloads, 0);
        }
        long total = 0;
        for (byte[] p : payloads) {
          total += frame(p.length);
        }
        if (needed > maxSegments) {
          rejected++;
          return new Refusal(
              BufferFullException.class,
              "batch of "
                  + payloads.size()
                  + " records ("
                  + total
                  + " bytes framed) needs "
                  + needed
                  + " new segments, more than maxSegments "
                  + maxSegments
                  + " of "
                  + SEGMENT
                  + " bytes");
        }
        if (needed > 0 && available(intoActive && needed > 0) < needed) {
          switch (overflow) {
            case REJECT -> {
              rejected++;
              return new Refusal(
                  BufferFullException.class, fullMessage(dir, total) + "; overflow policy reject");
            }
            case BLOCK_1MS -> {
              blocked++;
              rejected++;
              return new Refusal(
                  BufferFullException.class,
                  fullMessage(dir, total) + "; waited PT0.001S for a segment to be delivered");
            }
            case DROP_OLDEST -> {
              dropOldest();
              continue; // count again: the active segment may be gone
            }
          }
        }
        if (fresh) {
          roll();
        }
        for (byte[] p : payloads) {
          int f = frame(p.length);
          if (active == null || active.free() < f) {
            roll();
          }
          active.position += f;
          last++;
          active.last = last;
          records.put(last, p);
          appended++;
          bytesAppended += p.length;
        }
        return null;
      }
    }

    private static int count(List<byte[]> payloads, int free) {
      int needed = 0;
      int remaining = free;
      for (byte[] p : payloads) {
        int f = frame(p.length);
        if (f > remaining) {
          needed++;
          remaining = SEGMENT - HEADER_SIZE;
        }
        remaining -= f;
      }
      return needed;
    }

    private void roll() {
      ModelSegment old = active;
      ModelSegment fresh = new ModelSegment(last + 1);
      live.addLast(fresh);
      active = fresh;
      if (old != null && old.last <= committed && live.peekFirst() == old) {
        releaseDelivered();
      }
    }

    private void releaseDelivered() {
      boolean any = false;
      while (!live.isEmpty() && live.peekFirst() != active && live.peekFirst().last <= committed) {
        live.pollFirst();
        any = true;
      }
      if (any) {
        writeCheckpoint();
      }
    }

    private void dropOldest() {
      ModelSegment head = live.pollFirst();
      if (head == active) {
        active = null;
      }
      long lost = Math.max(0, head.last - Math.max(committed, head.first - 1));
      dropped++;
      lostOverflow += lost;
      committed = Math.max(committed, head.last);
      writeCheckpoint();
    }

    private void writeCheckpoint() {
      checkpoint = committed;
      checkpointExists = true;
      records.headMap(checkpoint, true).clear();
    }

    /** Commits through {@code sequence}; a refusal if it was never appended. */
    Refusal commit(long sequence) {
      if (sequence <= committed) {
        return null;
      }
      if (sequence > last) {
        return new Refusal(
            IllegalArgumentException.class,
            "commit(" + sequence + ") is beyond the last appended sequence " + last);
      }
      recordsCommitted += sequence - committed;
      committed = sequence;
      releaseDelivered();
      return null;
    }

    /** The process ends: cleanly (final checkpoint) or by a crash (nothing more is written). */
    void restart(boolean clean) {
      if (clean) {
        writeCheckpoint();
      }
      committed = checkpoint;
      live.removeIf(s -> s.last <= checkpoint);
      ModelSegment tail = live.peekLast();
      active = tail != null && tail.free() >= FRAME_HEADER_SIZE ? tail : null;
      appended = 0;
      bytesAppended = 0;
      recordsCommitted = 0;
      rejected = 0;
      blocked = 0;
      dropped = 0;
      lostOverflow = 0;
    }

    long bytesInUse() {
      return live.stream().mapToLong(s -> s.position - HEADER_SIZE).sum();
    }
  }

  /** A reader as the model sees it: the next sequence it will return at least. */
  static final class ModelReader {
    long next;

    ModelReader(long next) {
      this.next = next;
    }
  }

  // ---------------------------------------------------------------- the harness

  /** Runs actions against a real buffer and the model, comparing them after every step. */
  static final class Harness implements AutoCloseable {
    final Config config;
    final Model model;
    final Path root;
    Path dir;
    int generation;
    SegmentBuffer buffer;
    final List<BufferReader> readers = new ArrayList<>();
    final List<ModelReader> modelReaders = new ArrayList<>();
    final List<Long> sequencesRead = new ArrayList<>();
    long payloadSalt;

    Harness(Config config) throws IOException {
      this.config = config;
      this.model = new Model(config);
      this.root = Files.createTempDirectory("segment-model");
      this.dir = root.resolve("gen-0");
      this.buffer = open();
      checkRecovery(RecoveryReport.CheckpointState.MISSING);
      model.checkpointExists = true; // a buffer opened without a valid checkpoint writes one
      check();
    }

    SegmentBuffer open() throws IOException {
      return SegmentBuffer.builder(dir)
          .segmentSize(SEGMENT)
          .maxSegments(config.maxSegments())
          .overflow(config.overflow().policy)
          .durability(Durability.never())
          .checkpointInterval(Duration.ofHours(1))
          .io(PAGE_CACHE_ONLY)
          .open();
    }

    void run(List<Op> actions) throws IOException {
      for (int i = 0; i < actions.size(); i++) {
        Op op = actions.get(i);
        try {
          apply(op);
          check();
        } catch (AssertionError | RuntimeException | IOException e) {
          throw new AssertionError(
              "step "
                  + i
                  + " ("
                  + op
                  + ") of "
                  + actions
                  + " with "
                  + config
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
    }

    byte[] payload(int size) {
      byte[] b = new byte[size];
      new SplittableRandom(++payloadSalt).nextBytes(b);
      return b;
    }

    void apply(Op op) throws IOException {
      if (op instanceof Append a) {
        append(List.of(a.size()), false);
      } else if (op instanceof AppendAll a) {
        append(a.sizes(), true);
      } else if (op instanceof Read r) {
        read(r);
      } else if (op instanceof Commit c) {
        long sequence =
            sequencesRead.isEmpty()
                ? model.committed
                : sequencesRead.get(c.perMille() * sequencesRead.size() / 1000);
        expect(model.commit(sequence), () -> buffer.commit(sequence));
      } else if (op instanceof CommitBeyond c) {
        long sequence = model.last + c.ahead();
        expect(model.commit(sequence), () -> buffer.commit(sequence));
      } else if (op instanceof OpenReader) {
        openReader();
      } else if (op instanceof CloseReader c) {
        if (!readers.isEmpty()) {
          int i = c.reader() % readers.size();
          readers.remove(i).close();
          modelReaders.remove(i);
        }
      } else if (op instanceof Reopen) {
        reopen();
      } else if (op instanceof Crash) {
        crash();
      }
    }

    void append(List<Size> sizes, boolean batch) {
      int[] lengths = model.resolve(sizes);
      List<byte[]> payloads = new ArrayList<>();
      for (int length : lengths) {
        payloads.add(payload(length));
      }
      long first = model.last + 1;
      Refusal refusal = model.append(buffer.directory(), payloads, batch);
      if (refusal != null) {
        expect(refusal, () -> doAppend(payloads, batch));
        return;
      }
      long[] got = doAppend(payloads, batch);
      assertThat(got).as("sequences of the appended records").containsExactly(first, model.last);
    }

    long[] doAppend(List<byte[]> payloads, boolean batch) {
      if (batch) {
        AppendResult r = buffer.appendAll(payloads.stream().map(ByteBuffer::wrap).toList());
        assertThat(r.durable()).isCompletedWithValue(r.lastSequence());
        return new long[] {r.firstSequence(), r.lastSequence()};
      }
      byte[] p = payloads.get(0);
      long s = buffer.append(p, 0, p.length);
      return new long[] {s, s};
    }

    void expect(Refusal refusal, Runnable call) {
      if (refusal == null) {
        call.run();
      } else {
        assertThatThrownBy(call::run)
            .isExactlyInstanceOf(refusal.type())
            .hasMessage(refusal.message());
      }
    }

    void openReader() {
      if (readers.size() < 3) {
        readers.add(buffer.openReader());
        modelReaders.add(new ModelReader(model.committed + 1));
      }
    }

    void read(Read r) {
      if (readers.isEmpty()) {
        openReader();
      }
      int i = r.reader() % readers.size();
      ModelReader expected = modelReaders.get(i);
      expected.next = Math.max(expected.next, model.committed + 1);
      List<Long> wantSeqs = new ArrayList<>();
      List<byte[]> want = new ArrayList<>();
      long bytes = 0;
      for (long s = expected.next; s <= model.last && wantSeqs.size() < r.maxRecords(); s++) {
        byte[] p = model.records.get(s);
        if (!wantSeqs.isEmpty() && bytes + p.length > r.maxBytes()) {
          break;
        }
        wantSeqs.add(s);
        want.add(p);
        bytes += p.length;
      }
      List<Long> gotSeqs = new ArrayList<>();
      List<byte[]> got = new ArrayList<>();
      int n = readers.get(i).read(r.maxRecords(), r.maxBytes(), collect(gotSeqs, got));
      assertThat(gotSeqs).as("sequences read").isEqualTo(wantSeqs);
      assertThat(n).isEqualTo(wantSeqs.size());
      assertSamePayloads(got, want, wantSeqs);
      if (!wantSeqs.isEmpty()) {
        expected.next = wantSeqs.get(wantSeqs.size() - 1) + 1;
      }
      sequencesRead.addAll(gotSeqs);
    }

    static RecordConsumer collect(List<Long> seqs, List<byte[]> payloads) {
      return (seq, view) -> {
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        seqs.add(seq);
        payloads.add(copy);
      };
    }

    static void assertSamePayloads(List<byte[]> got, List<byte[]> want, List<Long> seqs) {
      for (int k = 0; k < want.size(); k++) {
        if (!Arrays.equals(got.get(k), want.get(k))) {
          throw new AssertionError(
              "payload of sequence "
                  + seqs.get(k)
                  + " differs: "
                  + got.get(k).length
                  + " bytes read, "
                  + want.get(k).length
                  + " appended");
        }
      }
    }

    void reopen() throws IOException {
      BufferReader stale = readers.isEmpty() ? null : readers.get(0);
      buffer.close();
      if (stale != null) {
        assertThatThrownBy(() -> stale.read(1, 1, (s, v) -> {}))
            .isExactlyInstanceOf(BufferFailedException.class)
            .hasMessage("reader of " + dir + " is closed");
      }
      closeReaders(); // after the buffer: a reader may outlive it and still let go cleanly
      model.restart(true);
      buffer = open();
      checkRecovery(RecoveryReport.CheckpointState.VALID);
    }

    void crash() throws IOException {
      Path copy = root.resolve("gen-" + ++generation);
      Files.createDirectory(copy);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          assertThat(p).as("nothing but files in the buffer directory").isRegularFile();
          try {
            Files.copy(p, copy.resolve(p.getFileName()));
          } catch (NoSuchFileException e) {
            // a temporary file renamed meanwhile; a crash at this moment would not leave it either
          }
        }
      }
      // the crashed process is gone; its instance is closed only to free this JVM's resources
      closeReaders();
      buffer.close();
      deleteTree(dir);
      dir = copy;
      model.restart(false);
      buffer = open();
      checkRecovery(
          model.checkpointExists
              ? RecoveryReport.CheckpointState.VALID
              : RecoveryReport.CheckpointState.MISSING);
    }

    void closeReaders() {
      readers.forEach(BufferReader::close);
      readers.clear();
      modelReaders.clear();
    }

    void checkRecovery(RecoveryReport.CheckpointState checkpoint) {
      RecoveryReport r = buffer.recoveryReport();
      long backlog = model.last - model.committed;
      assertThat(r.problems()).as("recovery problems").isEmpty();
      assertThat(r.clean()).as(r.summary()).isTrue();
      assertThat(r.checkpoint()).isEqualTo(checkpoint);
      assertThat(r.committedSequence()).as("checkpoint").isEqualTo(model.committed);
      assertThat(r.recordsRecovered()).as("records recovered").isEqualTo(backlog);
      assertThat(r.segmentsWithRecords()).as("segments with records").isEqualTo(model.live.size());
      assertThat(r.firstSequence()).isEqualTo(backlog > 0 ? model.committed + 1 : 0);
      if (backlog > 0) {
        assertThat(r.lastSequence()).isEqualTo(model.last);
      }
      assertThat(r.segmentsQuarantined()).isZero();
    }

    /** Everything a fresh reader and the metrics show agrees with the model. */
    void check() throws IOException {
      BufferMetrics m = buffer.metrics();
      assertThat(buffer.failure()).isNull();
      assertThat(m.lastSequence()).as("lastSequence").isEqualTo(model.last);
      assertThat(m.committedSequence()).as("committedSequence").isEqualTo(model.committed);
      assertThat(m.backlogRecords()).as("backlogRecords").isEqualTo(model.last - model.committed);
      assertThat(m.recordsAppended()).as("recordsAppended").isEqualTo(model.appended);
      assertThat(m.bytesAppended()).as("bytesAppended").isEqualTo(model.bytesAppended);
      assertThat(m.recordsCommitted()).as("recordsCommitted").isEqualTo(model.recordsCommitted);
      assertThat(m.appendsRejected()).as("appendsRejected").isEqualTo(model.rejected);
      assertThat(m.appendsBlocked()).as("appendsBlocked").isEqualTo(model.blocked);
      assertThat(m.segmentsDropped()).as("segmentsDropped").isEqualTo(model.dropped);
      assertThat(m.recordsLostOverflow()).as("recordsLostOverflow").isEqualTo(model.lostOverflow);
      assertThat(m.recordsLostCorruption()).as("recordsLostCorruption").isZero();
      assertThat(m.allocationFailures()).as("allocationFailures").isZero();
      assertThat(m.segmentsInUse())
          .as("segmentsInUse")
          .isLessThanOrEqualTo(config.maxSegments())
          .isEqualTo(model.live.size());
      assertThat(m.bytesInUse()).as("bytesInUse").isEqualTo(model.bytesInUse());
      assertThat(m.segmentsFree()).as("segmentsFree").isBetween(0, 2);
      List<String> names;
      try (Stream<Path> files = Files.list(dir)) {
        names = files.map(p -> p.getFileName().toString()).sorted().toList();
      }
      assertThat(names).as("files").noneMatch(n -> n.endsWith(".alloc") || n.endsWith(".tmp"));
      long segmentFiles = names.stream().filter(n -> n.endsWith(".seg")).count();
      assertThat(segmentFiles)
          .as("segment files %s: in use, kept for reuse, or held by an open reader", names)
          .isLessThanOrEqualTo(m.segmentsInUse() + m.segmentsFree() + readers.size());

      List<Long> seqs = new ArrayList<>();
      List<byte[]> got = new ArrayList<>();
      try (BufferReader fresh = buffer.openReader()) {
        while (fresh.read(1000, Long.MAX_VALUE, collect(seqs, got)) > 0) {}
      }
      List<Long> wantSeqs = new ArrayList<>();
      List<byte[]> want = new ArrayList<>();
      for (long s = model.committed + 1; s <= model.last; s++) {
        wantSeqs.add(s);
        want.add(model.records.get(s));
      }
      assertThat(seqs).as("sequences a new reader returns").isEqualTo(wantSeqs);
      assertSamePayloads(got, want, wantSeqs);
    }

    @Override
    public void close() throws IOException {
      closeReaders();
      buffer.close();
      deleteTree(root);
    }

    static void deleteTree(Path top) throws IOException {
      try (Stream<Path> all = Files.walk(top)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }
}
