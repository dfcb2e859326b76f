package dev.logstream.core;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A reusable, growable byte array: the output of {@link KinesisRecordEncoder}.
 *
 * <p>Kept and {@link #clear() cleared} between records, it stops allocating once it has grown to
 * the largest record seen, which is what keeps the encoding hot path allocation-free. Not
 * thread-safe.
 */
public final class GrowableBytes extends OutputStream {
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

  private byte[] bytes;
  private int length;

  /** Creates an empty buffer with a capacity of 512 bytes. */
  public GrowableBytes() {
    this(512);
  }

  /**
   * Creates an empty buffer.
   *
   * @param initialCapacity the capacity to start with, in bytes
   * @throws IllegalArgumentException if {@code initialCapacity} is negative
   */
  public GrowableBytes(int initialCapacity) {
    if (initialCapacity < 0) {
      throw new IllegalArgumentException(
          "initialCapacity must not be negative, got " + initialCapacity);
    }
    this.bytes = new byte[initialCapacity];
  }

  @Override
  public void write(int b) {
    ensureCapacity(length + 1);
    bytes[length++] = (byte) b;
  }

  @Override
  public void write(byte[] source, int offset, int count) {
    ensureCapacity(length + count);
    System.arraycopy(source, offset, bytes, length, count);
    length += count;
  }

  /**
   * Makes room for at least {@code capacity} bytes in total.
   *
   * @param capacity the total capacity needed
   */
  public void ensureCapacity(int capacity) {
    if (capacity > bytes.length) {
      if (capacity < 0 || capacity > MAX_CAPACITY) {
        throw new OutOfMemoryError(
            "GrowableBytes cannot hold " + Integer.toUnsignedString(capacity));
      }
      int doubled = (int) Math.min(MAX_CAPACITY, Math.max(16L, bytes.length * 2L));
      bytes = Arrays.copyOf(bytes, Math.max(doubled, capacity));
    }
  }

  /**
   * Makes room for at least {@code capacity} bytes in total, growing as {@link
   * #ensureCapacity(int)} does but never past {@code maxCapacity}: a caller that enforces a size
   * limit (a decompressor, say) keeps the allocation within that limit instead of letting the
   * doubling overshoot it.
   *
   * @param capacity the total capacity needed
   * @param maxCapacity the largest capacity to grow to
   * @throws IllegalArgumentException if {@code capacity} is greater than {@code maxCapacity}
   */
  public void ensureCapacity(int capacity, int maxCapacity) {
    if (capacity > maxCapacity) {
      throw new IllegalArgumentException(
          "capacity " + capacity + " exceeds maxCapacity " + maxCapacity);
    }
    if (capacity > bytes.length) {
      if (capacity > MAX_CAPACITY) {
        throw new OutOfMemoryError("GrowableBytes cannot hold " + capacity);
      }
      long doubled = Math.max(16L, bytes.length * 2L);
      long bounded = Math.min(Math.min(doubled, maxCapacity), MAX_CAPACITY);
      bytes = Arrays.copyOf(bytes, (int) Math.max(capacity, bounded));
    }
  }

  /**
   * Drops everything after the first {@code newLength} bytes.
   *
   * @param newLength the length to keep, at most {@link #length()}
   * @throws IllegalArgumentException if {@code newLength} is negative or beyond the content
   */
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException(
          "newLength must be in 0.." + length + ", got " + newLength);
    }
    length = newLength;
  }

  /** Forgets the content and keeps the capacity. */
  public void clear() {
    length = 0;
  }

  /**
   * Returns the number of bytes written since the last {@link #clear()}.
   *
   * @return the content length
   */
  public int length() {
    return length;
  }

  /**
   * Returns the backing array; the content is {@code array()[0 .. length())}. The array is replaced
   * when the buffer grows, so do not keep it across writes.
   *
   * @return the backing array, not a copy
   */
  public byte[] array() {
    return bytes;
  }

  /**
   * Returns a copy of the content.
   *
   * @return a new array of exactly {@link #length()} bytes
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  /**
   * Copies the content into {@code target} at its position.
   *
   * @param target a buffer with at least {@link #length()} bytes remaining
   */
  public void copyTo(ByteBuffer target) {
    target.put(bytes, 0, length);
  }
}
