package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;
import dev.logstream.core.RecordView;
import dev.logstream.core.ValueVisitor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Optional reassembly of the lines Docker splits at 16 KiB: put it between the decoder and the
 * encoder and each long line reaches Kinesis as one record instead of several pieces. Off by
 * default; nothing in this library builds one unless asked to.
 *
 * <h2>What Docker sends</h2>
 *
 * Docker's {@code fluentd} log driver cuts a line longer than its 16 KiB buffer into pieces, one
 * event each, all with the first piece's time and these extra keys, every value a msgpack string:
 *
 * <pre>
 *  partial_message  "true"                    on every piece (since Docker 19.03 the last one too)
 *  partial_id       64 hex digits             shared by the pieces of one line
 *  partial_ordinal  "1", "2", ...             the piece's position
 *  partial_last     "false" ... "true"        "true" on the piece that ended in a newline
 * </pre>
 *
 * At the end of a stream a line may stop with no {@code partial_last="true"} piece at all.
 *
 * <h2>What the sink receives</h2>
 *
 * <table>
 *   <caption>Events out, for events in</caption>
 *   <tr><th>event in</th><th>event out</th></tr>
 *   <tr><td>no {@code partial_message="true"} (the common case)</td><td>the same tag, time and
 *       {@link RecordView} object, at once: no copy, no allocation</td></tr>
 *   <tr><td>pieces {@code 1..n} of a line, {@code n} marked last, in any order</td><td>one event
 *       when the last missing piece arrives: the fields of piece 1 in their order, with {@code log}
 *       = the pieces' {@code log} bytes concatenated in ordinal order and the four {@code
 *       partial_*} keys removed; time and tag of piece 1</td></tr>
 *   <tr><td>a group flushed before it was complete</td><td>one event as above with the pieces
 *       held so far (in ordinal order, possibly with gaps), but marked: {@code
 *       partial_message="true"}, {@code partial_id} = the group's id and {@link #PARTIAL_FLUSH
 *       partial_flush} = why, see below</td></tr>
 *   <tr><td>a piece that cannot be grouped: no string {@code partial_id} (Docker before 19.03),
 *       no string {@code log}, an ordinal that is not a positive decimal</td><td>the piece
 *       unchanged, at once; counted in {@link Stats#malformedPieces()}</td></tr>
 *   <tr><td>a piece whose ordinal its group already holds (a client resend)</td><td>nothing;
 *       counted in {@link Stats#duplicatePieces()}</td></tr>
 * </table>
 *
 * <p>A group is flushed early, with {@code partial_flush} set to:
 *
 * <ul>
 *   <li>{@code "size"} when the next piece would take its {@code log} past {@link
 *       Builder#maxAssembledBytes(int) maxAssembledBytes} (or the group holds {@link
 *       #MAX_PIECES_PER_GROUP} pieces). The piece itself, and every later piece of that group up to
 *       the one marked last, then go to the sink unchanged, with Docker's own {@code partial_*}
 *       keys, as they arrive;
 *   <li>{@code "timeout"} by {@link #flushExpired()} when no piece of the group arrived for {@link
 *       Builder#timeout(Duration) timeout} (the line stopped at end of stream, or its last piece
 *       was lost);
 *   <li>{@code "capacity"} when a new group needs room and {@link Builder#maxOpenGroups(int)
 *       maxOpenGroups} are open: the group that has waited longest for a piece goes;
 *   <li>{@code "flush_all"} by {@link #flushAll()}, at shutdown.
 * </ul>
 *
 * <p>So nothing is lost silently: every piece's {@code log} bytes end up in exactly one event the
 * sink receives, except duplicates, which are counted. Because markers keep {@code partial_message}
 * and {@code partial_id}, a consumer can still group what was flushed early. A piece arriving after
 * its group was flushed by timeout or capacity starts a new group, which cannot complete without
 * piece 1 and is itself flushed later. Duplicates are recognised only among the pieces a group
 * holds; once a group passes through, a resent piece passes through again.
 *
 * <h2>Acknowledgements and what a crash loses</h2>
 *
 * The forward server acknowledges a frame once its events are stored. A piece the assembler holds
 * is taken but not stored: <b>the server acknowledges it anyway, and held pieces live in memory
 * only</b>, so a crash loses the pieces of the groups open at that moment. Withholding the ack
 * until the line completes is not an option: Docker's driver with {@code fluentd-request-ack} sends
 * one event per message and waits for its ack before it sends the next, so piece 2 would never come
 * while piece 1 waits for it; the client would time out and resend piece 1 forever.
 *
 * <p>What is at risk is visible and bounded: {@link #bufferedBytes()} now, at most {@code
 * maxOpenGroups × maxAssembledBytes} ever, and in practice only the lines being written at the
 * instant of the crash, since Docker sends the pieces of a line back to back. {@link #flushAll()}
 * at a graceful shutdown (before the buffer closes) hands everything held to the sink. Whoever
 * needs every acknowledged byte to survive a crash leaves the assembler off (the default) and
 * reassembles downstream: the {@code partial_*} keys then reach Kinesis untouched.
 *
 * <h2>Threads, time and allocation</h2>
 *
 * Not thread-safe, and not reentrant from the sink: confine an assembler to the thread that decodes
 * a connection (Docker's driver opens one connection per container, so the pieces of a line arrive
 * on one connection unless it reconnects mid-line), and call {@link #flushExpired()} from that
 * thread periodically, say every second. Time comes from the injected {@link
 * Builder#ticker(LongSupplier) ticker}, never from the system clock directly.
 *
 * <p>A whole line costs one allocation-free walk of its record, comparing top-level key bytes with
 * {@code partial_message}. Pieces are copied (they must outlive the frame they came in) into
 * buffers of their group; the assembled record is a view over those buffers, valid during the
 * sink's call only.
 *
 * <p>If the sink throws, the exception propagates and the assembler is left as before the event it
 * was accepting, or with the group it was flushing still held, so the client's resend (the server
 * does not ack a frame it failed to store) completes the group again.
 *
 * <p>Build with {@link #builder()}:
 *
 * <pre>{@code
 * PartialMessageAssembler assembler =
 *     PartialMessageAssembler.builder().timeout(Duration.ofSeconds(5)).build(sink);
 * // in FrameListener.onFrame:  assembler.acceptAll(frame);
 * // every second:              assembler.flushExpired();
 * // at shutdown:               assembler.flushAll();
 * }</pre>
 */
public final class PartialMessageAssembler {
  /** Default for {@link Builder#maxAssembledBytes(int)}: 1 MiB, a Kinesis record's size limit. */
  public static final int DEFAULT_MAX_ASSEMBLED_BYTES = 1 << 20;

  /** The largest {@link Builder#maxAssembledBytes(int)}: 64 MiB. */
  public static final int MAX_ASSEMBLED_BYTES_LIMIT = 64 << 20;

  /** Default for {@link Builder#timeout(Duration)}: 5 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** The longest {@link Builder#timeout(Duration)}: 1 hour. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  /** Default for {@link Builder#maxOpenGroups(int)}: 1,024. */
  public static final int DEFAULT_MAX_OPEN_GROUPS = 1024;

  /** The largest {@link Builder#maxOpenGroups(int)}: 1,048,576. */
  public static final int MAX_OPEN_GROUPS_LIMIT = 1 << 20;

  /**
   * The most pieces a group holds before it is flushed by size, whatever their bytes: 4,096 (64 MiB
   * in Docker's 16 KiB pieces). Bounds the bookkeeping of groups of empty pieces.
   */
  public static final int MAX_PIECES_PER_GROUP = 4096;

  /**
   * The key marking an event flushed before its group was complete; its value is {@code "size"},
   * {@code "timeout"}, {@code "capacity"} or {@code "flush_all"}.
   */
  public static final String PARTIAL_FLUSH = "partial_flush";

  private static final byte[] PARTIAL_FLUSH_BYTES = PARTIAL_FLUSH.getBytes(StandardCharsets.UTF_8);

  /** Why a group was emitted before it was complete. */
  enum FlushReason {
    SIZE("size"),
    TIMEOUT("timeout"),
    CAPACITY("capacity"),
    FLUSH_ALL("flush_all");

    final byte[] value;

    FlushReason(String value) {
      this.value = value.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final int maxAssembledBytes;
  private final long timeoutNanos;
  private final int maxOpenGroups;
  private final LongSupplier ticker;
  private final AssembledEventSink sink;

  // Access order: a piece moves its group to the end, so the first group waited longest.
  private final LinkedHashMap<GroupKey, PartialGroup> groups = new LinkedHashMap<>(16, 0.75f, true);
  private final PartialPiece piece = new PartialPiece();
  private final AssembledRecord assembled = new AssembledRecord();
  private final GrowableBytes scratch = new GrowableBytes(0);

  private long piecesIn;
  private long groupsAssembled;
  private long groupsFlushedBySize;
  private long groupsFlushedByTimeout;
  private long groupsFlushedByCapacity;
  private long groupsFlushedByFlushAll;
  private long duplicatePieces;
  private long malformedPieces;
  private long piecesPassedThrough;
  private long bufferedBytes;

  private PartialMessageAssembler(Builder builder, AssembledEventSink sink) {
    this.maxAssembledBytes = builder.maxAssembledBytes;
    this.timeoutNanos = builder.timeout.toNanos();
    this.maxOpenGroups = builder.maxOpenGroups;
    this.ticker = builder.ticker;
    this.sink = sink;
  }

  /**
   * Returns a builder with the defaults: 1 MiB, 5 s, 1,024 groups, {@link System#nanoTime()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes one event: passes it on, holds it as a piece, or completes a group (see the class
   * Javadoc).
   *
   * @param tag the event's tag
   * @param seconds the event's seconds since the epoch
   * @param nanos the nanoseconds within the second
   * @param record the event's record; read during this call only
   * @throws RuntimeException whatever the sink throws; the event is then not taken
   */
  public void accept(String tag, long seconds, int nanos, RecordView record) {
    if (!piece.isPartial(record)) {
      sink.accept(tag, seconds, nanos, record);
      return;
    }
    if (!piece.read(record)) {
      sink.accept(tag, seconds, nanos, record);
      malformedPieces++;
      piecesPassedThrough++;
    } else {
      acceptPiece(tag, seconds, nanos, record);
    }
    piecesIn++;
  }

  /**
   * Takes every event of a decoded frame, in order, as {@link #accept} does.
   *
   * @param frame the frame, during its {@link FrameListener#onFrame} call
   * @throws RuntimeException whatever the sink throws; later events of the frame are not taken
   */
  public void acceptAll(ForwardFrame frame) {
    String tag = frame.tag();
    for (int i = 0; i < frame.size(); i++) {
      accept(tag, frame.seconds(i), frame.nanos(i), frame.record(i));
    }
  }

  private void acceptPiece(String tag, long seconds, int nanos, RecordView record) {
    long now = ticker.getAsLong();
    GroupKey key =
        new GroupKey(tag, piece.containerId, new String(piece.id, StandardCharsets.ISO_8859_1));
    PartialGroup group = groups.get(key);
    boolean created = group == null;
    if (created) {
      if (groups.size() >= maxOpenGroups) {
        evictOldest();
      }
      group = new PartialGroup(tag, piece.id, now);
    }
    group.touchedNanos = now;

    if (group.passingThrough) {
      passThrough(key, group, tag, seconds, nanos, record);
      return;
    }
    if (group.indexOf(piece.ordinal) >= 0) {
      duplicatePieces++;
      return;
    }
    long heldBefore = group.heldBytes();
    if (group.logBytes() + (long) piece.log.length() > maxAssembledBytes
        || group.count == MAX_PIECES_PER_GROUP) {
      if (group.count > 0) {
        emit(group, FlushReason.SIZE);
      }
      groupsFlushedBySize++;
      bufferedBytes -= heldBefore;
      group.passThrough();
      if (created) {
        groups.put(key, group);
      }
      passThrough(key, group, tag, seconds, nanos, record);
      return;
    }

    boolean wasInOrder = group.inOrder;
    int index = group.add(piece.ordinal, seconds, nanos, piece.log, maxAssembledBytes);
    if (index == 0) {
      swapFields(group);
    }
    int lastBefore = group.lastOrdinal;
    if (piece.last && lastBefore == 0) {
      group.lastOrdinal = piece.ordinal;
    }
    if (group.complete()) {
      try {
        emit(group, null);
      } catch (RuntimeException | Error e) {
        group.lastOrdinal = lastBefore;
        if (index == 0) {
          swapFields(group);
        }
        group.removeLatest(index, wasInOrder);
        throw e;
      }
      groupsAssembled++;
      bufferedBytes -= heldBefore;
      if (!created) {
        groups.remove(key);
      }
    } else {
      bufferedBytes += group.heldBytes() - heldBefore;
      if (created) {
        groups.put(key, group);
      }
    }
  }

  private void passThrough(
      GroupKey key, PartialGroup group, String tag, long seconds, int nanos, RecordView record) {
    sink.accept(tag, seconds, nanos, record);
    piecesPassedThrough++;
    if (piece.last) {
      groups.remove(key);
    }
  }

  /**
   * Exchanges the group's fields with the piece's: the lowest ordinal's fields are the template.
   */
  private void swapFields(PartialGroup group) {
    GrowableBytes fields = group.fields;
    group.fields = piece.fields;
    piece.fields = fields;
    int pairs = group.fieldPairs;
    group.fieldPairs = piece.fieldPairs;
    piece.fieldPairs = pairs;
    int logIndex = group.logIndex;
    group.logIndex = piece.logIndex;
    piece.logIndex = logIndex;
  }

  private void evictOldest() {
    Iterator<PartialGroup> oldest = groups.values().iterator();
    PartialGroup group = oldest.next();
    if (group.count > 0) {
      emit(group, FlushReason.CAPACITY);
      groupsFlushedByCapacity++;
    }
    bufferedBytes -= group.heldBytes();
    oldest.remove();
  }

  /**
   * Flushes every group no piece arrived for during the timeout, marked {@code
   * partial_flush="timeout"}. Call it periodically from the assembler's thread.
   *
   * @return the number of events handed to the sink
   * @throws RuntimeException whatever the sink throws; the group being flushed is kept
   */
  public int flushExpired() {
    long now = ticker.getAsLong();
    int flushed = 0;
    Iterator<PartialGroup> it = groups.values().iterator();
    while (it.hasNext()) {
      PartialGroup group = it.next();
      if (now - group.touchedNanos < timeoutNanos) {
        break; // groups are in the order their last piece arrived
      }
      if (group.count > 0) {
        emit(group, FlushReason.TIMEOUT);
        groupsFlushedByTimeout++;
        flushed++;
      }
      bufferedBytes -= group.heldBytes();
      it.remove();
    }
    return flushed;
  }

  /**
   * Flushes every open group, marked {@code partial_flush="flush_all"}: call it at shutdown, before
   * the sink's buffer closes, so nothing held is lost.
   *
   * @return the number of events handed to the sink
   * @throws RuntimeException whatever the sink throws; the group being flushed is kept
   */
  public int flushAll() {
    int flushed = 0;
    Iterator<PartialGroup> it = groups.values().iterator();
    while (it.hasNext()) {
      PartialGroup group = it.next();
      if (group.count > 0) {
        emit(group, FlushReason.FLUSH_ALL);
        groupsFlushedByFlushAll++;
        flushed++;
      }
      bufferedBytes -= group.heldBytes();
      it.remove();
    }
    return flushed;
  }

  private void emit(PartialGroup group, FlushReason reason) {
    GrowableBytes log = group.assembledLog(scratch);
    assembled.pointAt(group, log.array(), log.length(), reason);
    sink.accept(group.tag, group.seconds[0], group.nanos[0], assembled);
  }

  /**
   * The bytes held for open groups now: their pieces' {@code log} bytes and copied fields. This is
   * what a crash would lose.
   *
   * @return bytes
   */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /**
   * The groups open now, those passing their pieces through after a size flush included.
   *
   * @return groups
   */
  public int openGroups() {
    return groups.size();
  }

  /**
   * Returns the counters since the assembler was built.
   *
   * @return a snapshot
   */
  public Stats stats() {
    return new Stats(
        piecesIn,
        groupsAssembled,
        groupsFlushedBySize,
        groupsFlushedByTimeout,
        groupsFlushedByCapacity,
        groupsFlushedByFlushAll,
        duplicatePieces,
        malformedPieces,
        piecesPassedThrough,
        groups.size(),
        bufferedBytes);
  }

  @Override
  public String toString() {
    return "PartialMessageAssembler{maxAssembledBytes="
        + maxAssembledBytes
        + ", timeout="
        + Duration.ofNanos(timeoutNanos)
        + ", maxOpenGroups="
        + maxOpenGroups
        + ", "
        + stats()
        + '}';
  }

  /**
   * Counters of a {@link PartialMessageAssembler}, taken at one instant. Every piece taken is, at
   * any time, in exactly one place: held in an open group, in an event assembled or flushed, passed
   * through, or counted as a duplicate.
   *
   * @param piecesIn events with {@code partial_message="true"} taken
   * @param groupsAssembled complete lines emitted as one event
   * @param groupsFlushedBySize groups that outgrew {@code maxAssembledBytes} (or {@link
   *     #MAX_PIECES_PER_GROUP}) and switched to passing their pieces through
   * @param groupsFlushedByTimeout groups flushed incomplete by {@link #flushExpired()}
   * @param groupsFlushedByCapacity groups flushed incomplete to make room for a new one
   * @param groupsFlushedByFlushAll groups flushed incomplete by {@link #flushAll()}
   * @param duplicatePieces pieces ignored because their group already held their ordinal
   * @param malformedPieces pieces passed through because they could not be grouped
   * @param piecesPassedThrough pieces handed to the sink unchanged (malformed ones, and those of
   *     groups flushed by size)
   * @param openGroups groups open now
   * @param bufferedBytes bytes held now, see {@link #bufferedBytes()}
   */
  public record Stats(
      long piecesIn,
      long groupsAssembled,
      long groupsFlushedBySize,
      long groupsFlushedByTimeout,
      long groupsFlushedByCapacity,
      long groupsFlushedByFlushAll,
      long duplicatePieces,
      long malformedPieces,
      long piecesPassedThrough,
      int openGroups,
      long bufferedBytes) {}

  /** Identifies a group: Docker's {@code partial_id}, and the tag and container for safety. */
  private record GroupKey(String tag, String containerId, String partialId) {}

  /** The record of an emitted group: a view over the group's buffers. */
  private static final class AssembledRecord implements RecordView {
    private static final byte[] LOG = PartialPiece.LOG;

    private PartialGroup group;
    private byte[] log;
    private int logLength;
    private FlushReason reason;

    void pointAt(PartialGroup group, byte[] log, int logLength, FlushReason reason) {
      this.group = group;
      this.log = log;
      this.logLength = logLength;
      this.reason = reason;
    }

    @Override
    public void accept(ValueVisitor visitor) {
      int pairs = group.fieldPairs;
      visitor.startMap(pairs + 1 + (reason == null ? 0 : 3));
      byte[] fields = group.fields.array();
      int p = 0;
      for (int i = 0; i < pairs; i++) {
        if (i == group.logIndex) {
          writeLog(visitor);
        }
        p = MsgpackRecordView.replay(fields, p, visitor);
        p = MsgpackRecordView.replay(fields, p, visitor);
      }
      if (group.logIndex >= pairs) {
        writeLog(visitor);
      }
      if (reason != null) {
        string(visitor, PartialPiece.PARTIAL_MESSAGE);
        string(visitor, PartialPiece.TRUE);
        string(visitor, PartialPiece.PARTIAL_ID);
        string(visitor, group.id);
        string(visitor, PARTIAL_FLUSH_BYTES);
        string(visitor, reason.value);
      }
      visitor.endMap();
    }

    private void writeLog(ValueVisitor visitor) {
      string(visitor, LOG);
      visitor.stringValue(log, 0, logLength);
    }

    private static void string(ValueVisitor visitor, byte[] bytes) {
      visitor.stringValue(bytes, 0, bytes.length);
    }
  }

  /**
   * Sets the options of a {@link PartialMessageAssembler}; each option once, checked when set. The
   * options are independent, so {@link #build} has nothing more to check.
   */
  public static final class Builder {
    private int maxAssembledBytes = DEFAULT_MAX_ASSEMBLED_BYTES;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxOpenGroups = DEFAULT_MAX_OPEN_GROUPS;
    private LongSupplier ticker = System::nanoTime;
    private boolean maxAssembledBytesSet;
    private boolean timeoutSet;
    private boolean maxOpenGroupsSet;
    private boolean tickerSet;

    private Builder() {}

    /**
     * Sets the most {@code log} bytes one assembled event may carry; a group about to exceed it is
     * flushed marked {@code partial_flush="size"}. Default {@link #DEFAULT_MAX_ASSEMBLED_BYTES}.
     *
     * @param bytes from 1 to {@link #MAX_ASSEMBLED_BYTES_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxAssembledBytes(int bytes) {
      if (maxAssembledBytesSet) {
        throw new IllegalStateException(
            "maxAssembledBytes was already set to " + maxAssembledBytes);
      }
      if (bytes < 1 || bytes > MAX_ASSEMBLED_BYTES_LIMIT) {
        throw new IllegalArgumentException(
            "maxAssembledBytes must be in 1.." + MAX_ASSEMBLED_BYTES_LIMIT + ", got " + bytes);
      }
      maxAssembledBytes = bytes;
      maxAssembledBytesSet = true;
      return this;
    }

    /**
     * Sets how long a group may wait for its next piece before {@link #flushExpired()} flushes it
     * marked {@code partial_flush="timeout"}. Default {@link #DEFAULT_TIMEOUT}.
     *
     * @param timeout from 1 ms to {@link #MAX_TIMEOUT}
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeoutSet) {
        throw new IllegalStateException("timeout was already set to " + this.timeout);
      }
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "timeout must be in PT0.001S.." + MAX_TIMEOUT + ", got " + timeout);
      }
      this.timeout = timeout;
      timeoutSet = true;
      return this;
    }

    /**
     * Sets how many groups may be open at once; a new group beyond it flushes the one that waited
     * longest, marked {@code partial_flush="capacity"}. Default {@link #DEFAULT_MAX_OPEN_GROUPS}.
     *
     * @param groups from 1 to {@link #MAX_OPEN_GROUPS_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     */
    public Builder maxOpenGroups(int groups) {
      if (maxOpenGroupsSet) {
        throw new IllegalStateException("maxOpenGroups was already set to " + maxOpenGroups);
      }
      if (groups < 1 || groups > MAX_OPEN_GROUPS_LIMIT) {
        throw new IllegalArgumentException(
            "maxOpenGroups must be in 1.." + MAX_OPEN_GROUPS_LIMIT + ", got " + groups);
      }
      maxOpenGroups = groups;
      maxOpenGroupsSet = true;
      return this;
    }

    /**
     * Sets the time source: a monotonic nanosecond counter such as {@link System#nanoTime()} (the
     * default); tests pass a fake one.
     *
     * @param ticker returns nanoseconds; only differences matter
     * @return this builder
     * @throws NullPointerException if {@code ticker} is null
     * @throws IllegalStateException if already set
     */
    public Builder ticker(LongSupplier ticker) {
      Objects.requireNonNull(ticker, "ticker");
      if (tickerSet) {
        throw new IllegalStateException("ticker was already set");
      }
      this.ticker = ticker;
      tickerSet = true;
      return this;
    }

    /**
     * Returns an assembler handing its events to {@code sink}; the builder may be used again.
     *
     * @param sink receives every event that comes out
     * @return the assembler
     * @throws NullPointerException if {@code sink} is null
     */
    public PartialMessageAssembler build(AssembledEventSink sink) {
      Objects.requireNonNull(sink, "sink");
      return new PartialMessageAssembler(this, sink);
    }
  }
}
