package dev.logstream.bench;

import com.squareup.tape2.QueueFile;
import dev.logstream.buffer.BufferReader;
import dev.logstream.buffer.Durability;
import dev.logstream.buffer.RecordConsumer;
import dev.logstream.buffer.SegmentBuffer;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.RollCycleArithmetic;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The durable buffer's hot path, one record per operation: append it, read it back, release or
 * commit it. Side by side in one run, for 64 B, 256 B and 4 KiB records, nothing forced to disk
 * beyond what each peer does by itself:
 *
 * <ul>
 *   <li>{@code chronicleQueue}: Chronicle Queue, an {@link ExcerptAppender} writing the record's
 *       bytes as one excerpt and a named {@link ExcerptTailer} reading it into a reused array. A
 *       named tailer keeps its read index in the queue's metadata file, which is Chronicle's
 *       consumer commit. Durability is Chronicle's default: writes land in the page cache of the
 *       mapped files, and the operating system writes them back. The queue rolls to a new file
 *       every second and deletes the files it has released, so a long run does not fill the disk.
 *   <li>{@code tapeQueueFile}: Square Tape's {@link QueueFile}, {@code add} + {@code peek} + {@code
 *       remove}. Tape opens its file with mode {@code "rwd"}: every write, the element's and each
 *       header update, is synchronous (the data reaches the device before the call returns), and
 *       {@code remove} zeroes the element out by default. That is the peer as its users get it;
 *       {@code peek} also allocates a new array per element.
 *   <li>{@code rawMappedCopy}: the limit. The record copied into a {@link MappedByteBuffer} of a
 *       preallocated 16 MiB file (wrapping around at the end) and copied back out into a reused
 *       array: no framing, no checksum, no index, no commit.
 * </ul>
 *
 * <p>{@code logstream}: {@link SegmentBuffer} with durability {@code never}, 16 MiB segments:
 * {@code append} (a CRC-32C framed record), a {@link BufferReader} copying the record into a reused
 * array, {@code commit} of its sequence. Committed segments are recycled, so the run needs two or
 * three segment files of disk.
 *
 * <p>Every variant cycles through the same 16 records of random bytes (fixed seed), so a variant
 * that read stale data would fail {@code BufferBenchmarkTest}. Each returns the bytes it read.
 *
 * <p>Chronicle Queue on Java 17 needs the JVM to open some JDK internals to it. The {@link Fork}
 * below adds Chronicle's documented list, to every method of this class so that all variants run in
 * the same JVM configuration: {@code --add-exports} of {@code java.base/jdk.internal.ref}, {@code
 * java.base/sun.nio.ch}, {@code jdk.unsupported/sun.misc} and {@code
 * jdk.compiler/com.sun.tools.javac.file}, and {@code --add-opens} of {@code
 * jdk.compiler/com.sun.tools.javac}, {@code java.base/java.lang}, {@code
 * java.base/java.lang.reflect}, {@code java.base/java.io} and {@code java.base/java.util}, all to
 * {@code ALL-UNNAMED}. Tried one by one on 2026.4: without the {@code sun.nio.ch} export or the
 * {@code java.lang.reflect} opening a queue cannot map its files at all; without {@code
 * jdk.internal.ref} it warns that it cannot free mapped buffers; the rest changed nothing here (the
 * {@code javac} ones serve Chronicle's runtime compilation of method writers, unused here) and stay
 * because they are the vendor's list. {@code -Dchronicle.analytics.disable=true} (its
 * usage-analytics client is also excluded from the build) and {@code
 * -Dchronicle.announcer.disable=true} (a banner) complete them. This {@code @Fork} replaces the one
 * of {@link BenchmarkSettings}, so it repeats its heap and GC options. The surefire configuration
 * of this module repeats the list for the tests.
 *
 * <p>Run: {@code ./logstream bench BufferBenchmark -prof gc}
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xms1g",
      "-Xmx1g",
      "-XX:+UseParallelGC",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true",
      "-Dchronicle.announcer.disable=true"
    })
public class BufferBenchmark extends BenchmarkSettings {
  static final int RECORDS = 16;
  static final long SEED = 4L;
  static final int RAW_FILE_SIZE = 16 << 20;

  /** Record length in bytes: a short line, a typical Docker event, a long one. */
  @Param({"64", "256", "4096"})
  public int recordSize;

  byte[][] records;
  private int next;

  /** Makes the records. */
  @Setup(Level.Trial)
  public void makeRecords() {
    Random random = new Random(SEED);
    records = new byte[RECORDS][recordSize];
    for (byte[] record : records) {
      random.nextBytes(record);
    }
    next = 0;
  }

