package dev.logstream.forward;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.logstream.core.GrowableBytes;
import dev.logstream.core.KinesisRecordEncoder;
import dev.logstream.core.TimePrecision;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** What a decoder delivered, copied out of the reused frame so tests can compare it. */
record Decoded(
    String tag,
    ForwardMode mode,
    List<String> events,
    Map<DropReason, Integer> dropped,
    String ackHex,
    long signal) {

  /** Collects frames and heartbeats; renders each record as Kinesis JSON with nanosecond time. */
  static final class Collector implements FrameListener {
    final List<Decoded> frames = new ArrayList<>();
    int heartbeats;
    private final KinesisRecordEncoder encoder =
        KinesisRecordEncoder.builder().timePrecision(TimePrecision.NANOS).build();

    @Override
    public void onFrame(ForwardFrame frame) {
      List<String> events = new ArrayList<>();
      for (int i = 0; i < frame.size(); i++) {
        GrowableBytes out = new GrowableBytes();
        encoder.encode(frame.tag(), frame.time(i), frame.record(i), out);
        events.add(new String(out.toByteArray(), UTF_8));
      }
      Map<DropReason, Integer> dropped = new EnumMap<>(DropReason.class);
      for (DropReason reason : DropReason.values()) {
        if (frame.dropped(reason) > 0) {
          dropped.put(reason, frame.dropped(reason));
        }
      }
      String ack = frame.wantsAck() ? HexFormat.of().formatHex(frame.ackBytes()) : null;
      frames.add(new Decoded(frame.tag(), frame.mode(), events, dropped, ack, frame.signal()));
    }

    @Override
    public void onHeartbeat() {
      heartbeats++;
    }
  }
}
