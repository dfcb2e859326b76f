package dev.logstream.forward;

import dev.logstream.core.EventTime;
import dev.logstream.core.RecordView;
import java.util.Arrays;

/**
 * One decoded frame: its tag, mode, events (time + record view) and the ack it asks for.
 *
 * <p>Owned and reused by its {@link ForwardDecoder}; valid only during {@link
 * FrameListener#onFrame}. Events are stored as offsets into the frame's bytes (or into the
 * decompressed entries), so reading a frame allocates nothing per event.
 *
 * <p>The ack a client asked for with option {@code chunk} is {@code {"ack": chunk}}, the chunk
 * echoed as the exact msgpack value that arrived:
 *
 * <pre>
 *  +------+------+------+------+------+-----------------------------------+
 *  | 0x81 | 0xa3 | 'a'  | 'c'  | 'k'  | chunk, byte for byte as received   |
 *  +------+------+------+------+------+-----------------------------------+
 *   map(1) str(3)  "ack"                (str or bin header + its bytes)
 * </pre>
 */
public final class ForwardFrame {
  private static final byte[] ACK_PREFIX = {(byte) 0x81, (byte) 0xA3, 'a', 'c', 'k'};

  private final MsgpackRecordView view = new MsgpackRecordView();
  private final int[] dropped = new int[DropReason.values().length];

  private String tag;
  private ForwardMode mode;
  private int frameBytes;
  private long signal;
  private int decompressedBytes;

  private byte[] events;
  private int count;
  private long[] seconds = new long[16];
  private int[] nanos = new int[16];
  private int[] records = new int[16];

  private byte[] chunkBuffer;
  private int chunkOffset;
  private int chunkLength;

  ForwardFrame() {}

  void reset(String tag, ForwardMode mode, int frameBytes) {
    this.tag = tag;
    this.mode = mode;
    this.frameBytes = frameBytes;
    this.signal = 0;
    this.decompressedBytes = 0;
    this.count = 0;
    this.chunkBuffer = null;
    Arrays.fill(dropped, 0);
  }

  void chunk(byte[] buffer, int offset, int length) {
    chunkBuffer = buffer;
    chunkOffset = offset;
    chunkLength = length;
  }

  void mode(ForwardMode value) {
    mode = value;
  }

  void signal(long value) {
    signal = value;
  }

  void decompressedBytes(int bytes) {
    decompressedBytes = bytes;
  }

  /**
   * How many bytes the entries of a CompressedPackedForward frame decompressed to.
   *
   * @return bytes, 0 for frames that were not compressed
   */
  public int decompressedBytes() {
    return decompressedBytes;
  }

  void eventBuffer(byte[] buffer) {
    events = buffer;
  }

  void ensureCapacity(int events) {
    if (events > records.length) {
      int capacity = Math.max(events, records.length * 2);
      seconds = Arrays.copyOf(seconds, capacity);
      nanos = Arrays.copyOf(nanos, capacity);
      records = Arrays.copyOf(records, capacity);
    }
  }

  void addEvent(long eventSeconds, int eventNanos, int recordOffset) {
    ensureCapacity(count + 1);
    seconds[count] = eventSeconds;
    nanos[count] = eventNanos;
    records[count] = recordOffset;
    count++;
  }

  void drop(DropReason reason) {
    dropped[reason.ordinal()]++;
  }

  /**
   * The frame's tag.
   *
   * @return the tag, decoded as UTF-8 (invalid bytes become U+FFFD)
   */
  public String tag() {
    return tag;
  }

  /**
   * How the events were carried.
   *
   * @return the mode
   */
  public ForwardMode mode() {
    return mode;
  }

  /**
   * The frame's size on the wire.
   *
   * @return bytes, the frame's array header included
   */
  public int frameBytes() {
    return frameBytes;
  }

  /**
   * The v1.5 {@code fluent_signal} option: 0 (or absent) for logs, 1 metrics, 2 traces. Frames that
   * are not logs carry no events here; they are acknowledged and counted.
   *
   * @return the signal
   */
  public long signal() {
    return signal;
  }

  /**
   * The number of valid events.
   *
   * @return events in this frame
   */
  public int size() {
    return count;
  }

  /**
   * Event {@code i}'s seconds since the epoch.
   *
   * @param i the event index, {@code 0 <= i < size()}
   * @return seconds, {@code 0 .. 2^32-1}
   */
  public long seconds(int i) {
    return seconds[checkIndex(i)];
  }

  /**
   * Event {@code i}'s nanoseconds within the second.
   *
   * @param i the event index
   * @return nanoseconds, {@code 0 .. 999999999}
   */
  public int nanos(int i) {
    return nanos[checkIndex(i)];
  }

  /**
   * Event {@code i}'s time as a value (allocates; the hot path uses {@link #seconds} and {@link
   * #nanos}).
   *
   * @param i the event index
   * @return the time
   */
  public EventTime time(int i) {
    return EventTime.of(seconds(i), nanos(i));
  }

  /**
   * Event {@code i}'s record as a view over the frame's bytes. The same view object is returned for
   * every index, re-pointed: use it before asking for the next one.
   *
   * @param i the event index
   * @return the record view
   */
  public RecordView record(int i) {
    return view.pointAt(events, records[checkIndex(i)]);
  }

  /**
   * How many events were dropped for a reason.
   *
   * @param reason the reason
   * @return the count in this frame
   */
  public int dropped(DropReason reason) {
    return dropped[reason.ordinal()];
  }

  /**
   * How many events were dropped for any reason.
   *
   * @return the count in this frame
   */
  public int droppedTotal() {
    int total = 0;
    for (int d : dropped) {
      total += d;
    }
    return total;
  }

  /**
   * Whether the client asked for an ack (option {@code chunk}).
   *
   * @return true if an ack must be sent once the events are stored
   */
  public boolean wantsAck() {
    return chunkBuffer != null;
  }

  /**
   * The ack's length in bytes.
   *
   * @return bytes, or 0 if no ack was asked for
   */
  public int ackLength() {
    return wantsAck() ? ACK_PREFIX.length + chunkLength : 0;
  }

  /**
   * Writes the ack into {@code target}.
   *
   * @param target where to write
   * @param offset where to start; {@link #ackLength()} bytes must fit
   * @return the number of bytes written
   * @throws IllegalStateException if no ack was asked for
   */
  public int writeAck(byte[] target, int offset) {
    if (!wantsAck()) {
      throw new IllegalStateException("frame has no chunk option, so no ack");
    }
    System.arraycopy(ACK_PREFIX, 0, target, offset, ACK_PREFIX.length);
    System.arraycopy(chunkBuffer, chunkOffset, target, offset + ACK_PREFIX.length, chunkLength);
    return ACK_PREFIX.length + chunkLength;
  }

  /**
   * Returns the ack as a new array, to keep after {@link FrameListener#onFrame} returns.
   *
   * @return the ack bytes
   * @throws IllegalStateException if no ack was asked for
   */
  public byte[] ackBytes() {
    byte[] ack = new byte[ackLength()];
    writeAck(ack, 0);
    return ack;
  }

  private int checkIndex(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("event " + i + " of a frame with " + count);
    }
    return i;
  }

  @Override
  public String toString() {
    return "ForwardFrame{tag="
        + tag
        + ", mode="
        + mode
        + ", events="
        + count
        + ", dropped="
        + droppedTotal()
        + ", ack="
        + wantsAck()
        + '}';
  }
}