  /** The index of the record this operation writes, the next of the 16 in turn. */
  int nextIndex() {
    int index = next;
    next = (index + 1) & (RECORDS - 1);
    return index;
  }

  /** The record this operation writes, the next of the 16 in turn. */
  byte[] nextRecord() {
    return records[nextIndex()];
  }

  /**
   * logstream: append, read through a reader, commit.
   *
   * @param peer the open buffer
   * @return the bytes read
   */
  @Benchmark
  public byte[] logstream(LogstreamPeer peer) {
    byte[] record = nextRecord();
    long sequence = peer.buffer.append(record, 0, record.length);
    LogstreamPeer.Copier copier = peer.copier;
    if (peer.reader.read(1, Long.MAX_VALUE, copier) != 1 || copier.sequence != sequence) {
      throw new IllegalStateException(
          "read back sequence " + copier.sequence + ", wrote " + sequence);
    }
    if (copier.length != recordSize) {
      throw new IllegalStateException("read " + copier.length + " bytes, wrote " + recordSize);
    }
    peer.buffer.commit(sequence);
    return copier.target;
  }

  /**
   * Chronicle Queue: append, read with a named tailer.
   *
   * @param peer the open queue
   * @return the bytes read
   */
  @Benchmark
  public byte[] chronicleQueue(ChronicleQueuePeer peer) {
    peer.appender.writeBytes(peer.stores[nextIndex()]);
    try (DocumentContext document = peer.tailer.readingDocument()) {
      if (!document.isPresent()) {
        throw new IllegalStateException("the tailer found no excerpt");
      }
      Bytes<?> bytes = document.wire().bytes();
      int length = (int) bytes.readRemaining();
      if (length != recordSize) {
        throw new IllegalStateException("read " + length + " bytes, wrote " + recordSize);
      }
      bytes.read(peer.target, 0, length);
    }
    return peer.target;
  }

  /**
   * Tape: add, peek, remove.
   *
   * @param peer the open queue file
   * @return the bytes read
   * @throws IOException if Tape fails
   */
  @Benchmark
  public byte[] tapeQueueFile(TapePeer peer) throws IOException {
    peer.queue.add(nextRecord());
    byte[] read = peer.queue.peek();
    peer.queue.remove();
    return read;
  }

  /**
   * The limit: copy into a mapped file and back out.
   *
   * @param peer the mapped file
   * @return the bytes read
   */
  @Benchmark
  public byte[] rawMappedCopy(RawMappedPeer peer) {
    byte[] record = nextRecord();
    int position = peer.position;
    if (position + record.length > RAW_FILE_SIZE) {
      position = 0;
    }
    peer.mapped.put(position, record, 0, record.length);
    peer.mapped.get(position, peer.target, 0, record.length);
    peer.position = position + record.length;
    return peer.target;
  }

  /** A logstream segment buffer in a temporary directory, with a reader. */
  @State(Scope.Thread)
  public static class LogstreamPeer {
    private Path directory;
    SegmentBuffer buffer;
    BufferReader reader;
    final Copier copier = new Copier();

    /** Copies each record read into a reused array: nothing allocated per record. */
    static final class Copier implements RecordConsumer {
      byte[] target;
      long sequence;
      int length;

      @Override
      public void accept(long sequence, ByteBuffer payload) {
        length = payload.remaining();
        payload.get(target, 0, length);
        this.sequence = sequence;
      }
    }

    /**
     * Opens the buffer with durability {@code never}.
     *
     * @param benchmark the record size
     * @throws IOException if the buffer cannot be opened
     */
    @Setup(Level.Trial)
    public void open(BufferBenchmark benchmark) throws IOException {
      directory = Files.createTempDirectory("logstream-bench-buffer-");
      buffer =
          SegmentBuffer.builder(directory)
              .segmentSize(16 << 20)
              .maxSegments(8)
              .durability(Durability.never())
              .open();
      reader = buffer.openReader();
      copier.target = new byte[benchmark.recordSize];
    }

    /**
     * Closes the buffer and deletes its directory.
     *
     * @throws IOException if the directory cannot be deleted
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      reader.close();
      buffer.close();
      deleteRecursively(directory);
    }
  }

  /** A Chronicle Queue in a temporary directory, with an appender and a named tailer. */
  @State(Scope.Thread)
  public static class ChronicleQueuePeer {
    private Path directory;
    private ChronicleQueue queue;
    ExcerptAppender appender;
    ExcerptTailer tailer;
    BytesStore<?, ?>[] stores;
    byte[] target;

