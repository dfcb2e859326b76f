package dev.logstream.buffer;

import static dev.logstream.buffer.SegmentFormat.ALIGNMENT;
import static dev.logstream.buffer.SegmentFormat.FRAME_HEADER_SIZE;
import static dev.logstream.buffer.SegmentFormat.F_CRC;
import static dev.logstream.buffer.SegmentFormat.F_LENGTH;
import static dev.logstream.buffer.SegmentFormat.F_SEQUENCE;
import static dev.logstream.buffer.SegmentFormat.HEADER_SIZE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Verifies every frame of one segment at recovery. A frame is accepted only if its length fits, its
 * CRC-32C matches and its sequence is higher than every sequence accepted before it (frames left
 * over from a recycled segment's earlier life carry lower sequences and mark the clean end of the
 * data).
 *
 * <p>At the first frame that is not accepted, the scanner searches the rest of the segment (at
 * frame alignment) for a later valid frame. If it finds one, the bytes in between are damage: they
 * are recorded as a range readers jump over, and the missing sequences are counted as lost. If it
 * finds none, the segment ends there: cleanly after zeros or a leftover frame, or with a torn tail
 * after a partly written frame, which is cut.
 */
final class SegmentScanner {
  private final ByteBuffer map;
  private final int limit;
  private final String name;
  private final CRC32C crc = new CRC32C();

  /** Outcome of scanning one segment. */
  static final class Result {
    int validEnd = HEADER_SIZE;
    long first;
    long last;
    long count;
    long undelivered; // accepted frames above the committed sequence
    long firstUndelivered; // the first of them, 0 if none
    boolean skippedBeforeFirst; // damage was skipped before the first accepted frame

    final List<Integer> skips = new ArrayList<>();
    long bytesSkipped;
    long recordsLost;
    boolean torn;
    final List<String> problems = new ArrayList<>();

    boolean damaged() {
      return torn || !skips.isEmpty();
    }

    int[] skipArray() {
      return skips.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private enum Kind {
    VALID,
    ZERO,
    LEFTOVER,
    BAD
  }

  private String badReason;

  SegmentScanner(ByteBuffer map, int limit, String name) {
    this.map = map.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.limit = limit;
    this.name = name;
  }

  /**
   * Scans the segment.
   *
   * @param previous the sequence just before this segment's first frame: the highest accepted in
   *     earlier segments, or the header's first sequence - 1 if that is higher; 0 if none
   * @param committed the highest delivered sequence; missing records at or below it are not lost
   * @param previousKnown whether {@code previous} (or {@code committed}) really bounds this
   *     segment's first sequence, so records missing before the first valid frame count as lost
   */
  Result scan(long previous, long committed, boolean previousKnown) {
    Result r = new Result();
    long prev = previous;
    int offset = HEADER_SIZE;
    while (true) {
      Kind kind = classify(offset, prev);
      if (kind == Kind.VALID) {
        long seq = map.getLong(offset + F_SEQUENCE);
        if (r.count == 0) {
          r.first = seq;
        }
        r.count++;
        if (seq > committed && r.undelivered++ == 0) {
          r.firstUndelivered = seq;
        }
        r.last = seq;
        prev = seq;
        offset += (int) SegmentFormat.frameSize(map.getInt(offset + F_LENGTH));
        r.validEnd = offset;
        continue;
      }
      int next = resync(offset + ALIGNMENT, prev, Math.max(prev, committed));
      if (next < 0) {
        if (kind == Kind.BAD) {
          r.torn = true;
          long extent = tornExtent(offset);
          r.bytesSkipped += extent;
          r.problems.add(
              name
                  + ": torn tail cut at offset "
                  + offset
                  + " ("
                  + badReason
                  + ", "
                  + extent
                  + " bytes)");
        }
        return r;
      }
      long seqAfter = map.getLong(next + F_SEQUENCE);
      long lost = seqAfter - Math.max(prev, committed) - 1;
      lost = Math.max(0, prev == 0 && committed == 0 && !previousKnown ? 0 : lost);
      r.skippedBeforeFirst |= r.count == 0;
      r.skips.add(offset);
      r.skips.add(next);
      r.bytesSkipped += next - offset;
      r.recordsLost += lost;
      r.problems.add(
          name
              + ": skipped "
              + (next - offset)
              + " damaged bytes at offsets "
              + offset
              + ".."
              + next
              + " ("
              + describe(kind)
              + "); "
              + lost
              + " records lost, reading resumes at sequence "
              + seqAfter);
      offset = next;
    }
  }

  private String describe(Kind kind) {
    return switch (kind) {
      case ZERO -> "zeroed frame header";
      case LEFTOVER -> "frame with an out-of-order sequence";
      default -> badReason;
    };
  }

  private Kind classify(int offset, long prev) {
    if (offset + FRAME_HEADER_SIZE > limit) {
      return Kind.ZERO;
    }
    int length = map.getInt(offset + F_LENGTH);
    int storedCrc = map.getInt(offset + F_CRC);
    long seq = map.getLong(offset + F_SEQUENCE);
    if (length == 0 && storedCrc == 0 && seq == 0) {
      return Kind.ZERO;
    }
    if (length < 0 || (long) offset + FRAME_HEADER_SIZE + length > limit) {
      badReason = "length " + Integer.toUnsignedString(length) + " runs past the segment end";
      return Kind.BAD;
    }
    if (SegmentFormat.frameCrc(crc, map, offset, length) != storedCrc) {
      badReason = "CRC-32C mismatch";
      return Kind.BAD;
    }
    if (seq <= prev) {
      return Kind.LEFTOVER;
    }
    return Kind.VALID;
  }

  /**
   * The first offset at or after {@code from} holding a valid frame with a sequence above prev and
   * at most a plausible jump above {@code base} (prev, or the committed sequence if higher: records
   * below it may be gone with their released segments).
   */
  private int resync(int from, long prev, long base) {
    long maxJump = 2L * limit / FRAME_HEADER_SIZE;
    for (int o = from; o + FRAME_HEADER_SIZE <= limit; o += ALIGNMENT) {
      int length = map.getInt(o + F_LENGTH);
      if (length < 0 || (long) o + FRAME_HEADER_SIZE + length > limit) {
        continue;
      }
      long seq = map.getLong(o + F_SEQUENCE);
      if (seq <= prev || (base > 0 && seq - base > maxJump)) {
        continue;
      }
      if (SegmentFormat.frameCrc(crc, map, o, length) == map.getInt(o + F_CRC)) {
        return o;
      }
    }
    return -1;
  }

  private long tornExtent(int offset) {
    int length = map.getInt(offset + F_LENGTH);
    long declared = SegmentFormat.frameSize(Integer.toUnsignedLong(length));
    return Math.min(declared, limit - offset);
  }
}
