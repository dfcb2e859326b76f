package dev.logstream.agent;

import dev.logstream.buffer.AppendResult;
import dev.logstream.buffer.BufferException;
import dev.logstream.buffer.SegmentBuffer;
import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.RecordEncodingException;
import dev.logstream.core.RecordView;
import dev.logstream.core.tag.TagCodec;
import dev.logstream.forward.Admission;
import dev.logstream.forward.ConnectionInfo;
import dev.logstream.forward.ForwardFrame;
import dev.logstream.forward.FrameHandler;
import dev.logstream.forward.PartialMessageAssembler;
import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest path: encodes a frame's events into Kinesis records on the event-loop thread that
 * decoded it, appends them to the buffer as one batch without blocking, and answers the server with
 * the buffer's durability future (the ack waits for it) or with backpressure.
 *
 * <p>Each event-loop thread has its own encoder and scratch space, so a frame costs no allocation
 * per event once warm: the records are encoded back to back into one growable array and appended
 * through reused {@link ByteBuffer} views over it.
 */
final class IngestHandler implements FrameHandler {

  private static final Logger LOG = LoggerFactory.getLogger(IngestHandler.class);

  private final SegmentBuffer buffer;
  private final ThreadLocal<Scratch> scratch;
  private final PartialMessageAssembler assembler;
  private volatile TagCodec tags;

  private final LongAdder frames = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder recordsStored = new LongAdder();
  private final LongAdder bytesStored = new LongAdder();
  private final LongAdder framesBackpressured = new LongAdder();
  private final LongAdder framesFailed = new LongAdder();
  private final LongAdder foreignTagEvents = new LongAdder();
  private final LongAdder encodingErrors = new LongAdder();
  private final LongAdder heldEventsLost = new LongAdder();

  /** Reused by every flush, so a timer tick with nothing expired allocates nothing. */
  private final Scratch flushScratch = new Scratch(null);

  private final java.util.concurrent.Executor spill;

