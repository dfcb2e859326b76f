package dev.logstream.forward;

import dev.logstream.core.EventTime;
import dev.logstream.core.GrowableBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decodes the forward protocol from a byte stream that arrives in pieces: one decoder per
 * connection, fed whatever each read returned.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Incomplete input is not an error.</b> Bytes are kept until a whole frame is there; a
 *       frame split anywhere, one byte at a time included, decodes the same. Each byte is scanned
 *       once however the frame is split.
 *   <li><b>Limits before allocation.</b> A frame, string, binary or container that declares more
 *       than {@link ForwardLimits} allows is refused from its header, before its bytes arrive.
 *       Decompression stops as soon as it passes its limit.
 *   <li><b>Frames are read in place.</b> Events are offsets into the frame's bytes; a record
 *       reaches the encoder as a view over them. Decoding allocates nothing per event.
 * </ul>
 *
 * <h2>Malformed input</h2>
 *
 * <table>
 *   <caption>What happens to bad input</caption>
 *   <tr><th>input</th><th>outcome</th></tr>
 *   <tr><td>msgpack syntax error (byte 0xC1), a top-level value that is neither an array nor
 *       {@code nil}, a frame of fewer than 2 or more than 4 elements, a tag that is not a
 *       {@code str}, options that are neither a map nor {@code nil}, a {@code chunk} that is not
 *       {@code str}/{@code bin}, an unknown {@code compressed} value, corrupt compressed
 *       data</td><td>{@link MalformedFrameException}: the stream cannot be trusted past this
 *       point; the server closes the connection, and the frame is not acknowledged</td></tr>
 *   <tr><td>any limit passed</td><td>{@link ForwardLimitException}: connection closed</td></tr>
 *   <tr><td>an event whose record is not a map or whose time is invalid; a malformed entry; an
 *       unreadable rest of PackedForward entries</td><td>that event is dropped and counted in
 *       {@link ForwardFrame#dropped(DropReason)}; the frame's other events are delivered and the
 *       frame is acknowledged (a resend could never succeed)</td></tr>
 *   <tr><td>top-level {@code nil}</td><td>a heartbeat: {@link FrameListener#onHeartbeat()}</td></tr>
 *   <tr><td>{@code fluent_signal} 1 or 2 (metrics, traces)</td><td>a frame with no events and
 *       {@link ForwardFrame#signal()} set; acknowledged</td></tr>
 * </table>
 *
 * <p>Times: any msgpack integer from 0 to 2^32-1 (seconds), EventTime as {@code fixext8} or {@code
 * ext8} of length 8 (seconds and nanoseconds read as unsigned), a float in that range (Fluent Bit
 * accepts those), or a v1.5 {@code [time, metadata]} pair of any of these.
 *
 * <p>Not thread-safe: one thread feeds one decoder.
 */
public final class ForwardDecoder {
  private static final byte[] CHUNK = "chunk".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMPRESSED = "compressed".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SIGNAL = "fluent_signal".getBytes(StandardCharsets.US_ASCII);
  // Small: a server holds one decoder per connection; it grows to the largest frame seen.
  private static final int INITIAL_BUFFER = 4 * 1024;

  private final ForwardLimits limits;
  private final MsgpackScanner frameScanner;
  private final MsgpackScanner entryScanner;
  private final ForwardFrame frame = new ForwardFrame();
  private final GrowableBytes decompressed = new GrowableBytes(0);

  private byte[] buffer = new byte[INITIAL_BUFFER];
  private int readIndex;
  private int writeIndex;
  private boolean scanning;
  private boolean deferRequested;
  private boolean paused;
  private boolean rawValues;
  private long bytesIn;

  private byte[] lastTagBytes = new byte[0];
  private String lastTag = "";

  // The time read by readTime, to avoid returning an object per event.
  private long timeSeconds;
  private int timeNanos;

  private ForwardDecoder(ForwardLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.frameScanner = new MsgpackScanner(limits.maxNestingDepth());
    // Entries sit two levels down (frame array, payload), so they get what is left of the depth.
    this.entryScanner = new MsgpackScanner(Math.max(1, limits.maxNestingDepth() - 1));
  }

  /**
   * Returns a decoder with the default limits.
   *
   * @return a new decoder
   */
  public static ForwardDecoder create() {
    return new ForwardDecoder(ForwardLimits.defaults());
  }

  /**
   * Returns a decoder with the given limits.
   *
   * @param limits the limits to enforce
   * @return a new decoder
   */
  public static ForwardDecoder create(ForwardLimits limits) {
    return new ForwardDecoder(limits);
  }

  /**
   * Feeds the bytes that arrived; every frame they complete goes to {@code listener}.
   *
   * @param bytes the buffer
   * @param offset where the new bytes start
   * @param length how many
   * @param listener receives frames and heartbeats
   * @throws MalformedFrameException if the stream is not the forward protocol; the decoder must not
   *     be fed again
   * @throws ForwardLimitException if a limit is passed; the decoder must not be fed again
   */
  public void decode(byte[] bytes, int offset, int length, FrameListener listener) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    makeRoom(length);
    System.arraycopy(bytes, offset, buffer, writeIndex, length);
    writeIndex += length;
    bytesIn += length;
    drain(listener);
  }

  /** Receives whole top-level values while the decoder is in raw mode (server handshake). */
  interface RawValueListener extends FrameListener {
    void onRawValue(byte[] buffer, int offset, int length);
  }

  /**
   * Feeds the bytes remaining in {@code bytes} (heap or direct) and consumes them.
   *
   * @param bytes the new bytes, from position to limit
   * @param listener receives frames and heartbeats
   * @throws MalformedFrameException if the stream is not the forward protocol
   * @throws ForwardLimitException if a limit is passed
   */
  public void decode(ByteBuffer bytes, FrameListener listener) {
    int length = bytes.remaining();
    makeRoom(length);
    bytes.get(buffer, writeIndex, length);
    writeIndex += length;
    bytesIn += length;
    drain(listener);
  }

  /**
   * Asks for the frame being delivered to {@link FrameListener#onFrame} to be delivered again
   * later: call it from inside {@code onFrame} when the frame cannot be taken now (the buffer is
   * full). The decoder keeps the frame's bytes, stops delivering, and buffers whatever is fed
   * meanwhile; {@link #resume} delivers the same frame again.
   *
   * @throws IllegalStateException if not called from inside {@code onFrame}
   */
  public void deferCurrentFrame() {
    if (!delivering) {
      throw new IllegalStateException("deferCurrentFrame() may only be called from onFrame");
    }
    deferRequested = true;
  }

  /**
   * Whether a frame was deferred and awaits {@link #resume}.
   *
   * @return true while paused
   */
  public boolean isPaused() {
    return paused;
  }

  /**
   * Delivers the deferred frame again, then everything buffered after it.
   *
   * @param listener receives frames and heartbeats
   * @throws MalformedFrameException if the stream is not the forward protocol
   * @throws ForwardLimitException if a limit is passed
   */
  public void resume(FrameListener listener) {
    paused = false;
    drain(listener);
  }

  /**
   * Switches between frames and raw values: while on, each top-level value goes whole to {@link
   * RawValueListener#onRawValue} (the handshake's PING is not a frame).
   */
  void rawValues(boolean on) {
    rawValues = on;
  }

  /**
   * Bytes received but not yet part of a complete frame.
   *
   * @return buffered bytes
   */
  public int bufferedBytes() {
    return writeIndex - readIndex;
  }

  /**
   * All bytes fed to this decoder.
   *
   * @return bytes
   */
  public long bytesIn() {
    return bytesIn;
  }

  private void makeRoom(int length) {
    if (buffer.length - writeIndex >= length) {
      return;
    }
    int buffered = writeIndex - readIndex;
    if (readIndex > 0) {
      System.arraycopy(buffer, readIndex, buffer, 0, buffered);
      if (scanning) {
        frameScanner.shift(-readIndex);
      }
      readIndex = 0;
      writeIndex = buffered;
    }
    long needed = (long) buffered + length;
    if (needed > buffer.length) {
      // The scanner keeps a partial frame below maxFrameBytes, so this stays bounded by the frame
      // limit plus one read.
      long grown = Math.max(needed, Math.min(2L * buffer.length, limits.maxFrameBytes() + 64L));
      if (grown > Integer.MAX_VALUE - 8) {
        throw new ForwardLimitException(
            "buffered input of " + needed + " bytes does not fit in one array");
      }
      buffer = Arrays.copyOf(buffer, (int) grown);
    }
  }

  private void drain(FrameListener listener) {
    while (readIndex < writeIndex && !paused) {
      if (!scanning) {
        frameScanner.begin(readIndex, limits.maxFrameBytes(), "frame");
        scanning = true;
      }
      int end = frameScanner.scan(buffer, writeIndex);
      if (end == MsgpackScanner.NEED_MORE) {
        return;
      }
      scanning = false;
      int start = readIndex;
      readIndex = end;
      handleValue(start, end, listener);
      if (deferRequested) {
        deferRequested = false;
        paused = true;
        readIndex = start; // delivered again on resume(); scanned again, which is cheap
        return;
      }
    }
    if (readIndex == writeIndex) {
      readIndex = 0;
      writeIndex = 0;
    }
  }

  private boolean delivering;

  private void handleValue(int start, int end, FrameListener listener) {
    if (rawValues) {
      ((RawValueListener) listener).onRawValue(buffer, start, end - start);
      return;
    }
    int b = buffer[start] & 0xFF;
    if (b == Msgpack.NIL) {
      listener.onHeartbeat();
      return;
    }
    if (!Msgpack.isArray(b)) {
      throw new MalformedFrameException(
          "frame must be an array, got " + Msgpack.typeName(b) + String.format(" (0x%02x)", b));
    }
    decodeFrame(start, end);
    delivering = true;
    try {
      listener.onFrame(frame);
    } finally {
      delivering = false;
    }
  }

  private void decodeFrame(int start, int end) {
    byte[] buf = buffer;
    int b = buf[start] & 0xFF;
    long elements = Msgpack.arrayLength(buf, start, b);
    if (elements < 2 || elements > 4) {
      throw new MalformedFrameException(
          "frame must be an array of 2 to 4 elements, got " + elements);
    }
    // The scanner noted where the root's elements start: no need to walk the record to find the
    // options behind it.
    String tag = readTag(buf, frameScanner.elementStart(0));
    int second = frameScanner.elementStart(1);
    int secondType = buf[second] & 0xFF;
    ForwardMode mode;
    if (Msgpack.isArray(secondType)) {
      mode = ForwardMode.FORWARD;
    } else if (Msgpack.isString(secondType) || Msgpack.isBinary(secondType)) {
      mode = ForwardMode.PACKED_FORWARD;
    } else {
      mode = ForwardMode.MESSAGE;
    }
    int recordPos = -1;
    int optionPos = -1;
    if (mode == ForwardMode.MESSAGE) {
      if (elements < 3) {
        throw new MalformedFrameException(
            "Message frame must be [tag, time, record, option?], got 2 elements");
      }
      recordPos = frameScanner.elementStart(2);
      if (elements == 4) {
        optionPos = frameScanner.elementStart(3);
      }
    } else {
      if (elements == 4) {
        throw new MalformedFrameException(
            mode + " frame must be [tag, entries, option?], got 4 elements");
      }
      if (elements == 3) {
        optionPos = frameScanner.elementStart(2);
      }
    }
    frame.reset(tag, mode, end - start);
    frame.eventBuffer(buf);
    Decompression.Codec compression = optionPos < 0 ? null : readOptions(buf, optionPos);
    if (frame.signal() != 0) {
      return; // metrics or traces: acknowledged, not decoded as log entries
    }
    switch (mode) {
      case MESSAGE -> addEvent(buf, second, recordPos);
      case FORWARD -> decodeForwardEntries(buf, second);
      default -> {
        if (compression != null) {
          frame.mode(ForwardMode.COMPRESSED_PACKED_FORWARD);
        }
        decodePackedEntries(buf, second, compression);
      }
    }
  }

  private String readTag(byte[] buf, int pos) {
    int b = buf[pos] & 0xFF;
    if (!Msgpack.isString(b)) {
      throw new MalformedFrameException("tag must be a str, got " + Msgpack.typeName(b));
    }
    int length = (int) Msgpack.payloadLength(buf, pos, b);
    if (length > limits.maxTagBytes()) {
      throw new ForwardLimitException(
          "tag of " + length + " bytes exceeds maxTagBytes " + limits.maxTagBytes());
    }
    int from = pos + Msgpack.headerLength(b);
    // Connections send one tag over and over: decode it once.
    if (!Arrays.equals(lastTagBytes, 0, lastTagBytes.length, buf, from, from + length)) {
      lastTagBytes = Arrays.copyOfRange(buf, from, from + length);
      lastTag = new String(lastTagBytes, StandardCharsets.UTF_8);
    }
    return lastTag;
  }

  /** Reads the option map; returns the codec named by {@code compressed}, null for none. */
  private Decompression.Codec readOptions(byte[] buf, int pos) {
    int b = buf[pos] & 0xFF;
    if (b == Msgpack.NIL) {
      return null; // Docker 18.x sends nil options
    }
    if (!Msgpack.isMap(b)) {
      throw new MalformedFrameException("option must be a map or nil, got " + Msgpack.typeName(b));
    }
    long pairs = Msgpack.mapLength(buf, pos, b);
    int p = pos + Msgpack.headerLength(b);
    Decompression.Codec compression = null;
    for (long i = 0; i < pairs; i++) {
      int key = p;
      int value = Msgpack.skip(buf, key);
      int next = Msgpack.skip(buf, value);
      int vb = buf[value] & 0xFF;
      if (keyEquals(buf, key, CHUNK)) {
        if (!Msgpack.isString(vb) && !Msgpack.isBinary(vb)) {
          throw new MalformedFrameException(
              "option 'chunk' must be a str, got " + Msgpack.typeName(vb));
        }
        frame.chunk(buf, value, next - value);
      } else if (keyEquals(buf, key, COMPRESSED)) {
        compression = readCompression(buf, value, vb);
      } else if (keyEquals(buf, key, SIGNAL) && Msgpack.isInteger(vb)) {
        frame.signal(Msgpack.readInteger(buf, value, vb));
      }
      p = next;
    }
    return compression;
  }

  private static Decompression.Codec readCompression(byte[] buf, int pos, int b) {
    if (b == Msgpack.NIL) {
      return null;
    }
    if (!Msgpack.isString(b)) {
      throw new MalformedFrameException(
          "option 'compressed' must be a str, got " + Msgpack.typeName(b));
    }
    int length = (int) Msgpack.payloadLength(buf, pos, b);
    // Known values are short; cap what can reach an error message.
    String value =
        new String(
            buf, pos + Msgpack.headerLength(b), Math.min(length, 64), StandardCharsets.UTF_8);
    return Decompression.Codec.forOption(value);
  }

  private static boolean keyEquals(byte[] buf, int pos, byte[] expected) {
    int b = buf[pos] & 0xFF;
    if (!Msgpack.isString(b)) {
      return false;
    }
    int from = pos + Msgpack.headerLength(b);
    int length = (int) Msgpack.payloadLength(buf, pos, b);
    return Arrays.equals(expected, 0, expected.length, buf, from, from + length);
  }

  private void decodeForwardEntries(byte[] buf, int pos) {
    int b = buf[pos] & 0xFF;
    long entries = Msgpack.arrayLength(buf, pos, b);
    requireEntries(entries);
    frame.ensureCapacity((int) entries);
    int p = pos + Msgpack.headerLength(b);
    for (long i = 0; i < entries; i++) {
      int next = Msgpack.skip(buf, p);
      decodeEntry(buf, p);
      p = next;
    }
  }

  private void decodePackedEntries(byte[] buf, int pos, Decompression.Codec compression) {
    int b = buf[pos] & 0xFF;
    int from = pos + Msgpack.headerLength(b);
    int to = from + (int) Msgpack.payloadLength(buf, pos, b);
    Decompression.requireMagicAgrees(compression, buf, from, to - from);
    byte[] entries = buf;
    if (compression != null) {
      decompressed.clear();
      Decompression.decompress(
          compression, buf, from, to - from, decompressed, limits.maxDecompressedBytes());
      entries = decompressed.array();
      from = 0;
      to = decompressed.length();
      frame.decompressedBytes(to);
      frame.eventBuffer(entries);
    }
    long count = 0;
    int p = from;
    while (p < to) {
      entryScanner.begin(p, to - p, "entry");
      int end;
      try {
        end = entryScanner.scan(entries, to);
      } catch (ForwardProtocolException unreadable) {
        end = MsgpackScanner.NEED_MORE;
      }
      if (end == MsgpackScanner.NEED_MORE) {
        frame.drop(DropReason.MALFORMED_ENTRIES);
        return;
      }
      requireEntries(++count);
      decodeEntry(entries, p);
      p = end;
    }
  }

  private void requireEntries(long entries) {
    if (entries > limits.maxEntriesPerFrame()) {
      throw new ForwardLimitException(
          "frame has more than maxEntriesPerFrame "
              + limits.maxEntriesPerFrame()
              + " entries ("
              + entries
              + (frame.mode() == ForwardMode.FORWARD ? " declared)" : " so far)"));
    }
  }

  /** An entry is {@code [time, record]}. */
  private void decodeEntry(byte[] buf, int pos) {
    int b = buf[pos] & 0xFF;
    if (!Msgpack.isArray(b) || Msgpack.arrayLength(buf, pos, b) != 2) {
      frame.drop(DropReason.INVALID_ENTRY);
      return;
    }
    int time = pos + Msgpack.headerLength(b);
    addEvent(buf, time, Msgpack.skip(buf, time));
  }

  private void addEvent(byte[] buf, int timePos, int recordPos) {
    if (!readTime(buf, timePos, true)) {
      frame.drop(DropReason.INVALID_TIME);
      return;
    }
    if (!Msgpack.isMap(buf[recordPos] & 0xFF)) {
      frame.drop(DropReason.RECORD_NOT_MAP);
      return;
    }
    frame.addEvent(timeSeconds, timeNanos, recordPos);
  }

  private boolean readTime(byte[] buf, int pos, boolean allowMetadataPair) {
    int b = buf[pos] & 0xFF;
    if (Msgpack.isInteger(b)) {
      if (Msgpack.isUint64Above(buf, pos, b)) {
        return false;
      }
      long value = Msgpack.readInteger(buf, pos, b);
      return setTime(value, 0);
    }
    if (Msgpack.isExtension(b)) {
      if (Msgpack.extensionType(buf, pos, b) != 0 || Msgpack.payloadLength(buf, pos, b) != 8) {
        return false;
      }
      int payload = pos + Msgpack.headerLength(b);
      return setTime(Msgpack.readUint32(buf, payload), Msgpack.readUint32(buf, payload + 4));
    }
    if (Msgpack.isFloat(b)) {
      double value =
          b == Msgpack.FLOAT32
              ? Float.intBitsToFloat(Msgpack.readInt(buf, pos + 1))
              : Double.longBitsToDouble(Msgpack.readLong(buf, pos + 1));
      if (!(value >= 0 && value < EventTime.MAX_SECONDS + 1.0)) {
        return false;
      }
      long whole = (long) value;
      long fraction = Math.round((value - whole) * 1e9);
      if (fraction > EventTime.MAX_NANOS) {
        whole++;
        fraction = 0;
      }
      return setTime(whole, fraction);
    }
    if (allowMetadataPair && Msgpack.isArray(b) && Msgpack.arrayLength(buf, pos, b) >= 1) {
      return readTime(buf, pos + Msgpack.headerLength(b), false); // v1.5 [time, metadata]
    }
    return false;
  }

  private boolean setTime(long seconds, long nanos) {
    if (seconds < 0 || seconds > EventTime.MAX_SECONDS || nanos > EventTime.MAX_NANOS) {
      return false;
    }
    timeSeconds = seconds;
    timeNanos = (int) nanos;
    return true;
  }
}
