package dev.logstream.forward;

/**
 * Limits a {@link ForwardDecoder} enforces on what a client sends, each checked before anything is
 * allocated for the excess: a declared length or element count that cannot fit is rejected as soon
 * as its header is read.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>why that default</th></tr>
 *   <tr><td>{@link #maxFrameBytes()}</td><td>16 MiB</td><td>fluency and Fluent Bit send chunks of
 *       a few MiB; Fluent Bit's own receiver stops at 6,144,000 bytes</td></tr>
 *   <tr><td>{@link #maxDecompressedBytes()}</td><td>64 MiB</td><td>a gzip bomb expands 1000:1;
 *       Fluentd's limit is 256 MiB, which is more than a 2-core host should hold for one
 *       frame</td></tr>
 *   <tr><td>{@link #maxEntriesPerFrame()}</td><td>1,048,576</td><td>the smallest entry is about 10
 *       bytes, so a 16 MiB frame holds at most ~1.6 M</td></tr>
 *   <tr><td>{@link #maxTagBytes()}</td><td>1,024</td><td>grid tags are at most 454 characters;
 *       foreign tags pass through but need a bound</td></tr>
 *   <tr><td>{@link #maxNestingDepth()}</td><td>32</td><td>Docker records are flat; the encoder
 *       and any JSON consumer must not recurse without bound</td></tr>
 * </table>
 *
 * <p>Build with {@link #builder()}; each option may be set once and is checked when set.
 */
public final class ForwardLimits {
  /** Default for {@link #maxFrameBytes()}: 16 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;

  /** Default for {@link #maxDecompressedBytes()}: 64 MiB. */
  public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 64 << 20;

  /** Default for {@link #maxEntriesPerFrame()}: 1,048,576. */
  public static final int DEFAULT_MAX_ENTRIES_PER_FRAME = 1 << 20;

  /** Default for {@link #maxTagBytes()}: 1,024. */
  public static final int DEFAULT_MAX_TAG_BYTES = 1024;

  /** Default for {@link #maxNestingDepth()}: 32. */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 32;

  /** The largest frame a Java array can hold, with room for the decoder's bookkeeping. */
  public static final int MAX_FRAME_BYTES_LIMIT = Integer.MAX_VALUE - 64;

  private static final ForwardLimits DEFAULTS = builder().build();

  private final int maxFrameBytes;
  private final int maxDecompressedBytes;
  private final int maxEntriesPerFrame;
  private final int maxTagBytes;
  private final int maxNestingDepth;

  private ForwardLimits(Builder builder) {
    this.maxFrameBytes = orDefault(builder.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    this.maxDecompressedBytes =
        orDefault(builder.maxDecompressedBytes, DEFAULT_MAX_DECOMPRESSED_BYTES);
    this.maxEntriesPerFrame = orDefault(builder.maxEntriesPerFrame, DEFAULT_MAX_ENTRIES_PER_FRAME);
    this.maxTagBytes = orDefault(builder.maxTagBytes, DEFAULT_MAX_TAG_BYTES);
    this.maxNestingDepth = orDefault(builder.maxNestingDepth, DEFAULT_MAX_NESTING_DEPTH);
  }

  /**
   * Returns the default limits.
   *
   * @return the defaults
   */
  public static ForwardLimits defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The largest top-level msgpack value (one frame) accepted, in bytes.
   *
   * @return bytes
   */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * The most bytes a CompressedPackedForward frame may decompress to.
   *
   * @return bytes
   */
  public int maxDecompressedBytes() {
    return maxDecompressedBytes;
  }

  /**
   * The most events one Forward or PackedForward frame may carry.
   *
   * @return entries
   */
  public int maxEntriesPerFrame() {
    return maxEntriesPerFrame;
  }

  /**
   * The longest tag accepted, in bytes.
   *
   * @return bytes
   */
  public int maxTagBytes() {
    return maxTagBytes;
  }

  /**
   * The deepest nesting of arrays and maps accepted in a frame, the frame's own array included.
   *
   * @return levels
   */
  public int maxNestingDepth() {
    return maxNestingDepth;
  }

  @Override
  public String toString() {
    return "ForwardLimits{maxFrameBytes="
        + maxFrameBytes
        + ", maxDecompressedBytes="
        + maxDecompressedBytes
        + ", maxEntriesPerFrame="
        + maxEntriesPerFrame
        + ", maxTagBytes="
        + maxTagBytes
        + ", maxNestingDepth="
        + maxNestingDepth
        + '}';
  }

  private static int orDefault(int value, int fallback) {
    return value == UNSET ? fallback : value;
  }

  private static final int UNSET = -1;

  /** Sets the limits; each option once, checked when set. */
  public static final class Builder {
    private int maxFrameBytes = UNSET;
    private int maxDecompressedBytes = UNSET;
    private int maxEntriesPerFrame = UNSET;
    private int maxTagBytes = UNSET;
    private int maxNestingDepth = UNSET;

    private Builder() {}

    /**
     * Sets {@link ForwardLimits#maxFrameBytes()}.
     *
     * @param bytes from 16 to {@link #MAX_FRAME_BYTES_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxFrameBytes(int bytes) {
      maxFrameBytes = set("maxFrameBytes", maxFrameBytes, bytes, 16, MAX_FRAME_BYTES_LIMIT);
      return this;
    }

    /**
     * Sets {@link ForwardLimits#maxDecompressedBytes()}.
     *
     * @param bytes from 16 to {@link #MAX_FRAME_BYTES_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxDecompressedBytes(int bytes) {
      maxDecompressedBytes =
          set("maxDecompressedBytes", maxDecompressedBytes, bytes, 16, MAX_FRAME_BYTES_LIMIT);
      return this;
    }

    /**
     * Sets {@link ForwardLimits#maxEntriesPerFrame()}.
     *
     * @param entries from 1 to {@link Integer#MAX_VALUE}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxEntriesPerFrame(int entries) {
      maxEntriesPerFrame =
          set("maxEntriesPerFrame", maxEntriesPerFrame, entries, 1, Integer.MAX_VALUE);
      return this;
    }

    /**
     * Sets {@link ForwardLimits#maxTagBytes()}.
     *
     * @param bytes from 1 to 65,535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxTagBytes(int bytes) {
      maxTagBytes = set("maxTagBytes", maxTagBytes, bytes, 1, 65_535);
      return this;
    }

    /**
     * Sets {@link ForwardLimits#maxNestingDepth()}.
     *
     * @param levels from 3 (a PackedForward entry inside its frame) to 1,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxNestingDepth(int levels) {
      maxNestingDepth = set("maxNestingDepth", maxNestingDepth, levels, 3, 1000);
      return this;
    }

    /**
     * Returns the limits; the builder may be used again.
     *
     * @return the limits
     */
    public ForwardLimits build() {
      return new ForwardLimits(this);
    }

    private static int set(String option, int current, int value, int min, int max) {
      if (current != UNSET) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            option + " must be in " + min + ".." + max + ", got " + value);
      }
      return value;
    }
  }
}