  /**
   * @param assembler reassembles partial lines, or {@code null}
   * @param spill runs the blocking appends of reassembled frames that found the buffer full
   */
  IngestHandler(
      SegmentBuffer buffer,
      Supplier<KinesisRecordEncoder> encoders,
      TagCodec tags,
      PartialMessageAssemblerFactory assembler,
      java.util.concurrent.Executor spill) {
    this.buffer = buffer;
    this.spill = spill;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(encoders.get()));
    this.tags = tags;
    this.assembler = assembler == null ? null : assembler.build(this::encodeAssembled);
  }

  /** Builds the assembler with the handler's callback; the pipeline supplies the settings. */
  interface PartialMessageAssemblerFactory {
    PartialMessageAssembler build(dev.logstream.forward.AssembledEventSink sink);
  }

  void tags(TagCodec codec) {
    this.tags = codec;
  }

  TagCodec tags() {
    return tags;
  }

  PartialMessageAssembler assembler() {
    return assembler;
  }

  @Override
  public Admission handle(ForwardFrame frame, ConnectionInfo connection) {
    frames.increment();
    int n = frame.size();
    events.add(n);
    if (n > 0 && !tags.classify(frame.tag()).isGrid()) {
      foreignTagEvents.add(n);
    }
    Scratch s = scratch.get();
    s.clear();
    if (assembler == null) {
      String tag = frame.tag();
      for (int i = 0; i < n; i++) {
        s.encode(tag, frame.seconds(i), frame.nanos(i), frame.record(i));
      }
    } else {
      synchronized (assembler) {
        CURRENT.set(s);
        try {
          assembler.acceptAll(frame);
        } finally {
          CURRENT.remove();
        }
      }
    }
    return store(s, assembler != null);
  }

  /**
   * Flushes the partial lines held longer than the assembler's timeout into the buffer. Called by
   * the pipeline's timer; the events were acknowledged when their pieces arrived, so this may wait
   * for room.
   */
  void flushExpiredPartials(boolean all) {
    Scratch s = flushScratch; // the timer's thread, then close() after the timer stopped
    s.clear();
    synchronized (assembler) {
      CURRENT.set(s);
      try {
        if (all) {
          assembler.flushAll();
        } else {
          assembler.flushExpired();
        }
      } finally {
        CURRENT.remove();
      }
    }
    if (s.count > 0) {
      try {
        buffer.appendAll(s.views());
        recordsStored.add(s.count);
        bytesStored.add(s.out.length());
      } catch (BufferException e) {
        heldEventsLost.add(s.count);
        LOG.error(
            "{} partial lines held after their ack could not be stored and are lost: {}",
            s.count,
            e.getMessage());
      }
    }
  }

  private static final ThreadLocal<Scratch> CURRENT = new ThreadLocal<>();

  private void encodeAssembled(String tag, long seconds, int nanos, RecordView record) {
    CURRENT.get().encode(tag, seconds, nanos, record);
  }

  /**
   * @param reassembled the assembler already took the frame's pieces, so the frame cannot be
   *     offered again: if the buffer is full, a copy of the records waits for room on the spill
   *     thread instead, and the ack waits with it (the server stops reading the connection once its
   *     pending frames reach the limit, so this is backpressure too)
   */
  private Admission store(Scratch s, boolean reassembled) {
    if (s.count == 0) {
      return Admission.accepted(CompletableFuture.completedFuture(null));
    }
    Views views = s.views();
    AppendResult result;
    try {
      result = buffer.tryAppendAll(views);
    } catch (BufferException e) {
      framesFailed.increment();
      LOG.warn("frame of {} records not stored, no ack: {}", s.count, e.getMessage());
      return Admission.accepted(CompletableFuture.failedFuture(e));
    }
    if (result == null) {
      framesBackpressured.increment();
      if (!reassembled) {
        return Admission.full(buffer.whenRoomFor(views));
      }
      return Admission.accepted(spill(s));
    }
    recordsStored.add(s.count);
    bytesStored.add(s.out.length());
    return Admission.accepted(result.durable());
  }

  private CompletableFuture<Long> spill(Scratch s) {
    byte[] copy = Arrays.copyOf(s.out.array(), s.out.length());
    int[] ends = Arrays.copyOf(s.ends, s.count);
    int count = s.count;
    return CompletableFuture.supplyAsync(
            () -> {
              Views views = new Views();
              views.wrap(copy, ends, count);
              AppendResult result = buffer.appendAll(views);
              recordsStored.add(count);
              bytesStored.add(copy.length);
              return result;
            },
            spill)
        .thenCompose(AppendResult::durable);
  }

  IngestMetrics metrics() {
    return new IngestMetrics(
        frames.sum(),
        events.sum(),
        recordsStored.sum(),
        bytesStored.sum(),
        framesBackpressured.sum(),
        framesFailed.sum(),
        foreignTagEvents.sum(),
        encodingErrors.sum(),
        heldEventsLost.sum());
  }

  /** One thread's encoder and the records of the frame being stored. */
  private final class Scratch {
    final KinesisRecordEncoder encoder;
    final GrowableBytes out = new GrowableBytes(64 << 10);
    int[] ends = new int[256];
    int count;
    final Views views = new Views();

    Scratch(KinesisRecordEncoder encoder) {
      this.encoder = encoder;
    }

    void clear() {
      out.clear();
      count = 0;
    }

    void encode(String tag, long seconds, int nanos, RecordView record) {
      KinesisRecordEncoder e = encoder != null ? encoder : scratch.get().encoder;
      try {
        e.encode(tag, seconds, nanos, record, out);
      } catch (RecordEncodingException | IllegalArgumentException bad) {
        encodingErrors.increment();
        LOG.warn(
            "event of tag '{}' left out, its record cannot be encoded: {}", tag, bad.getMessage());
        return;
      }
      if (count == ends.length) {
        ends = Arrays.copyOf(ends, count * 2);
      }
      ends[count++] = out.length();
    }

    Views views() {
      views.wrap(out.array(), ends, count);
      return views;
    }
  }

  /** The records of a scratch as a list of reused buffer views, allocation-free once warm. */
  private static final class Views extends AbstractList<ByteBuffer> {
    private ByteBuffer[] views = new ByteBuffer[0];
    private byte[] array;
    private int size;

    void wrap(byte[] bytes, int[] ends, int count) {
      if (bytes != array || views.length < count) {
        array = bytes;
        int length = Math.max(count, views.length);
        views = new ByteBuffer[length];
        for (int i = 0; i < length; i++) {
          views[i] = ByteBuffer.wrap(bytes);
        }
      }
      int start = 0;
      for (int i = 0; i < count; i++) {
        ByteBuffer v = views[i];
        v.clear();
        v.limit(ends[i]).position(start);
        start = ends[i];
      }
      size = count;
    }

    @Override
    public ByteBuffer get(int index) {
      return views[index];
    }

    @Override
    public int size() {
      return size;
    }
  }
}
