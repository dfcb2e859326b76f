package dev.logstream.forward;

/**
 * Finds where one msgpack value ends in bytes that may arrive in pieces, without decoding it.
 *
 * <p>Resumable: when the bytes run out mid-value, {@link #scan} returns {@link #NEED_MORE} and the
 * next call continues where it stopped, so a large frame arriving in many small reads is scanned
 * once, not once per read. Limits are checked from headers alone: a declared length or element
 * count that could not fit in {@code maxBytes} is rejected before any of its bytes arrive, and
 * nesting deeper than {@code maxDepth} is rejected when opened. Not thread-safe.
 */
final class MsgpackScanner {
  static final int NEED_MORE = -1;

  private final long[] remaining; // items still to complete per open container, index = depth
  private final int maxDepth;
  private int depth;
  private int start;
  private int position;
  private long maxBytes;
  private String what;
  // Where the root array's first elements start, so a frame is not walked again to find them.
  private final int[] elementStarts = new int[ELEMENTS_TRACKED];
  private int elementsSeen;

  static final int ELEMENTS_TRACKED = 4;

  MsgpackScanner(int maxDepth) {
    this.maxDepth = maxDepth;
    this.remaining = new long[maxDepth + 1];
  }

  /**
   * Starts scanning a value at {@code start}.
   *
   * @param maxBytes the largest the value may be
   * @param what names the value in limit messages ("frame", "entry")
   */
  void begin(int start, long maxBytes, String what) {
    this.start = start;
    this.position = start;
    this.depth = 0;
    this.maxBytes = maxBytes;
    this.what = what;
    this.elementsSeen = 0;
  }

  /**
   * Where element {@code i} of the root array starts, once scanned; only the first {@link
   * #ELEMENTS_TRACKED} are kept.
   */
  int elementStart(int i) {
    return elementStarts[i];
  }

  /** Where the value being scanned starts. */
  int start() {
    return start;
  }

  /** Moves the scan by {@code delta} when the caller compacts its buffer. */
  void shift(int delta) {
    start += delta;
    position += delta;
    for (int i = 0; i < elementsSeen; i++) {
      elementStarts[i] += delta;
    }
  }

  /**
   * Scans on up to {@code limit}.
   *
   * @return the end (exclusive) of the value, or {@link #NEED_MORE}
   * @throws MalformedFrameException on the byte 0xC1, which msgpack never uses
   * @throws ForwardLimitException if the value is or would become too large or too deep
   */
  int scan(byte[] buf, int limit) {
    while (position < limit) {
      int b = buf[position] & 0xFF;
      int header;
      long payload;
      long children;
      // Log records are maps of short strings: decide those without the general tables.
      if (b >= 0xA0 && b <= 0xBF) {
        header = 1;
        payload = b & 0x1F;
        children = 0;
      } else if (b <= 0x7F) {
        header = 1;
        payload = 0;
        children = 0;
      } else if (b <= 0x8F) {
        header = 1;
        payload = 0;
        children = 2L * (b & 0x0F);
      } else if (b <= 0x9F) {
        header = 1;
        payload = 0;
        children = b & 0x0F;
      } else {
        if (b == Msgpack.NEVER_USED) {
          throw new MalformedFrameException(
              "msgpack syntax error: byte 0xc1 at offset "
                  + (position - start)
                  + " of the "
                  + what);
        }
        header = Msgpack.headerLength(b);
        if (position + header > limit) {
          return NEED_MORE;
        }
        payload = Msgpack.payloadLength(buf, position, b);
        children =
            Msgpack.isArray(b)
                ? Msgpack.arrayLength(buf, position, b)
                : Msgpack.isMap(b) ? 2 * Msgpack.mapLength(buf, position, b) : 0;
      }
      long end = (long) position + header + payload;
      long size = end - start;
      if (size > maxBytes || (children > 0 && size + children > maxBytes)) {
        // Each child needs at least one byte, so a count that cannot fit is refused now.
        throw new ForwardLimitException(
            what
                + " declares "
                + (children > 0 ? children + " nested values" : payload + " bytes")
                + " at offset "
                + (position - start)
                + ", beyond the "
                + what
                + " limit of "
                + maxBytes
                + " bytes");
      }
      if (end > limit) {
        return NEED_MORE; // the header is re-read on the next call: cheap, and keeps state small
      }
      if (depth == 1 && elementsSeen < ELEMENTS_TRACKED) {
        // Past every NEED_MORE return, so each direct child of the root is recorded once.
        elementStarts[elementsSeen++] = position;
      }
      position = (int) end;
      if (children > 0) {
        if (depth == maxDepth) {
          throw new ForwardLimitException(
              what
                  + " nests deeper than maxNestingDepth "
                  + maxDepth
                  + " at offset "
                  + (end - start - header));
        }
        remaining[++depth] = children;
        continue;
      }
      // A value completed; close every container it completes.
      while (true) {
        if (depth == 0) {
          return position;
        }
        if (--remaining[depth] > 0) {
          break;
        }
        depth--;
      }
    }
    return NEED_MORE;
  }
}
