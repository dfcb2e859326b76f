package dev.logstream.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One mapped segment file. The buffer holds one reference while the segment has undelivered records
 * (or is the one being written); every reader inside it holds another. The mapping is handed back
 * (recycled or unmapped) only when the count reaches zero, so no thread ever touches an unmapped
 * segment.
 */
final class Segment {
  final long id;
  Path path;
  final int size;
  MappedByteBuffer map;
  long firstSequence;

  /** Guarded by the buffer's lock: where the next frame goes. */
  int writePosition;

  /** Bytes [HEADER_SIZE, publishedEnd) hold complete frames that readers may read. */
  volatile int publishedEnd;

  /**
   * The last sequence in this segment, or 0 if none. Written under the buffer's lock, read under it
   * or after reading {@link #publishedEnd} or {@link #sealed}.
   */
  long lastSequence;

  /** No more frames will be written; a reader that reached publishedEnd moves to {@link #next}. */
  volatile boolean sealed;

  /** Deleted by {@code drop-oldest} before its records were delivered. */
  volatile boolean dropped;

  /** The segment written after this one, set before this one is sealed. */
  volatile Segment next;

  /** Guarded by the flusher: bytes [0, syncedEnd) were forced to the device. */
  int syncedEnd;

  /** Recovered segments only: byte ranges [from, to) that readers must jump over (corruption). */
  int[] skips = new int[0];

  static final java.lang.invoke.VarHandle PUBLISHED_END;

  static {
    try {
      PUBLISHED_END =
          java.lang.invoke.MethodHandles.lookup()
              .findVarHandle(Segment.class, "publishedEnd", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AtomicInteger references = new AtomicInteger(1);
  private final Consumer<Segment> onLastRelease;

  Segment(long id, Path path, MappedByteBuffer map, long firstSequence, Consumer<Segment> onLast) {
    this.id = id;
    this.path = path;
    this.map = map;
    this.size = map.capacity();
    this.firstSequence = firstSequence;
    this.onLastRelease = onLast;
    this.writePosition = SegmentFormat.HEADER_SIZE;
    this.publishedEnd = SegmentFormat.HEADER_SIZE;
    this.syncedEnd = 0;
  }

  /** A little-endian view for one thread's absolute reads or writes. */
  ByteBuffer view() {
    return map.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Takes a reference; fails once the segment was handed back. */
  boolean pin() {
    for (; ; ) {
      int r = references.get();
      if (r == 0) {
        return false;
      }
      if (references.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one hands the segment back. */
  void unpin() {
    int r = references.decrementAndGet();
    if (r == 0) {
      onLastRelease.accept(this);
    } else if (r < 0) {
      throw new IllegalStateException("segment " + id + " released more often than pinned");
    }
  }

  /** Bytes of the segment in use by frames. */
  int usedBytes() {
    return publishedEnd - SegmentFormat.HEADER_SIZE;
  }

  @Override
  public String toString() {
    return "segment " + id + " (" + path.getFileName() + ")";
  }
}
