package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses the entries of a CompressedPackedForward frame (gzip or zstd) in bounded steps, so
 * that a decompression bomb is rejected after at most {@code maxOutputBytes} plus one step of work.
 * Memory per call: the output grows to at most {@code maxOutputBytes} more bytes, plus one step
 * buffer ({@link #STEP_BYTES}), plus the codec's history (zlib's 32 KiB, or a zstd window of at
 * most {@link #MAX_ZSTD_WINDOW_BYTES} plus one 128 KiB block).
 *
 * <p><b>gzip</b> (RFC 1952) is parsed here and inflated with a raw {@link Inflater}: the header
 * (FEXTRA, FNAME, FCOMMENT and a verified FHCRC), the deflate data, then the CRC-32 and ISIZE
 * trailer, both verified. The forward spec allows "a concatenated binary of multiple gzip binary
 * strings", so members are decompressed one after the other until the input ends (fluentd#2546 lost
 * every member but the first); bytes after a member that do not start another member are trailing
 * garbage and the frame is malformed, as in Fluentd.
 *
 * <p><b>zstd</b> (RFC 8878) frames are walked here (frame header, block headers, checksum) to find
 * each frame's extent before a frame is handed to aircompressor's streaming decoder, which is read
 * in bounded steps. Concatenated frames, frames without a content size and skippable frames are
 * supported; a declared content size is checked against the limit before any decoding and against
 * the data after it, and is never used to size an allocation. A frame whose window (the history the
 * decoder must keep) exceeds {@link #MAX_ZSTD_WINDOW_BYTES} is refused: the decoder would hold that
 * much before producing output, whatever the output limit. Frames using a dictionary are refused.
 *
 * <p><b>Magic bytes.</b> The {@code compressed} option decides the codec; the data is never
 * decompressed by a codec the client did not name. Fluent Bit instead trusts the magic bytes when
 * they disagree with the option; we do not, because an option that contradicts the data is a client
 * bug and guessing would hide it. The magic is only used to say so clearly: when the data starts
 * with the other codec's magic (gzip {@code 1f 8b}, zstd {@code 28 b5 2f fd}), or with either magic
 * while the option says uncompressed, {@link #requireMagicAgrees} throws a {@link
 * MalformedFrameException} naming both. This never changes whether a frame is accepted: gzip data
 * is not zstd data and vice versa, and uncompressed entries start with a msgpack array header,
 * never with {@code 0x1f} or {@code 0x28}.
 *
 * <p>Empty input is malformed for both codecs: a gzip stream has at least one member and a zstd
 * stream at least one frame.
 */
final class Decompression {

  /** Output is produced, checked against the limit and copied in steps of this many bytes. */
  static final int STEP_BYTES = 64 * 1024;

  /**
   * Largest zstd window accepted, 8 MiB (window log 23): what zstd levels 1 to 19 use, and the
   * largest window aircompressor's streaming decoder keeps without growing block by block.
   */
  static final int MAX_ZSTD_WINDOW_BYTES = 1 << 23;

  private static final int ZSTD_MAGIC = 0xFD2FB528;
  private static final int ZSTD_SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
  private static final int ZSTD_SKIPPABLE_MAGIC = 0x184D2A50;
  private static final int ZSTD_MAX_BLOCK_BYTES = 128 * 1024;

  private static final int GZIP_FHCRC = 2;
  private static final int GZIP_FEXTRA = 4;
  private static final int GZIP_FNAME = 8;
  private static final int GZIP_FCOMMENT = 16;
  private static final int GZIP_RESERVED_FLAGS = 0xE0;
  private static final int GZIP_CM_DEFLATE = 8;
  private static final int GZIP_FIXED_HEADER_BYTES = 10;
  private static final int GZIP_TRAILER_BYTES = 8;

  /** A compression named by the {@code compressed} option of a PackedForward frame. */
  enum Codec {
    /** gzip (RFC 1952), possibly several concatenated members. */
    GZIP("gzip"),
    /** Zstandard (RFC 8878), possibly several concatenated frames. */
    ZSTD("zstd");

    private final String optionValue;

    Codec(String optionValue) {
      this.optionValue = optionValue;
    }

    /**
     * Returns the value of the {@code compressed} option that names this codec.
     *
     * @return {@code gzip} or {@code zstd}
     */
    String optionValue() {
      return optionValue;
    }

    /**
     * Maps the {@code compressed} option to a codec. {@code text} is what Fluentd's out_forward
     * sends for uncompressed data (fluent-bit#2396), and an absent option means the same.
     *
     * @param compressedOptionValue the option's value, or {@code null} when absent
     * @return the codec, or {@code null} for uncompressed entries
     * @throws MalformedFrameException if the value names no known compression
     */
    static Codec forOption(String compressedOptionValue) {
      if (compressedOptionValue == null) {
        return null;
      }
      switch (compressedOptionValue) {
        case "text":
          return null;
        case "gzip":
          return GZIP;
        case "zstd":
          return ZSTD;
        default:
          throw new MalformedFrameException(
              "unknown compression '"
                  + compressedOptionValue
                  + "' in option 'compressed' (known: gzip, zstd, text)");
      }
    }
  }

  private Decompression() {}

  /**
   * Returns the codec whose magic bytes start the data: gzip {@code 1f 8b}, zstd {@code 28 b5 2f
   * fd} (a zstd stream that starts with a skippable frame is not recognised).
   *
   * @param input the data
   * @param offset where the data starts in {@code input}
   * @param length the data's length
   * @return the codec, or {@code null} when neither magic is there
   */
  static Codec sniff(byte[] input, int offset, int length) {
    if (length >= 2 && (input[offset] & 0xFF) == 0x1f && (input[offset + 1] & 0xFF) == 0x8b) {
      return Codec.GZIP;
    }
    if (length >= 4 && readIntLe(input, offset) == ZSTD_MAGIC) {
      return Codec.ZSTD;
    }
    return null;
  }

  /**
   * Throws when the data's magic bytes name a codec other than the declared one (see the class
   * documentation for the policy).
   *
   * @param declared the codec named by the {@code compressed} option, or {@code null} for
   *     uncompressed ({@code text} or no option)
   * @param input the data
   * @param offset where the data starts in {@code input}
   * @param length the data's length
   * @throws MalformedFrameException if the data starts with another codec's magic
   */
  static void requireMagicAgrees(Codec declared, byte[] input, int offset, int length) {
    Codec sniffed = sniff(input, offset, length);
    if (sniffed != null && sniffed != declared) {
      throw new MalformedFrameException(
          "option 'compressed' is "
              + (declared == null ? "text or absent" : "'" + declared.optionValue() + "'")
              + " but the data starts with the "
              + sniffed.optionValue()
              + " magic "
              + (sniffed == Codec.GZIP ? "1f 8b" : "28 b5 2f fd"));
    }
  }

  /**
   * Decompresses {@code input[offset .. offset + length)} and appends the result to {@code output}.
   *
   * <p>Output is produced in steps of at most {@link #STEP_BYTES} and counted as it comes; as soon
   * as it would pass {@code maxOutputBytes} the call throws, having appended at most {@code
   * maxOutputBytes} bytes and without growing {@code output} beyond its current length plus {@code
   * maxOutputBytes}. On any exception {@code output} may hold part of the result: the caller
   * discards it.
   *
   * @param codec the codec named by the frame's {@code compressed} option
   * @param input the compressed data
   * @param offset where the data starts in {@code input}
   * @param length the data's length
   * @param output where the decompressed bytes are appended
   * @param maxOutputBytes the most bytes this call may append, the {@code maxDecompressedBytes}
   *     limit
   * @throws MalformedFrameException if the data is not valid for the codec: wrong or other codec's
   *     magic, bad header, corrupt or truncated data, checksum or size mismatch, trailing garbage
   * @throws ForwardLimitException if the output would exceed {@code maxOutputBytes}, or a zstd
   *     frame needs a window larger than {@link #MAX_ZSTD_WINDOW_BYTES}
   * @throws IllegalArgumentException if {@code maxOutputBytes} is negative or the output could not
   *     hold {@code maxOutputBytes} more bytes in one array
   */
  static void decompress(
      Codec codec,
      byte[] input,
      int offset,
      int length,
      GrowableBytes output,
      long maxOutputBytes) {
    if (offset < 0 || length < 0 || offset > input.length - length) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + " and length " + length + " outside input of " + input.length);
    }
    if (maxOutputBytes < 0 || maxOutputBytes > Integer.MAX_VALUE - 8 - output.length()) {
      throw new IllegalArgumentException(
          "maxOutputBytes must be in 0.."
              + (Integer.MAX_VALUE - 8 - output.length())
              + ", got "
              + maxOutputBytes);
    }
    requireMagicAgrees(codec, input, offset, length);
    Sink sink = new Sink(codec, output, maxOutputBytes);
    if (codec == Codec.GZIP) {
      gunzip(input, offset, offset + length, sink);
    } else {
      unzstd(input, offset, offset + length, sink);
    }
  }

  /** Counts output against the limit and appends it without letting the output overgrow. */
  private static final class Sink {
    private final Codec codec;
    private final GrowableBytes output;
    private final long maxOutputBytes;
    private final int maxCapacity;
    private final byte[] step;
    private long produced;

    Sink(Codec codec, GrowableBytes output, long maxOutputBytes) {
      this.codec = codec;
      this.output = output;
      this.maxOutputBytes = maxOutputBytes;
      this.maxCapacity = output.length() + (int) maxOutputBytes;
      // one more byte than the limit is enough to see that the limit is passed
      this.step = new byte[(int) Math.min(STEP_BYTES, maxOutputBytes + 1)];
    }

    /** How many bytes the next step may produce: up to one past the limit, to detect passing it. */
    int room() {
      return (int) Math.min(step.length, maxOutputBytes - produced + 1);
    }

    void append(int count) {
      produced += count;
      if (produced > maxOutputBytes) {
        throw limitPassed(codec.optionValue());
      }
      output.ensureCapacity(output.length() + count, maxCapacity);
      output.write(step, 0, count);
    }

    void requireFits(long declaredBytes, int frame) {
      if (declaredBytes > maxOutputBytes - produced) {
        throw limitPassed("zstd frame " + frame + " declares content size " + declaredBytes);
      }
    }

    ForwardLimitException limitPassed(String detail) {
      return new ForwardLimitException(
          "decompressed size exceeds maxDecompressedBytes " + maxOutputBytes + " (" + detail + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // gzip

  private static void gunzip(byte[] input, int start, int end, Sink sink) {
    if (start == end) {
      throw new MalformedFrameException("empty gzip data: expected at least one member");
    }
    Inflater inflater = new Inflater(true);
    CRC32 crc = new CRC32();
    try {
      int position = start;
      int member = 1;
      while (position < end) {
        position = gunzipMember(input, position, end, member, start, inflater, crc, sink);
        member++;
      }
    } finally {
      inflater.end();
    }
  }

  /** Decompresses the member at {@code position}; returns where the next one starts. */
  private static int gunzipMember(
      byte[] input,
      int position,
      int end,
      int member,
      int start,
      Inflater inflater,
      CRC32 crc,
      Sink sink) {
    int headerStart = position;
    if (end - position < 2
        || (input[position] & 0xFF) != 0x1f
        || (input[position + 1] & 0xFF) != 0x8b) {
      throw new MalformedFrameException(
          member == 1
              ? "not gzip data: starts with " + hex(input, position, Math.min(end - position, 4))
              : "trailing garbage after gzip member "
                  + (member - 1)
                  + " at offset "
                  + (position - start)
                  + ": "
                  + hex(input, position, Math.min(end - position, 4)));
    }
    requireGzipBytes(position, end, GZIP_FIXED_HEADER_BYTES, member, "header");
    int method = input[position + 2] & 0xFF;
    if (method != GZIP_CM_DEFLATE) {
      throw new MalformedFrameException(
          "gzip member " + member + " uses compression method " + method + ", expected 8");
    }
    int flags = input[position + 3] & 0xFF;
    if ((flags & GZIP_RESERVED_FLAGS) != 0) {
      throw new MalformedFrameException(
          "gzip member " + member + " sets reserved flag bits 0x" + Integer.toHexString(flags));
    }
    position += GZIP_FIXED_HEADER_BYTES;
    if ((flags & GZIP_FEXTRA) != 0) {
      requireGzipBytes(position, end, 2, member, "extra field");
      int extraLength = (input[position] & 0xFF) | (input[position + 1] & 0xFF) << 8;
      position += 2;
      requireGzipBytes(position, end, extraLength, member, "extra field");
      position += extraLength;
    }
    if ((flags & GZIP_FNAME) != 0) {
      position = skipZeroTerminated(input, position, end, member, "file name");
    }
    if ((flags & GZIP_FCOMMENT) != 0) {
      position = skipZeroTerminated(input, position, end, member, "comment");
    }
    if ((flags & GZIP_FHCRC) != 0) {
      requireGzipBytes(position, end, 2, member, "header CRC");
      crc.reset();
      crc.update(input, headerStart, position - headerStart);
      int expected = (input[position] & 0xFF) | (input[position + 1] & 0xFF) << 8;
      int actual = (int) crc.getValue() & 0xFFFF;
      if (expected != actual) {
        throw new MalformedFrameException(
            "gzip member "
                + member
                + " header CRC16 mismatch: header says 0x"
                + Integer.toHexString(expected)
                + ", header bytes give 0x"
                + Integer.toHexString(actual));
      }
      position += 2;
    }
    // FTEXT is only a hint; MTIME, XFL and OS carry nothing we need

    inflater.reset();
    inflater.setInput(input, position, end - position);
    crc.reset();
    long memberBytes = 0;
    try {
      while (!inflater.finished()) {
        int room = sink.room();
        int count = inflater.inflate(sink.step, 0, room);
        if (count == 0 && !inflater.finished()) {
          if (inflater.needsInput()) {
            throw new MalformedFrameException(
                "truncated gzip data: member " + member + " ends inside its deflate stream");
          }
          throw new MalformedFrameException(
              "corrupt gzip data in member " + member + ": inflater made no progress");
        }
        crc.update(sink.step, 0, count);
        memberBytes += count;
        sink.append(count);
      }
    } catch (DataFormatException e) {
      throw new MalformedFrameException(
          "corrupt gzip data in member " + member + ": " + e.getMessage(), e);
    }
    position = end - inflater.getRemaining();
    requireGzipBytes(position, end, GZIP_TRAILER_BYTES, member, "trailer");
    long expectedCrc = readIntLe(input, position) & 0xFFFFFFFFL;
    long expectedSize = readIntLe(input, position + 4) & 0xFFFFFFFFL;
    if (expectedCrc != crc.getValue()) {
      throw new MalformedFrameException(
          "gzip member "
              + member
              + " CRC32 mismatch: trailer says 0x"
              + Long.toHexString(expectedCrc)
              + ", data gives 0x"
              + Long.toHexString(crc.getValue()));
    }
    if (expectedSize != (memberBytes & 0xFFFFFFFFL)) {
      throw new MalformedFrameException(
          "gzip member "
              + member
              + " size mismatch: trailer says "
              + expectedSize
              + " (mod 2^32), data gives "
              + memberBytes);
    }
    return position + GZIP_TRAILER_BYTES;
  }

  private static void requireGzipBytes(int position, int end, int needed, int member, String what) {
    if (end - position < needed) {
      throw new MalformedFrameException(
          "truncated gzip data: member " + member + " ends inside its " + what);
    }
  }

  private static int skipZeroTerminated(
      byte[] input, int position, int end, int member, String what) {
    for (int i = position; i < end; i++) {
      if (input[i] == 0) {
        return i + 1;
      }
    }
    throw new MalformedFrameException(
        "truncated gzip data: member " + member + " ends inside its " + what);
  }

  // ---------------------------------------------------------------------------------------------
  // zstd

  private static void unzstd(byte[] input, int start, int end, Sink sink) {
    if (start == end) {
      throw new MalformedFrameException("empty zstd data: expected at least one frame");
    }
    int position = start;
    int frame = 0;
    while (position < end) {
      frame++;
      int magic = end - position < 4 ? 0 : readIntLe(input, position);
      if ((magic & ZSTD_SKIPPABLE_MAGIC_MASK) == ZSTD_SKIPPABLE_MAGIC) {
        if (end - position < 8) {
          throw truncatedZstd(frame, "skippable frame size");
        }
        long size = readIntLe(input, position + 4) & 0xFFFFFFFFL;
        if (size > end - position - 8) {
          throw truncatedZstd(frame, "skippable frame");
        }
        position += 8 + (int) size;
        continue;
      }
      if (magic != ZSTD_MAGIC) {
        String found = hex(input, position, Math.min(end - position, 4));
        throw new MalformedFrameException(
            frame == 1
                ? "not zstd data: starts with " + found
                : "trailing garbage after zstd frame "
                    + (frame - 1)
                    + " at offset "
                    + (position - start)
                    + ": "
                    + found);
      }
      position = unzstdFrame(input, position, end, frame, sink);
    }
  }

  /** Checks and decompresses the frame at {@code frameStart}; returns where the next one starts. */
  private static int unzstdFrame(byte[] input, int frameStart, int end, int frame, Sink sink) {
    int position = frameStart + 4;
    if (position == end) {
      throw truncatedZstd(frame, "header");
    }
    int descriptor = input[position++] & 0xFF;
    int contentSizeFlag = descriptor >>> 6;
    boolean singleSegment = (descriptor & 0x20) != 0;
    boolean checksum = (descriptor & 0x04) != 0;
    int dictionaryFlag = descriptor & 0x03;
    if ((descriptor & 0x08) != 0) {
      throw new MalformedFrameException(
          "corrupt zstd frame " + frame + ": reserved bit set in the frame header descriptor");
    }
    if (dictionaryFlag != 0) {
      throw new MalformedFrameException(
          "zstd frame " + frame + " needs a dictionary, which is not supported");
    }
    int contentSizeBytes =
        contentSizeFlag == 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag; // 0, 1, 2, 4, 8
    int headerRest = (singleSegment ? 0 : 1) + contentSizeBytes;
    if (end - position < headerRest) {
      throw truncatedZstd(frame, "header");
    }
    long windowBytes = -1;
    if (!singleSegment) {
      int windowDescriptor = input[position++] & 0xFF;
      long base = 1L << (10 + (windowDescriptor >>> 3));
      windowBytes = base + (base / 8) * (windowDescriptor & 0x07);
    }
    long contentSize = -1;
    switch (contentSizeBytes) {
      case 1:
        contentSize = input[position] & 0xFF;
        break;
      case 2:
        contentSize = ((input[position] & 0xFF) | (input[position + 1] & 0xFF) << 8) + 256;
        break;
      case 4:
        contentSize = readIntLe(input, position) & 0xFFFFFFFFL;
        break;
      case 8:
        contentSize = readIntLe(input, position) & 0xFFFFFFFFL;
        contentSize |= (long) readIntLe(input, position + 4) << 32;
        break;
      default:
        break;
    }
    position += contentSizeBytes;
    if (contentSizeBytes == 8 && contentSize < 0) {
      throw new MalformedFrameException(
          "corrupt zstd frame "
              + frame
              + ": content size "
              + Long.toUnsignedString(contentSize)
              + " is out of range");
    }
    // the history the decoder keeps before it can emit output
    long lookBack = singleSegment ? contentSize : windowBytes;
    if (contentSize >= 0) {
      lookBack = Math.min(lookBack, contentSize);
    }
    if (lookBack > MAX_ZSTD_WINDOW_BYTES) {
      throw new ForwardLimitException(
          "zstd frame "
              + frame
              + " window size "
              + lookBack
              + " exceeds the supported maximum "
              + MAX_ZSTD_WINDOW_BYTES);
    }
    if (contentSize >= 0) {
      sink.requireFits(contentSize, frame);
    }

    boolean lastBlock = false;
    while (!lastBlock) {
      if (end - position < 3) {
        throw truncatedZstd(frame, "block header");
      }
      int blockHeader =
          (input[position] & 0xFF)
              | (input[position + 1] & 0xFF) << 8
              | (input[position + 2] & 0xFF) << 16;
      position += 3;
      lastBlock = (blockHeader & 1) != 0;
      int blockType = (blockHeader >>> 1) & 0x03;
      int blockSize = blockHeader >>> 3;
      if (blockType == 3) {
        throw new MalformedFrameException(
            "corrupt zstd frame " + frame + ": reserved block type 3");
      }
      if (blockSize > ZSTD_MAX_BLOCK_BYTES) {
        throw new MalformedFrameException(
            "corrupt zstd frame "
                + frame
                + ": block size "
                + blockSize
                + " exceeds "
                + ZSTD_MAX_BLOCK_BYTES);
      }
      int stored = blockType == 1 ? 1 : blockSize; // an RLE block stores its byte once
      if (end - position < stored) {
        throw truncatedZstd(frame, "block");
      }
      position += stored;
    }
    if (checksum) {
      if (end - position < 4) {
        throw truncatedZstd(frame, "checksum");
      }
      position += 4;
    }

    long frameBytes = 0;
    try (ZstdInputStream stream =
        new ZstdInputStream(new ByteArrayInputStream(input, frameStart, position - frameStart))) {
      while (true) {
        int count = stream.read(sink.step, 0, sink.room());
        if (count < 0) {
          break;
        }
        frameBytes += count;
        sink.append(count);
      }
    } catch (ForwardProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // aircompressor reports corrupt data as MalformedInputException, and as
      // IllegalStateException, IllegalArgumentException or index errors in places
      throw new MalformedFrameException("corrupt zstd frame " + frame + ": " + reason(e), e);
    }
    if (contentSize >= 0 && contentSize != frameBytes) {
      throw new MalformedFrameException(
          "zstd frame "
              + frame
              + " content size mismatch: header says "
              + contentSize
              + ", data gives "
              + frameBytes);
    }
    return position;
  }

  /** The decoder's reason, without the internal memory address aircompressor appends. */
  private static String reason(Exception e) {
    String message = String.valueOf(e.getMessage());
    if (e instanceof MalformedInputException) {
      String suffix = ": offset=" + ((MalformedInputException) e).getOffset();
      if (message.endsWith(suffix)) {
        return message.substring(0, message.length() - suffix.length());
      }
    }
    return message;
  }

  private static MalformedFrameException truncatedZstd(int frame, String what) {
    return new MalformedFrameException(
        "truncated zstd data: frame " + frame + " ends inside its " + what);
  }

  // ---------------------------------------------------------------------------------------------

  private static int readIntLe(byte[] input, int position) {
    return (input[position] & 0xFF)
        | (input[position + 1] & 0xFF) << 8
        | (input[position + 2] & 0xFF) << 16
        | (input[position + 3] & 0xFF) << 24;
  }

  private static String hex(byte[] input, int position, int count) {
    StringBuilder text = new StringBuilder(count * 3);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(Character.forDigit((input[position + i] >> 4) & 0xF, 16));
      text.append(Character.forDigit(input[position + i] & 0xF, 16));
    }
    return text.toString();
  }
}
