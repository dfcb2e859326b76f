package dev.logstream.buffer;

import static dev.logstream.buffer.SegmentFormat.FRAME_HEADER_SIZE;
import static dev.logstream.buffer.SegmentFormat.HEADER_SIZE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe buffer of records in fixed-size memory-mapped segment files.
 *
 * <p>Appends are thread-safe and return consecutive sequence numbers (starting at 1); an {@link
 * AppendResult} or {@link #whenDurable(long)} says when the records reached the configured {@link
 * Durability}. A {@link BufferReader} reads records in sequence order; {@link #commit(long)} marks
 * records delivered. A segment file is released (kept for reuse or deleted) only when every record
 * in it is committed and no reader is inside it. When every segment is in use, the {@link
 * OverflowPolicy} decides. Opening a directory recovers what a previous process left, verifying
 * every frame; see {@link #recoveryReport()}.
 *
 * <pre>{@code
 * try (SegmentBuffer buffer = SegmentBuffer.builder(Path.of("/var/lib/logstream/buffer"))
 *         .durability(Durability.interval(Duration.ofSeconds(1)))
 *         .open()) {
 *   long sequence = buffer.append(payload, 0, payload.length);
 *   try (BufferReader reader = buffer.openReader()) {
 *     reader.read(500, 5 << 20, (seq, view) -> send(seq, view));
 *   }
 *   buffer.commit(sequence);
 * }
 * }</pre>
 *
 * <h2>Directory</h2>
 *
 * <pre>
 * segment-00000000000000000001.seg   segment files, named by a 20-digit segment id
 * segment-00000000000000000002.seg
 * checkpoint                         committed sequence (temp + rename; see below)
 * checkpoint.spare                   where the next checkpoint is written
 * buffer.lock                        held while a process has the buffer open
 * quarantine/                        damaged segments without one readable frame, kept for a human
 * dead-letter/                       where a {@link DirectoryDeadLetterStore} may live (not read)
 * </pre>
 *
 * <p>Any other file is reported in {@link RecoveryReport#unknownFiles()} and left alone. Segment
 * files are allocated by writing real zeros (never sparse), so a full disk is an {@code
 * IOException} at allocation, not a {@code SIGBUS} on a later write; allocation goes through a
 * {@code .seg.alloc} name that is renamed once complete.
 *
 * <h2>Segment file, format version 1 (all integers little-endian)</h2>
 *
 * <pre>
 *  0       4       6       8               16              24      28      32              64
 * +-------+-------+-------+---------------+---------------+-------+-------+---------------+
 * | "LSEG"|version|header | segment id    | first sequence|segment|CRC-32C| reserved, 0   |
 * |       | = 1   |size=64| (i64)         | (i64)         | size  |of 0-27|               |
 * +-------+-------+-------+---------------+---------------+-------+-------+---------------+
 * then frames, each starting at a multiple of 8:
 *  0               4               8                               16
 * +---------------+---------------+-------------------------------+---------------------+-----+
 * | payload length| CRC-32C       | sequence (i64)                | payload             | pad |
 * | n (u32)       |               |                               | n bytes             | 0-7 |
 * +---------------+---------------+-------------------------------+---------------------+-----+
 *   the CRC-32C covers the 4 length bytes, the 8 sequence bytes and the payload
 * then 16 zero bytes (written before the frame they follow, when the segment has room for them)
 * and after those, zeros (a new file) or bytes of the file's earlier life (a recycled file)
 * </pre>
 *
 * <p>A frame is valid only if its length fits in the segment, its CRC-32C matches and its sequence
 * is higher than every earlier one. The largest payload is {@code segmentSize - 80} bytes, rounded
 * down to a multiple of 8; a larger record is refused with {@link RecordTooLargeException}.
 *
 * <h2>Checkpoint file</h2>
 *
 * <pre>
 *  0       4       6       8                       16                      24      28      32
 * +-------+-------+-------+-----------------------+-----------------------+-------+-------+
 * | "LCKP"|version|  0    | committed sequence    | written at, epoch ms  |CRC-32C|   0   |
 * |       | = 1   |       | (i64)                 | (i64)                 |of 0-23|       |
 * +-------+-------+-------+-----------------------+-----------------------+-------+-------+
 * </pre>
 *
 * <p>Written into {@code checkpoint.spare} (a 32-byte file prepared after each write, so a disk
 * that filled up cannot refuse the next checkpoint; {@code checkpoint.tmp} when there is none),
 * forced, renamed over {@code checkpoint}, directory forced: a crash leaves the old or the new
 * checkpoint. It is written before any segment file is released, periodically while records are
 * committed, and on close. A missing or damaged checkpoint costs duplicates (records delivered
 * again), never loss.
 *
 * <h2>Recovery</h2>
 *
 * <p>On open, every segment is scanned and every frame verified. A partly written last frame (a
 * crash mid-append) is cut. Damage in the middle of a segment is jumped over: reading resumes at
 * the next valid frame of the same segment, and later segments are read as usual; the missing
 * sequences are counted as lost (sequences missing between segments only with a valid checkpoint:
 * without one they are most likely delivered records whose segments were released, and are only
 * reported). A segment whose header is damaged is still scanned frame by frame; if nothing in it is
 * readable it is moved to {@code quarantine/}. Records at or below the checkpoint are not read
 * again. Appends continue in the last segment if its tail was clean, else in a new one.
 */
public final class SegmentBuffer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentBuffer.class);
  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.seg");
  private static final String ALLOC_SUFFIX = ".alloc";
  private static final String LOCK_NAME = "buffer.lock";
  private static final String QUARANTINE = "quarantine";
  private static final int FREE_SEGMENTS_KEPT = 2;
  private static final int ZERO_CHUNK = 1 << 20;
  private static final byte[] NO_FRAME = new byte[FRAME_HEADER_SIZE];

  /** Default segment size: 16 MiB, as the seed's fluentd chunks. */
  public static final int DEFAULT_SEGMENT_SIZE = 16 << 20;

  /** Default number of segments: 128, so 2 GiB with the default segment size. */
  public static final int DEFAULT_MAX_SEGMENTS = 128;

  private final Path directory;
  private final int segmentSize;
  private final int maxSegments;
  private final int maxPayload;
  private final Durability durability;
  private final OverflowPolicy overflow;
  private final Duration checkpointInterval;
  private final SegmentIo io;
  private final InstantSource clock;
  private final LongSupplier nanoTime;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition roomFreed = lock.newCondition();

  /** Signalled when a segment may leave the live list: a commit, a release, close or failure. */
  private final Condition liveShrank = lock.newCondition();

  private final Condition appended = lock.newCondition();
  private final ArrayDeque<Segment> live = new ArrayDeque<>();
  private final ArrayDeque<Segment> free = new ArrayDeque<>();
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer frameHeader =
      ByteBuffer.allocate(FRAME_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
  private final Object checkpointLock = new Object();

  private FileChannel lockChannel;
  private FileLock fileLock;
  private Segment active;
  private Segment lastCreated;
  private long nextSequence = 1;
  private long nextSegmentId = 1;
  private int readersWaiting;
  private volatile int appendersWaiting;

  /** Futures of {@link #whenRoomFor}, completed at the next room signal. Guarded by the lock. */
  private final ArrayList<CompletableFuture<Void>> roomWaiters = new ArrayList<>();

  /** A try-append found no disk space for a segment; cleared when a segment is freed. */
  private boolean allocationBlocked;

  private List<Runnable> appendListeners = new ArrayList<>();
  private boolean warnedFull;
  private RecoveryReport recoveryReport;
  private Flusher flusher;

  private volatile long lastSequence;
  private volatile long committed;

  /** The last sequence of the oldest sealed live segment: a commit reaching it releases one. */
  private volatile long releasableAt = Long.MAX_VALUE;

  private long committedAtOpen;
  private long committedByDrops;
  private volatile long durableSequence;
  private volatile long checkpointed;
  private volatile BufferFailedException failure;
  private volatile boolean closed;

  // counters, written under the lock (fsync ones under the flusher's), read for snapshots
  private long recordsAppended;
  private long bytesAppended;
  private long appendsBlocked;
  private long appendsRejected;
  private long segmentsDropped;
  private long recordsLostOverflow;
  private long recordsLostCorruption;
  private long allocationFailures;
  private volatile long fsyncs;
  private volatile long fsyncNanosTotal;
  private volatile long fsyncNanosMax;

  private static final VarHandle COMMITTED;
  private static final VarHandle LAST_SEQUENCE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      COMMITTED = lookup.findVarHandle(SegmentBuffer.class, "committed", long.class);
      LAST_SEQUENCE = lookup.findVarHandle(SegmentBuffer.class, "lastSequence", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private SegmentBuffer(Builder b) {
    this.directory = b.directory;
    this.segmentSize = b.segmentSize;
    this.maxSegments = b.maxSegments;
    this.maxPayload = SegmentFormat.maxPayload(segmentSize);
    this.durability = b.durability;
    this.overflow = b.overflow;
    this.checkpointInterval = b.checkpointInterval;
    this.io = b.io;
    this.clock = b.clock;
    this.nanoTime = b.nanoTime;
  }

  /**
   * Starts configuring a buffer in {@code directory}, which is created if missing.
   *
   * @param directory the buffer's own directory; nothing else should write there
   * @return a builder
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends one record.
   *
   * @param payload the record's bytes
   * @param offset where the record starts in {@code payload}
   * @param length the record's length in bytes
   * @return the record's sequence number; see {@link #whenDurable(long)}
   * @throws RecordTooLargeException if the record cannot fit in a segment, stating both sizes
   * @throws BufferFullException if the buffer is full and the overflow policy refuses to wait
   * @throws BufferFailedException if the buffer failed or is closed
   */
  public long append(byte[] payload, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, payload.length);
    checkSize(length);
    int frame = (int) SegmentFormat.frameSize(length);
    lock.lock();
    try {
      prepare(frame);
      return writeFrame(payload, offset, null, length, frame);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends one record: the bytes of {@code payload} from its position to its limit. The position
   * is not moved.
   *
   * @param payload the record
   * @return the record's sequence number; see {@link #whenDurable(long)}
   * @throws RecordTooLargeException if the record cannot fit in a segment, stating both sizes
   * @throws BufferFullException if the buffer is full and the overflow policy refuses to wait
   * @throws BufferFailedException if the buffer failed or is closed
   */
  public long append(ByteBuffer payload) {
    int length = payload.remaining();
    checkSize(length);
    int frame = (int) SegmentFormat.frameSize(length);
    lock.lock();
    try {
      prepare(frame);
      return writeFrame(null, 0, payload, length, frame);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends records with consecutive sequence numbers, as one unit for the overflow policy: room
   * for all of them is found (or refused) before the first is written, so a refused batch leaves
   * nothing behind. Other appenders' records are not interleaved.
   *
   * @param payloads the records, each from its position to its limit (positions are not moved)
   * @return the sequence range and a future completing when all of them are durable
   * @throws IllegalArgumentException if {@code payloads} is empty
   * @throws RecordTooLargeException if a record cannot fit in a segment, stating both sizes
   * @throws BufferFullException if the buffer cannot hold the batch and the policy refuses to wait
   * @throws BufferFailedException if the buffer failed or is closed
   */
  public AppendResult appendAll(List<? extends ByteBuffer> payloads) {
    return appendAll(payloads, true);
  }

  /**
   * Like {@link #appendAll(List)}, but never waits: under the {@link OverflowPolicy#block()}
   * policy, a batch that does not fit now is not appended and {@code null} is returned (ask {@link
   * #whenRoomFor(List)} when to try again). Under {@code reject} and {@code drop-oldest} it behaves
   * exactly like {@code appendAll}. For callers that must not block, such as a server's event loop
   * turning a full buffer into backpressure.
   *
   * @param payloads the records, each from its position to its limit (positions are not moved)
   * @return the sequence range and durability future, or {@code null} if the batch does not fit now
   *     and the policy is to wait
   * @throws IllegalArgumentException if {@code payloads} is empty
   * @throws RecordTooLargeException if a record cannot fit in a segment, stating both sizes
   * @throws BufferFullException if the batch can never fit, or the policy refuses it
   * @throws BufferFailedException if the buffer failed or is closed
   */
  public AppendResult tryAppendAll(List<? extends ByteBuffer> payloads) {
    return appendAll(payloads, false);
  }

  /**
   * A future that completes when {@code payloads} may fit: at once if they fit now (or the buffer
   * failed or is closed, so that the caller's next append reports it), otherwise at the next
   * release of room (a commit that frees a segment, a dropped segment). The check and the
   * registration are atomic, so no release is missed between a refused {@link #tryAppendAll(List)}
   * and this call. Room is not reserved: the next try may still be refused if others appended
   * first. The future may be completed on a thread holding the buffer's lock: attach only quick
   * actions (hand-offs), or use the {@code *Async} methods.
   *
   * @param payloads the batch that did not fit
   * @return completes when it is worth trying again
   */
  public CompletableFuture<Void> whenRoomFor(List<? extends ByteBuffer> payloads) {
    lock.lock();
    try {
      if (failure != null || closed) {
        return CompletableFuture.completedFuture(null);
      }
      int free = active == null ? 0 : active.size - active.writePosition;
      boolean intoActive =
          active != null
              && !payloads.isEmpty()
              && SegmentFormat.frameSize(payloads.get(0).remaining()) <= free;
      int needed = segmentsNeeded(payloads, free);
      if (needed == 0 || (segmentsAvailable(intoActive) >= needed && !allocationBlocked)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> waiter = new CompletableFuture<>();
      roomWaiters.add(waiter);
      appendersWaiting++; // so that the lock-free commit path signals (see commit)
      return waiter;
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: a segment went back to the free list, so one can be taken without the disk. */
  private void signalFreed() {
    roomFreed.signalAll();
    allocationBlocked = false;
    signalRoom();
  }

  /**
   * Under the lock: wakes blocked appenders and, if a segment can be taken now, completes the
   * {@link #whenRoomFor} futures (not at every commit, which would make their callers spin).
   */
  private void signalRoom() {
    liveShrank.signalAll();
    boolean room =
        failure != null || closed || (!allocationBlocked && segmentsAvailable(false) > 0);
    if (room && !roomWaiters.isEmpty()) {
      appendersWaiting -= roomWaiters.size();
      CompletableFuture<?>[] waiters = roomWaiters.toArray(new CompletableFuture<?>[0]);
      roomWaiters.clear();
      for (CompletableFuture<?> waiter : waiters) {
        waiter.complete(null);
      }
    }
  }

  private AppendResult appendAll(List<? extends ByteBuffer> payloads, boolean wait) {
    if (payloads.isEmpty()) {
      throw new IllegalArgumentException("payloads must not be empty");
    }
    for (ByteBuffer p : payloads) {
      checkSize(p.remaining());
    }
    long first;
    long last;
    lock.lock();
    try {
      ArrayDeque<Segment> fresh = prepareBatch(payloads, wait);
      if (fresh == null) {
        return null;
      }
      first = nextSequence;
      last = first - 1;
      for (ByteBuffer p : payloads) {
        int length = p.remaining();
        int frame = (int) SegmentFormat.frameSize(length);
        if (active == null || active.size - active.writePosition < frame) {
          install(fresh.poll()); // taken for the whole batch above
        }
        last = writeFrame(null, 0, p, length, frame);
      }
    } finally {
      lock.unlock();
    }
    return new AppendResult(first, last, whenDurable(last));
  }

  /**
   * A future that completes when every record up to {@code sequence} reached the configured
   * durability: at once for {@code never} and {@code interval} (the record is in the page cache),
   * after the covering {@code fsync} for {@code always}.
   *
   * @param sequence a sequence returned by an append
   * @return completes with {@code sequence}, or exceptionally with {@link BufferFailedException}
   */
  public CompletableFuture<Long> whenDurable(long sequence) {
    BufferFailedException failed = failure;
    if (failed != null) {
      return CompletableFuture.failedFuture(failed);
    }
    if (durability.level() != Durability.Level.ALWAYS || sequence <= durableSequence) {
      return CompletableFuture.completedFuture(sequence);
    }
    return flusher.await(sequence);
  }

  private void checkSize(int length) {
    if (length > maxPayload) {
      throw new RecordTooLargeException(
          "record of "
              + length
              + " bytes does not fit in a segment: segment size "
              + segmentSize
              + " bytes holds at most "
              + maxPayload
              + " bytes of payload");
    }
  }

  private void checkUsable() {
    BufferFailedException failed = failure;
    if (failed != null) {
      throw new BufferFailedException(failed.getMessage(), failed.getCause());
    }
    if (closed) {
      throw new BufferFailedException("buffer " + directory + " is closed", null);
    }
  }

  /** Under the lock: makes sure a frame of {@code frame} bytes can be written now. */
  private void prepare(int frame) {
    checkUsable();
    while (active == null || active.size - active.writePosition < frame) {
      awaitRoom(1, frame, false, true);
      Segment fresh = takeSegments(1, true).poll();
      if (fresh != null) {
        install(fresh);
      } else {
        checkUsable(); // the policy waited for disk space or dropped a segment: look again
      }
    }
  }

  /**
   * Under the lock: finds room for a whole batch and takes the new segments it needs, before
   * anything is written, so a refused batch stores nothing and the lock is held from here to its
   * last frame. The batch fills the active segment's free space first only if the active segment
   * (which then keeps undelivered records) and the new segments fit within maxSegments together;
   * otherwise it starts in a new segment, installed here.
   *
   * @return the new segments to write into once the active one is full, in order
   */
  private ArrayDeque<Segment> prepareBatch(List<? extends ByteBuffer> payloads, boolean wait) {
    while (true) {
      checkUsable();
      Segment current = active;
      int position = current == null ? 0 : current.writePosition;
      int free = current == null ? 0 : current.size - position;
      boolean intoActive =
          current != null && SegmentFormat.frameSize(payloads.get(0).remaining()) <= free;
      int needed = segmentsNeeded(payloads, free);
      boolean startNew = false;
      if (intoActive && needed > maxSegments - 1) {
        intoActive = false;
        startNew = true;
        needed = segmentsNeeded(payloads, 0);
      }
      long total = 0;
      for (ByteBuffer p : payloads) {
        total += SegmentFormat.frameSize(p.remaining());
      }
      if (needed > maxSegments) {
        appendsRejected++;
        throw new BufferFullException(
            "batch of "
                + payloads.size()
                + " records ("
                + total
                + " bytes framed) needs "
                + needed
                + " new segments, more than maxSegments "
                + maxSegments
                + " of "
                + segmentSize
                + " bytes");
      }
      if (needed == 0) {
        return new ArrayDeque<>();
      }
      if (!awaitRoom(needed, total, intoActive, wait)) {
        return null;
      }
      if (active == current && (current == null || current.writePosition == position)) {
        ArrayDeque<Segment> fresh = takeSegments(needed, wait);
        if (fresh.size() == needed) {
          if (startNew) {
            install(fresh.poll());
          }
          return fresh;
        }
        if (!wait) {
          return null; // no disk space for a segment, and the policy is to wait for one
        }
      }
      // a segment was dropped, the policy waited, or others appended meanwhile: count again
    }
  }

  /** New segments a batch needs when the active segment has {@code free} bytes left. */
  private int segmentsNeeded(List<? extends ByteBuffer> payloads, int free) {
    int remaining = free;
    int needed = 0;
    for (ByteBuffer p : payloads) {
      int frame = (int) SegmentFormat.frameSize(p.remaining());
      if (frame > remaining) {
        needed++;
        remaining = segmentSize - HEADER_SIZE;
      }
      remaining -= frame;
    }
    return needed;
  }

  /**
   * New segments that can be created without exceeding maxSegments.
   *
   * @param keepActive the active segment receives records first, so rolling will not release it
   */
  private int segmentsAvailable(boolean keepActive) {
    int inUse = live.size();
    if (!keepActive
        && active != null
        && active.lastSequence <= committed
        && live.peekLast() == active) {
      inUse--; // rolling releases a fully delivered active segment
    }
    return maxSegments - inUse;
  }

  /** Under the lock: applies the overflow policy until {@code needed} new segments fit. */
  private boolean awaitRoom(int needed, long bytes, boolean keepActive, boolean wait) {
    if (segmentsAvailable(keepActive) >= needed) {
      return true;
    }
    switch (overflow.action()) {
      case REJECT -> {
        appendsRejected++;
        throw new BufferFullException(fullMessage(bytes) + "; overflow policy reject");
      }
      case DROP_OLDEST -> {
        while (segmentsAvailable(keepActive) < needed) {
          dropOldest();
        }
      }
      case BLOCK -> {
        if (!wait) {
          return false;
        }
        appendsBlocked++;
        long timeoutNanos = overflow.timeout().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        long remaining = timeoutNanos;
        // published before committed is read below; commit() reads it after publishing committed
        appendersWaiting++;
        try {
          while (segmentsAvailable(keepActive) < needed) {
            checkUsable();
            if (remaining <= 0) {
              appendsRejected++;
              throw new BufferFullException(
                  fullMessage(bytes)
                      + "; waited "
                      + overflow.timeout().orElseThrow()
                      + " for a segment to be delivered");
            }
            try {
              remaining = liveShrank.awaitNanos(remaining);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new BufferException("interrupted while waiting for room in " + directory, e);
            }
          }
        } finally {
          appendersWaiting--;
        }
        checkUsable();
      }
    }
    return true;
  }

  private String fullMessage(long bytes) {
    return "buffer "
        + directory
        + " is full: "
        + live.size()
        + " of "
        + maxSegments
        + " segments of "
        + segmentSize
        + " bytes hold "
        + (lastSequence - committed)
        + " undelivered records; "
        + bytes
        + " more bytes do not fit";
  }

  /** Under the lock: seals the active segment and makes {@code fresh} the one written. */
  private void install(Segment fresh) {
    Segment old = active;
    if (fresh.firstSequence != nextSequence) {
      // taken for a batch before its first records went into the previous segment: correct the
      // header (not forced: an older, lower value on disk only widens recovery's search)
      fresh.firstSequence = nextSequence;
      SegmentFormat.writeHeader(fresh.map, fresh.id, nextSequence, fresh.size);
    }
    if (lastCreated != null) {
      lastCreated.next = fresh;
    }
    if (old != null) {
      old.sealed = true;
    }
    lastCreated = fresh;
    active = fresh;
    live.addLast(fresh);
    updateReleasable();
    if (old != null && old.lastSequence <= committed && live.peekFirst() == old) {
      releaseDelivered();
    }
  }

  /**
   * Under the lock, never waiting while holding segments: takes {@code count} segments, reused from
   * the free list or newly allocated. If the disk has no space for one, the segments taken are put
   * back and the overflow policy decides: {@code reject} throws, {@code drop-oldest} drops the
   * oldest segment and {@code block} waits for one to be released; then fewer segments than asked
   * are returned (none), and the caller checks again for room.
   */
  private ArrayDeque<Segment> takeSegments(int count, boolean wait) {
    ArrayDeque<Segment> taken = new ArrayDeque<>();
    try {
      while (taken.size() < count) {
        Segment reused = free.pollFirst();
        if (reused == null) {
          taken.add(allocate());
          continue;
        }
        try {
          taken.add(reuse(reused));
        } catch (IOException e) {
          Unmapper.unmap(reused.map);
          fail("could not reuse " + reused, e);
          checkUsable();
        }
      }
      return taken;
    } catch (IOException e) {
      taken.descendingIterator().forEachRemaining(free::addFirst);
      noSpace(e, wait);
      return new ArrayDeque<>();
    } catch (RuntimeException e) {
      taken.descendingIterator().forEachRemaining(free::addFirst);
      throw e;
    }
  }

  /** Under the lock: a segment could not be allocated; applies the overflow policy. */
  private void noSpace(IOException e, boolean wait) {
    allocationFailures++;
    if (!warnedFull) {
      warnedFull = true;
      log.warn(
          "cannot allocate a segment of {} bytes in {} ({}); the buffer is full until a"
              + " segment is delivered",
          segmentSize,
          directory,
          e.toString());
    }
    String cannot =
        "buffer " + directory + " cannot allocate a segment of " + segmentSize + " bytes";
    switch (overflow.action()) {
      case REJECT -> {
        appendsRejected++;
        throw new BufferFullException(cannot + ": " + e.getMessage());
      }
      case DROP_OLDEST -> {
        if (!dropOldest()) {
          appendsRejected++;
          throw new BufferFullException(cannot + " and has none left to drop: " + e.getMessage());
        }
      }
      case BLOCK -> {
        if (!wait) {
          allocationBlocked = true; // whenRoomFor waits for a released segment
          return;
        }
        appendsBlocked++;
        try {
          if (!roomFreed.await(
              overflow.timeout().map(Duration::toNanos).orElse(Long.MAX_VALUE),
              TimeUnit.NANOSECONDS)) {
            appendsRejected++;
            throw new BufferFullException(
                cannot
                    + ": "
                    + e.getMessage()
                    + "; waited "
                    + overflow.timeout().orElseThrow()
                    + " for a segment to be delivered");
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new BufferException("interrupted while waiting for room in " + directory, ie);
        }
      }
    }
  }

  private Segment reuse(Segment old) throws IOException {
    long id = nextSegmentId++;
    Path path = segmentPath(id);
    io.move(old.path, path);
    Segment s = new Segment(id, path, old.map, nextSequence, this::handBack);
    SegmentFormat.writeHeader(s.map, id, nextSequence, old.size);
    if (durability.level() != Durability.Level.NEVER) {
      io.force(s.map, 0, HEADER_SIZE);
      io.forceDirectory(directory);
    }
    s.syncedEnd = HEADER_SIZE;
    return s;
  }

  /**
   * Creates a segment file with real blocks: zeros are written, never a sparse file, so a full disk
   * is an {@code IOException} here rather than a {@code SIGBUS} later. A failure leaves no file
   * behind. A failed write, map or rename is a full disk for the overflow policy; a failed {@code
   * fsync} fails the buffer, as everywhere.
   */
  private Segment allocate() throws IOException {
    long id = nextSegmentId;
    Path path = segmentPath(id);
    Path temp = path.resolveSibling(path.getFileName() + ALLOC_SUFFIX);
    boolean durable = durability.level() != Durability.Level.NEVER;
    MappedByteBuffer map = null;
    boolean moved = false;
    boolean forcing = false;
    try {
      try (FileChannel ch = io.openReadWrite(temp)) {
        ch.truncate(0);
        ByteBuffer zeros = ByteBuffer.allocateDirect(Math.min(ZERO_CHUNK, segmentSize));
        for (long at = 0; at < segmentSize; ) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), segmentSize - at));
          int n = zeros.remaining();
          SegmentIo.writeFully(io, ch, zeros, at);
          at += n;
        }
        if (durable) {
          forcing = true;
          io.force(ch);
          forcing = false;
        }
        map = io.map(ch, segmentSize);
      }
      SegmentFormat.writeHeader(map, id, nextSequence, segmentSize);
      if (durable) {
        forcing = true;
        io.force(map, 0, HEADER_SIZE);
        forcing = false;
      }
      io.move(temp, path);
      moved = true;
      if (durable) {
        forcing = true;
        io.forceDirectory(directory);
        forcing = false;
      }
    } catch (IOException e) {
      if (map != null) {
        Unmapper.unmap(map);
      }
      try {
        io.delete(moved ? path : temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (forcing) {
        fail("fsync of new segment " + path.getFileName() + " failed", e);
        checkUsable();
      }
      throw e;
    }
    nextSegmentId++;
    warnedFull = false;
    Segment s = new Segment(id, path, map, nextSequence, this::handBack);
    s.syncedEnd = HEADER_SIZE;
    return s;
  }

  private Path segmentPath(long id) {
    return directory.resolve(String.format("segment-%020d.seg", id));
  }

  /**
   * Under the lock: writes one frame into the active segment, which has room for it. The payload is
   * {@code array[offset, offset + length)} or, if {@code array} is null, {@code buffer} from its
   * position (which is left unchanged); two paths so an array append allocates nothing.
   */
  private long writeFrame(byte[] array, int offset, ByteBuffer buffer, int length, int frame) {
    long sequence = nextSequence;
    Segment s = active;
    int at = s.writePosition;
    ByteBuffer h = frameHeader;
    h.putInt(SegmentFormat.F_LENGTH, length);
    h.putInt(SegmentFormat.F_CRC, 0);
    h.putLong(SegmentFormat.F_SEQUENCE, sequence);
    crc.reset();
    crc.update(h.array(), SegmentFormat.F_LENGTH, 4);
    crc.update(h.array(), SegmentFormat.F_SEQUENCE, 8);
    MappedByteBuffer map = s.map;
    if (array != null) {
      crc.update(array, offset, length);
      h.putInt(SegmentFormat.F_CRC, (int) crc.getValue());
      map.put(at + FRAME_HEADER_SIZE, array, offset, length);
    } else {
      int position = buffer.position();
      crc.update(buffer);
      buffer.position(position);
      h.putInt(SegmentFormat.F_CRC, (int) crc.getValue());
      map.put(at + FRAME_HEADER_SIZE, buffer, position, length);
    }
    if (s.size - (at + frame) >= FRAME_HEADER_SIZE) {
      // Mark the end of the data before the frame exists. A recycled file holds the middle of an
      // older frame there, which recovery would take for a frame torn by a crash and report.
      map.put(at + frame, NO_FRAME, 0, FRAME_HEADER_SIZE);
    }
    map.put(at, h.array(), 0, FRAME_HEADER_SIZE);
    s.writePosition = at + frame;
    nextSequence = sequence + 1;
    recordsAppended++;
    bytesAppended += length;
    s.lastSequence = sequence;
    // release stores: readers acquire them; no full fence on the append path
    Segment.PUBLISHED_END.setRelease(s, at + frame);
    LAST_SEQUENCE.setRelease(this, sequence);
    if (readersWaiting > 0) {
      appended.signalAll();
    }
    if (!appendListeners.isEmpty()) {
      runAppendListeners();
    }
    return sequence;
  }

  // ---------------------------------------------------------------- commit and release

  /**
   * Marks every record up to and including {@code sequence} as delivered. Segments whose records
   * are all delivered are released once the checkpoint covering them is on disk. Commits never go
   * backwards: a sequence at or below an earlier commit does nothing.
   *
   * @param sequence the highest delivered sequence
   * @throws IllegalArgumentException if {@code sequence} was never appended, naming both sequences
   */
  public void commit(long sequence) {
    long current = committed;
    if (sequence <= current) {
      return;
    }
    long last = lastSequence;
    if (sequence > last) {
      throw new IllegalArgumentException(
          "commit(" + sequence + ") is beyond the last appended sequence " + last);
    }
    while (!COMMITTED.compareAndSet(this, current, sequence)) {
      current = committed;
      if (sequence <= current) {
        return;
      }
    }
    // Lock-free unless a segment is done. roll() publishes releasableAt before it reads committed
    // and this reads releasableAt after publishing committed, so one of the two releases it.
    if (sequence < releasableAt) {
      if (appendersWaiting > 0) {
        // a fully delivered active segment counts as room for a blocked append (Dekker as above)
        lock.lock();
        try {
          signalRoom();
        } finally {
          lock.unlock();
        }
      }
      return;
    }
    List<Segment> released;
    lock.lock();
    try {
      released = detachDelivered();
      signalRoom(); // also when a racing commit released the head: the active may be done
    } finally {
      lock.unlock();
    }
    if (!released.isEmpty()) {
      writeCheckpoint();
      released.forEach(Segment::unpin);
    }
  }

  /** Under the lock: removes fully delivered, sealed segments from the head of the live list. */
  private List<Segment> detachDelivered() {
    List<Segment> released = List.of();
    while (!live.isEmpty()) {
      Segment head = live.peekFirst();
      if (head == active || head.lastSequence > committed) {
        break;
      }
      live.pollFirst();
      if (released.isEmpty()) {
        released = new ArrayList<>();
      }
      released.add(head);
    }
    updateReleasable();
    if (!released.isEmpty()) {
      // room for a new segment now, even if a reader still holds a released one (no handBack yet)
      signalRoom();
    }
    return released;
  }

  /** Under the lock: publishes the last sequence of the oldest sealed live segment. */
  private void updateReleasable() {
    Segment head = live.peekFirst();
    releasableAt = head == null || head == active ? Long.MAX_VALUE : head.lastSequence;
  }

  /** Under the lock: releases delivered head segments now (the appender is rolling). */
  private void releaseDelivered() {
    List<Segment> released = detachDelivered();
    if (!released.isEmpty()) {
      writeCheckpoint();
      released.forEach(Segment::unpin);
    }
  }

  /** Under the lock: deletes the oldest undelivered segment, counting its records as lost. */
  private boolean dropOldest() {
    Segment head = live.peekFirst();
    if (head == null) {
      return false;
    }
    live.pollFirst();
    if (head == active) {
      head.sealed = true;
      active = null;
    }
    long lost = Math.max(0, head.lastSequence - Math.max(committed, head.firstSequence - 1));
    head.dropped = true;
    segmentsDropped++;
    recordsLostOverflow += lost;
    for (long c = committed; c < head.lastSequence; c = committed) {
      if (COMMITTED.compareAndSet(this, c, head.lastSequence)) {
        committedByDrops += head.lastSequence - c;
        break;
      }
    }
    updateReleasable();
    log.warn(
        "buffer {} full: dropped {} with {} undelivered records (overflow policy drop-oldest)",
        directory,
        head,
        lost);
    writeCheckpoint();
    head.unpin();
    return true;
  }

  /** Called when a segment's last reference is dropped: keep the file for reuse or delete it. */
  private void handBack(Segment s) {
    lock.lock();
    try {
      if (!closed
          && failure == null
          && free.size() < FREE_SEGMENTS_KEPT
          && live.size() + free.size() < maxSegments // files on disk never exceed maxSegments
          && s.size == segmentSize) {
        free.addLast(s);
        signalFreed();
        return;
      }
      Unmapper.unmap(s.map);
      if (!closed && checkpointed >= s.lastSequence) { // else the records must stay on disk
        try {
          io.delete(s.path);
        } catch (IOException e) {
          log.warn("could not delete released {}: {}", s, e.toString());
        }
      }
      signalFreed();
    } finally {
      lock.unlock();
    }
  }

  private void writeCheckpoint() {
    IOException failed = null;
    synchronized (checkpointLock) {
      long value = committed;
      if (value == checkpointed && Files.exists(directory.resolve(Checkpoint.FILE_NAME))) {
        return;
      }
      try {
        Checkpoint.write(io, directory, value, clock.millis());
        checkpointed = value;
      } catch (IOException e) {
        failed = e;
      }
    }
    // fail() takes the buffer lock, and appenders hold it while they wait for the checkpoint lock
    if (failed != null) {
      fail("could not write the checkpoint", failed);
    }
  }

  private void fail(String what, IOException e) {
    BufferFailedException f =
        new BufferFailedException(
            "buffer "
                + directory
                + " failed: "
                + what
                + ": "
                + e.getMessage()
                + "; it accepts no more records (reopen it to recover from disk)",
            e);
    if (failure == null) {
      failure = f;
      log.error("{}", f.getMessage(), e);
    }
    lock.lock();
    try {
      signalFreed();
      signalRoom();
      appended.signalAll();
    } finally {
      lock.unlock();
    }
    if (flusher != null) {
      flusher.failAll(f);
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Opens a reader at the first undelivered record. Each reader reads every record from there on in
   * sequence order; several readers are independent.
   *
   * @return a reader, to be closed when done
   * @throws BufferFailedException if the buffer is closed
   */
  public BufferReader openReader() {
    if (closed) {
      throw new BufferFailedException("buffer " + directory + " is closed", null);
    }
    return new BufferReader(this, committed + 1);
  }

  /** Finds and pins the first segment that may hold {@code sequence} or later; null if none. */
  Segment pinSegmentFor(long sequence) {
    lock.lock();
    try {
      for (Segment s : live) {
        if (s.lastSequence >= sequence || s == active) {
          if (s.pin()) {
            return s;
          }
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  long committedSequence() {
    return committed;
  }

  long lastSequence() {
    return lastSequence;
  }

  boolean isClosed() {
    return closed;
  }

  /** Arms {@code listener} for the next append unless {@code sequence} is already appended. */
  boolean notifyWhenAppended(long sequence, Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      if (lastSequence >= sequence || closed) {
        return true;
      }
      appendListeners.add(listener);
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void runAppendListeners() {
    List<Runnable> due = appendListeners;
    appendListeners = new ArrayList<>();
    for (Runnable listener : due) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("an append listener of {} failed", directory, e);
      }
    }
  }

  boolean awaitAppended(long sequence, long timeoutNanos) throws InterruptedException {
    if (lastSequence >= sequence) {
      return true;
    }
    lock.lock();
    try {
      readersWaiting++;
      long remaining = timeoutNanos;
      while (lastSequence < sequence && remaining > 0 && !closed && failure == null) {
        remaining = appended.awaitNanos(remaining);
      }
      return lastSequence >= sequence;
    } finally {
      readersWaiting--;
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * What opening the directory found.
   *
   * @return the recovery report
   */
  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /**
   * A snapshot of the counters.
   *
   * @return the metrics
   */
  public BufferMetrics metrics() {
    lock.lock();
    try {
      long bytesInUse = 0;
      for (Segment s : live) {
        bytesInUse += s.usedBytes();
      }
      long last = lastSequence;
      long done = committed;
      return new BufferMetrics(
          recordsAppended,
          bytesAppended,
          Math.max(0, done - committedAtOpen - committedByDrops),
          last,
          done,
          durability.level() == Durability.Level.NEVER ? 0 : durableSequence,
          Math.max(0, last - done),
          bytesInUse,
          live.size(),
          free.size(),
          segmentSize,
          maxSegments,
          fsyncs,
          fsyncNanosTotal,
          fsyncNanosMax,
          appendsBlocked,
          appendsRejected,
          segmentsDropped,
          recordsLostOverflow,
          recordsLostCorruption,
          allocationFailures);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The buffer's directory.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * The largest payload one record may have.
   *
   * @return bytes
   */
  public int maxRecordSize() {
    return maxPayload;
  }

  /**
   * Whether the buffer failed for good (an {@code fsync} or disk write failed).
   *
   * @return the failure, or null while the buffer is healthy
   */
  public BufferFailedException failure() {
    return failure;
  }

  /**
   * Forces what was appended to the device (under {@code interval} and {@code always}), writes the
   * checkpoint and releases the mappings. Records not yet committed stay on disk for the next open.
   * Readers still open keep their segment mapped until they close.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      signalFreed();
      signalRoom();
      appended.signalAll();
    } finally {
      lock.unlock();
    }
    if (flusher != null) {
      flusher.shutdown();
    }
    if (failure == null) {
      writeCheckpoint();
    }
    List<Segment> segments;
    List<Segment> spare;
    lock.lock();
    try {
      segments = new ArrayList<>(live);
      spare = new ArrayList<>(free);
      live.clear();
      free.clear();
      active = null;
    } finally {
      lock.unlock();
    }
    segments.forEach(Segment::unpin);
    spare.forEach(s -> Unmapper.unmap(s.map));
    try {
      if (fileLock != null) {
        fileLock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      log.warn("could not release {}: {}", directory.resolve(LOCK_NAME), e.toString());
    }
  }

  // ---------------------------------------------------------------- fsync

  /** Forces dirty segment regions; returns false if the buffer failed. */
  private boolean sync() {
    long target = lastSequence;
    List<Segment> dirty = new ArrayList<>();
    List<int[]> ranges = new ArrayList<>();
    lock.lock();
    try {
      for (Segment s : live) {
        int end = s.publishedEnd;
        if (s.syncedEnd < end && s.pin()) {
          dirty.add(s);
          ranges.add(new int[] {s.syncedEnd, end});
        }
      }
    } finally {
      lock.unlock();
    }
    try {
      for (int i = 0; i < dirty.size(); i++) {
        Segment s = dirty.get(i);
        int[] r = ranges.get(i);
        long start = nanoTime.getAsLong();
        try {
          io.force(s.map, r[0], r[1] - r[0]);
        } catch (IOException | UncheckedIOException e) {
          fail(
              "fsync of " + s + " failed",
              e instanceof IOException ioe ? ioe : ((UncheckedIOException) e).getCause());
          return false;
        }
        long took = nanoTime.getAsLong() - start;
        fsyncs++;
        fsyncNanosTotal += took;
        fsyncNanosMax = Math.max(fsyncNanosMax, took);
        s.syncedEnd = r[1];
      }
    } finally {
      dirty.forEach(Segment::unpin);
    }
    if (target > durableSequence) {
      durableSequence = target;
    }
    return true;
  }

  /**
   * The background thread that runs {@code fsync} (group commit for {@code always}, periodic for
   * {@code interval}) and writes the checkpoint periodically.
   */
  private final class Flusher implements Runnable {
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Condition work = flushLock.newCondition();
    private final PriorityQueue<Waiter> waiters =
        new PriorityQueue<>((a, b) -> Long.compare(a.sequence, b.sequence));
    private final Thread thread;
    private boolean stopping;

    private record Waiter(long sequence, CompletableFuture<Long> future) {}

    Flusher() {
      thread = new Thread(this, "logstream-buffer-flusher " + directory.getFileName());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    CompletableFuture<Long> await(long sequence) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      flushLock.lock();
      try {
        BufferFailedException failed = failure;
        if (failed != null) {
          f.completeExceptionally(failed);
        } else if (sequence <= durableSequence) {
          f.complete(sequence);
        } else if (stopping) {
          f.completeExceptionally(
              new BufferFailedException("buffer " + directory + " is closed", null));
        } else {
          waiters.add(new Waiter(sequence, f));
          work.signal();
        }
      } finally {
        flushLock.unlock();
      }
      return f;
    }

    void failAll(BufferFailedException f) {
      flushLock.lock();
      try {
        Waiter w;
        while ((w = waiters.poll()) != null) {
          w.future.completeExceptionally(f);
        }
      } finally {
        flushLock.unlock();
      }
    }

    void shutdown() {
      flushLock.lock();
      try {
        stopping = true;
        work.signal();
      } finally {
        flushLock.unlock();
      }
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void run() {
      long nextCheckpoint = nanoTime.getAsLong() + checkpointInterval.toNanos();
      boolean periodic = durability.level() == Durability.Level.INTERVAL;
      long nextSync = nanoTime.getAsLong() + durability.fsyncInterval().toNanos();
      while (true) {
        boolean stop;
        boolean syncNow;
        flushLock.lock();
        try {
          while (true) {
            stop = stopping;
            long now = nanoTime.getAsLong();
            syncNow = !waiters.isEmpty() || (periodic && now - nextSync >= 0) || stop;
            if (syncNow || now - nextCheckpoint >= 0) {
              break;
            }
            long wait =
                periodic ? Math.min(nextCheckpoint - now, nextSync - now) : nextCheckpoint - now;
            try {
              work.awaitNanos(wait);
            } catch (InterruptedException e) {
              stopping = true;
            }
          }
        } finally {
          flushLock.unlock();
        }
        if (syncNow && durability.level() != Durability.Level.NEVER && failure == null) {
          if (sync()) {
            completeWaiters();
          }
          if (periodic) {
            nextSync = nanoTime.getAsLong() + durability.fsyncInterval().toNanos();
          }
        }
        long now = nanoTime.getAsLong();
        if (now - nextCheckpoint >= 0) {
          nextCheckpoint = now + checkpointInterval.toNanos();
          if (failure == null && committed != checkpointed) {
            writeCheckpoint();
          }
        }
        if (stop) {
          failAll(new BufferFailedException("buffer " + directory + " is closed", null));
          return;
        }
      }
    }

    private void completeWaiters() {
      long durable = durableSequence;
      List<Waiter> done = new ArrayList<>();
      flushLock.lock();
      try {
        while (!waiters.isEmpty() && waiters.peek().sequence <= durable) {
          done.add(waiters.poll());
        }
      } finally {
        flushLock.unlock();
      }
      for (Waiter w : done) {
        w.future.complete(w.sequence);
      }
    }
  }

  // ---------------------------------------------------------------- open and recover

  private void open() throws IOException {
    Files.createDirectories(directory);
    lockChannel = io.openReadWrite(directory.resolve(LOCK_NAME));
    try {
      fileLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      fileLock = null;
    }
    if (fileLock == null) {
      lockChannel.close();
      throw new BufferException(
          "buffer directory " + directory + " is in use by another buffer or process");
    }
    try {
      recoveryReport = recover();
    } catch (IOException | RuntimeException e) {
      closed = true;
      live.forEach(seg -> Unmapper.unmap(seg.map));
      free.forEach(seg -> Unmapper.unmap(seg.map));
      live.clear();
      free.clear();
      fileLock.release();
      lockChannel.close();
      throw e;
    }
    if (recoveryReport.checkpoint() != RecoveryReport.CheckpointState.VALID) {
      // from now on a missing or damaged checkpoint means damage, not a buffer never committed to
      writeCheckpoint();
    }
    flusher = new Flusher();
    flusher.start();
  }

  private RecoveryReport recover() throws IOException {
    List<String> unknown = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<long[]> segmentIds = new ArrayList<>();
    List<Path> segmentPaths = new ArrayList<>();
    List<Path> leftovers = new ArrayList<>();
    try (var entries = Files.list(directory)) {
      for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
        String name = p.getFileName().toString();
        Matcher m = SEGMENT_NAME.matcher(name);
        if (m.matches()) {
          segmentIds.add(new long[] {Long.parseLong(m.group(1))});
          segmentPaths.add(p);
        } else if (name.endsWith(".seg" + ALLOC_SUFFIX) || name.equals(Checkpoint.TEMP_NAME)) {
          leftovers.add(p); // an allocation or checkpoint write that a crash interrupted
        } else if (!name.equals(Checkpoint.FILE_NAME)
            && !name.equals(Checkpoint.SPARE_NAME)
            && !name.equals(LOCK_NAME)
            && !name.equals(QUARANTINE)
            && !name.equals(DirectoryDeadLetterStore.DEFAULT_DIRECTORY_NAME)) {
          unknown.add(name);
        }
      }
    }
    // refuse a newer format before anything in the directory is deleted, moved or reused
    for (Path path : segmentPaths) {
      checkVersion(path);
    }
    for (Path p : leftovers) {
      io.delete(p);
    }
    Checkpoint.Read cp = Checkpoint.read(directory);
    boolean checkpointValid = cp.state() == RecoveryReport.CheckpointState.VALID;
    if (cp.state() == RecoveryReport.CheckpointState.CORRUPT) {
      problems.add(
          Checkpoint.FILE_NAME + ": " + cp.detail() + "; every record found is delivered again");
    } else if (cp.state() == RecoveryReport.CheckpointState.EMPTY && !segmentPaths.isEmpty()) {
      problems.add(Checkpoint.FILE_NAME + ": empty; every record found is delivered again");
    }
    long committedFromCheckpoint = cp.committed();
    committed = committedFromCheckpoint;
    committedAtOpen = committedFromCheckpoint;
    checkpointed = cp.state() == RecoveryReport.CheckpointState.VALID ? committed : -1;

    long previous = 0;
    long lost = 0;
    long skipped = 0;
    int torn = 0;
    int quarantined = 0;
    int withRecords = 0;
    long recovered = 0;
    long firstUndelivered = 0;
    Segment lastLive = null;
    boolean lastClean = false;
    for (int i = 0; i < segmentPaths.size(); i++) {
      Path path = segmentPaths.get(i);
      long id = segmentIds.get(i)[0];
      nextSegmentId = Math.max(nextSegmentId, id + 1);
      String name = path.getFileName().toString();
      long fileSize = Files.size(path);
      if (fileSize < HEADER_SIZE + FRAME_HEADER_SIZE || fileSize > Integer.MAX_VALUE) {
        problems.add(name + ": " + fileSize + " bytes cannot hold a segment; quarantined");
        quarantine(path);
        quarantined++;
        skipped += fileSize;
        continue;
      }
      MappedByteBuffer map;
      try (FileChannel ch = io.openReadWrite(path)) {
        map = io.map(ch, (int) fileSize);
      }
      SegmentFormat.Header header = SegmentFormat.readHeader(map);
      boolean headerOk = header.isValid() && header.segmentId() == id;
      boolean truncated = headerOk && header.segmentSize() != fileSize;
      if (header.isValid() && header.segmentId() < id) {
        // A crash between renaming a recycled file and rewriting its header: not damage. The
        // header is rewritten before the first frame, so the file holds only its earlier life.
        log.debug(
            "{}: header names segment {}, recycling was interrupted", name, header.segmentId());
      } else if (header.isValid() && header.segmentId() != id) {
        problems.add(
            name + ": header names segment " + header.segmentId() + "; scanning frames only");
      } else if (!headerOk) {
        problems.add(name + ": damaged header (bad magic number or CRC); scanning frames only");
      } else if (truncated) {
        problems.add(
            name + ": file is " + fileSize + " bytes, header says " + header.segmentSize());
      }
      // A valid header tells where this segment's sequences start: a damaged first frame is
      // then counted as lost inside the segment, and resynchronising is not thrown off by
      // an old previous sequence (segments released in between).
      long start = headerOk ? Math.max(previous, header.firstSequence() - 1) : previous;
      SegmentScanner.Result r =
          new SegmentScanner(map, (int) fileSize, name)
              .scan(start, committed, headerOk || previous > 0 || committed > 0);
      problems.addAll(r.problems);
      skipped += r.bytesSkipped;
      lost += r.recordsLost;
      if (r.torn) {
        torn++;
      }
      // Sequences missing between the previous segment and this one's start. A skip before the
      // first frame already counted them (without a valid header). Without a valid checkpoint
      // they are most likely delivered records whose segments were released, not loss.
      long expectedFirst = headerOk ? header.firstSequence() : r.skippedBeforeFirst ? 0 : r.first;
      long base = Math.max(previous, committed);
      if (previous > 0 && expectedFirst > base + 1) {
        long gap = expectedFirst - base - 1;
        String range = "sequences " + (base + 1) + ".." + (expectedFirst - 1);
        if (checkpointValid) {
          lost += gap;
          problems.add(name + ": " + range + " are missing");
        } else {
          problems.add(
              name
                  + ": "
                  + range
                  + " are not on disk; without a valid checkpoint they are taken as delivered,"
                  + " not lost");
        }
      }
      if (r.count == 0) {
        if (!headerOk && !header.isValid()) {
          Unmapper.unmap(map);
          quarantine(path);
          quarantined++;
          problems.add(name + ": nothing readable; quarantined");
        } else {
          keepOrDelete(new Segment(id, path, map, 0, this::handBack));
        }
        continue;
      }
      previous = r.last;
      Segment s = new Segment(id, path, map, r.first, this::handBack);
      s.writePosition = r.validEnd;
      s.publishedEnd = r.validEnd;
      s.lastSequence = r.last;
      s.skips = r.skipArray();
      s.syncedEnd = 0;
      if (r.last <= committed) {
        keepOrDelete(s);
        continue;
      }
      withRecords++;
      recovered += r.undelivered;
      if (firstUndelivered == 0) {
        firstUndelivered = r.firstUndelivered;
      }
      if (lastLive != null) {
        lastLive.next = s;
        lastLive.sealed = true;
      }
      live.addLast(s);
      lastLive = s;
      lastClean =
          headerOk && !truncated && !r.damaged() && s.size - r.validEnd >= FRAME_HEADER_SIZE;
    }
    nextSequence = Math.max(previous, committed) + 1;
    lastSequence = nextSequence - 1;
    recordsLostCorruption = lost;
    if (lastLive != null) {
      lastCreated = lastLive;
      if (lastClean) {
        active = lastLive;
      } else {
        lastLive.sealed = true;
      }
    }
    updateReleasable();
    if (durability.level() == Durability.Level.NEVER) {
      durableSequence = 0;
    }
    RecoveryReport report =
        new RecoveryReport(
            cp.state(),
            cp.committed(),
            segmentPaths.size(),
            withRecords,
            quarantined,
            Math.max(0, recovered),
            lost,
            skipped,
            torn,
            firstUndelivered,
            previous,
            unknown,
            problems);
    if (!segmentPaths.isEmpty() || !report.clean()) {
      if (report.clean()) {
        log.info("buffer {}: {}", directory, report.summary());
      } else {
        log.warn("buffer {}: {}", directory, report.summary());
        report.problems().forEach(p -> log.warn("buffer {}: {}", directory, p));
      }
    }
    return report;
  }

  /** Throws if {@code path} has a valid header (magic and CRC) of another format version. */
  private void checkVersion(Path path) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
    try (FileChannel ch = io.openReadWrite(path)) {
      while (h.hasRemaining() && ch.read(h, h.position()) > 0) {}
    }
    if (h.hasRemaining()) {
      return; // too short for a header: quarantined by the scan
    }
    SegmentFormat.Header header = SegmentFormat.readHeader(h);
    if (header.magic() == SegmentFormat.MAGIC
        && header.crcMatches()
        && header.version() != SegmentFormat.VERSION) {
      throw new BufferException(
          path.getFileName()
              + " has segment format version "
              + header.version()
              + "; this release reads version "
              + SegmentFormat.VERSION
              + " (refusing to open rather than destroy newer data)");
    }
  }

  /** At recovery: a segment with nothing undelivered is kept for reuse or deleted. */
  private void keepOrDelete(Segment s) throws IOException {
    if (free.size() < FREE_SEGMENTS_KEPT && s.size == segmentSize) {
      free.addLast(s);
    } else {
      Unmapper.unmap(s.map);
      io.delete(s.path);
    }
  }

  private void quarantine(Path path) throws IOException {
    Path dir = directory.resolve(QUARANTINE);
    Files.createDirectories(dir);
    // never replace an earlier quarantined copy: segment ids restart after a directory is emptied
    Path target = dir.resolve(path.getFileName());
    for (int n = 1; Files.exists(target); n++) {
      target = dir.resolve(path.getFileName() + "." + n);
    }
    io.move(path, target);
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures a {@link SegmentBuffer}. Each option may be set once; values are checked when set,
   * and the exception names the option and the value.
   */
  public static final class Builder {
    private final Path directory;
    private int segmentSize = DEFAULT_SEGMENT_SIZE;
    private boolean segmentSizeSet;
    private int maxSegments = DEFAULT_MAX_SEGMENTS;
    private boolean maxSegmentsSet;
    private Durability durability = Durability.interval();
    private boolean durabilitySet;
    private OverflowPolicy overflow = OverflowPolicy.block();
    private boolean overflowSet;
    private Duration checkpointInterval = Duration.ofSeconds(1);
    private boolean checkpointIntervalSet;
    private SegmentIo io = SegmentIo.SYSTEM;
    private InstantSource clock = InstantSource.system();
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
    }

    /**
     * Sets the size of each segment file; default 16 MiB.
     *
     * @param bytes from 64 KiB to 1 GiB, a multiple of 4096
     * @return this builder
     * @throws IllegalArgumentException if out of range or not a multiple of 4096, naming the value
     * @throws IllegalStateException if already set
     */
    public Builder segmentSize(long bytes) {
      if (segmentSizeSet) {
        throw new IllegalStateException("segmentSize was already set to " + segmentSize);
      }
      if (bytes < 64 << 10 || bytes > 1 << 30 || bytes % 4096 != 0) {
        throw new IllegalArgumentException(
            "segmentSize must be a multiple of 4096 from 65536 (64 KiB) to 1073741824 (1 GiB),"
                + " got "
                + bytes);
      }
      segmentSize = (int) bytes;
      segmentSizeSet = true;
      return this;
    }

    /**
     * Sets how many segments may hold undelivered records at once; default 128.
     *
     * @param count from 2 to 1,000,000
     * @return this builder
     * @throws IllegalArgumentException if out of range, naming the value
     * @throws IllegalStateException if already set
     */
    public Builder maxSegments(int count) {
      if (maxSegmentsSet) {
        throw new IllegalStateException("maxSegments was already set to " + maxSegments);
      }
      if (count < 2 || count > 1_000_000) {
        throw new IllegalArgumentException("maxSegments must be from 2 to 1000000, got " + count);
      }
      maxSegments = count;
      maxSegmentsSet = true;
      return this;
    }

    /**
     * Sets when appends count as stored; default {@code interval(1s)}.
     *
     * @param durability the level
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder durability(Durability durability) {
      if (durabilitySet) {
        throw new IllegalStateException("durability was already set to " + this.durability);
      }
      this.durability = Objects.requireNonNull(durability, "durability");
      durabilitySet = true;
      return this;
    }

    /**
     * Sets what appends do when every segment is in use; default {@code block}.
     *
     * @param policy the policy
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder overflow(OverflowPolicy policy) {
      if (overflowSet) {
        throw new IllegalStateException("overflow was already set to " + overflow);
      }
      this.overflow = Objects.requireNonNull(policy, "policy");
      overflowSet = true;
      return this;
    }

    /**
     * Sets how often the checkpoint is written while records are committed; default 1 s. It is also
     * written before a segment is released and on close. A longer interval means more records
     * delivered twice after a crash, never loss.
     *
     * @param interval from 10 ms to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range, naming the value
     * @throws IllegalStateException if already set
     */
    public Builder checkpointInterval(Duration interval) {
      if (checkpointIntervalSet) {
        throw new IllegalStateException(
            "checkpointInterval was already set to " + checkpointInterval);
      }
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0
          || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(
            "checkpointInterval must be between 10ms and 1h, got " + interval);
      }
      checkpointInterval = interval;
      checkpointIntervalSet = true;
      return this;
    }

    /**
     * Sets the wall clock used for the checkpoint's timestamp; for tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the monotonic clock used for fsync timing, in nanoseconds like {@link
     * System#nanoTime()}; for tests.
     *
     * @param nanoTime the ticker
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    Builder io(SegmentIo io) {
      this.io = Objects.requireNonNull(io, "io");
      return this;
    }

    /**
     * Opens the buffer: locks the directory, recovers what it holds (see {@link
     * SegmentBuffer#recoveryReport()}) and starts the background {@code fsync} thread.
     *
     * @return the open buffer
     * @throws IOException if the directory cannot be read or a segment cannot be mapped
     * @throws BufferException if another process has the directory open, or it holds a newer format
     *     version
     */
    public SegmentBuffer open() throws IOException {
      SegmentBuffer buffer = new SegmentBuffer(this);
      buffer.open();
      return buffer;
    }
  }
}