    /**
     * Opens the queue.
     *
     * @param benchmark the records
     * @throws IOException if the directory cannot be made
     */
    @Setup(Level.Trial)
    public void open(BufferBenchmark benchmark) throws IOException {
      directory = Files.createTempDirectory("logstream-bench-chronicle-");
      queue =
          SingleChronicleQueueBuilder.binary(directory.toFile())
              .rollCycle(SecondlyRollCycle.INSTANCE)
              .storeFileListener(DeleteReleasedFiles.INSTANCE)
              .build();
      appender = queue.createAppender();
      tailer = queue.createTailer("bench");
      stores = new BytesStore<?, ?>[RECORDS];
      for (int i = 0; i < RECORDS; i++) {
        stores[i] = BytesStore.wrap(benchmark.records[i]);
      }
      target = new byte[benchmark.recordSize];
    }

    /**
     * Closes the queue and deletes its directory.
     *
     * @throws IOException if the directory cannot be deleted
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      tailer.close();
      appender.close();
      queue.close();
      deleteRecursively(directory);
    }

    /** The directory, for tests. */
    Path directory() {
      return directory;
    }
  }

  /** A Tape queue file in a temporary directory. */
  @State(Scope.Thread)
  public static class TapePeer {
    private Path directory;
    QueueFile queue;

    /**
     * Opens the queue file with Tape's defaults.
     *
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
      directory = Files.createTempDirectory("logstream-bench-tape-");
      queue = new QueueFile.Builder(directory.resolve("queue").toFile()).build();
    }

    /**
     * Closes the queue file and deletes its directory.
     *
     * @throws IOException if the directory cannot be deleted
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      queue.close();
      deleteRecursively(directory);
    }
  }

  /** A preallocated 16 MiB file, mapped. */
  @State(Scope.Thread)
  public static class RawMappedPeer {
    private Path directory;
    MappedByteBuffer mapped;
    byte[] target;
    int position;

    /**
     * Creates and maps the file.
     *
     * @param benchmark the record size
     * @throws IOException if it cannot be created
     */
    @Setup(Level.Trial)
    public void open(BufferBenchmark benchmark) throws IOException {
      directory = Files.createTempDirectory("logstream-bench-raw-");
      try (RandomAccessFile file = new RandomAccessFile(directory.resolve("raw").toFile(), "rw")) {
        file.setLength(RAW_FILE_SIZE);
        mapped = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, RAW_FILE_SIZE);
      }
      target = new byte[benchmark.recordSize];
      position = 0;
    }

    /**
     * Drops the mapping and deletes the directory.
     *
     * @throws IOException if the directory cannot be deleted
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      mapped = null;
      deleteRecursively(directory);
    }
  }

  /**
   * One cycle a second, indexed like Chronicle's production cycles ({@code FAST_HOURLY}'s 4096
   * entries every 256th excerpt), so that retention has whole files to delete every second. The
   * test cycle {@code TEST_SECONDLY} indexes every 4th excerpt, which would slow Chronicle down.
   */
  enum SecondlyRollCycle implements RollCycle {
    INSTANCE;

    private final RollCycleArithmetic arithmetic = RollCycleArithmetic.of(4096, 256);

    @Override
    public String format() {
      return "yyyyMMdd-HHmmss'B'";
    }

    @Override
    public int lengthInMillis() {
      return 1000;
    }

    @Override
    public int defaultIndexCount() {
      return arithmetic.indexCount();
    }

    @Override
    public int defaultIndexSpacing() {
      return arithmetic.indexSpacing();
    }

    @Override
    public long toIndex(int cycle, long sequenceNumber) {
      return arithmetic.toIndex(cycle, sequenceNumber);
    }

    @Override
    public long toSequenceNumber(long index) {
      return arithmetic.toSequenceNumber(index);
    }

    @Override
    public int toCycle(long index) {
      return arithmetic.toCycle(index);
    }

    @Override
    public long maxMessagesPerCycle() {
      return arithmetic.maxMessagesPerCycle();
    }
  }

  /** Retention: a cycle file is deleted as soon as the queue releases it. */
  enum DeleteReleasedFiles implements StoreFileListener {
    INSTANCE;

    @Override
    public void onReleased(int cycle, File file) {
      if (!file.delete() && file.exists()) {
        throw new IllegalStateException("could not delete " + file);
      }
    }
  }

  static void deleteRecursively(Path directory) throws IOException {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
