package dev.logstream.forward;

import static dev.logstream.forward.Frames.SECONDS;
import static dev.logstream.forward.Frames.TAG;
import static dev.logstream.forward.Frames.packer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardDecoderTest {
  private static final String DOCKER_JSON_0 =
      "{\"container_id\":\"1d26ace2fa27c63bc77c6de4bdf611046a7b350a7b7c2e33eafac6b3cda5fe76\","
          + "\"container_name\":\"/redis-test\",\"source\":\"stdout\",\"log\":\"line 0 žluťoučký\","
          + "\"time\":\"2015-12-04T13:39:27.000000000Z\",\"tag\":\""
          + TAG
          + "\"}";

  private final Decoded.Collector collector = new Decoded.Collector();

  private List<Decoded> decode(byte[] stream) {
    ForwardDecoder decoder = ForwardDecoder.create();
    decoder.decode(stream, 0, stream.length, collector);
    assertThat(decoder.bufferedBytes()).isZero();
    return collector.frames;
  }

  private Decoded decodeOne(byte[] frame) {
    List<Decoded> frames = decode(frame);
    assertThat(frames).hasSize(1);
    return frames.get(0);
  }

  /* --------------- Message mode --------------- */

  @Test
  void decode_dockerMessage_givesOneEventWhoseRecordEncodesToTheSeedShape() {
    Decoded frame = decodeOne(Frames.dockerMessage(0, null));

    assertThat(frame.tag()).isEqualTo(TAG);
    assertThat(frame.mode()).isEqualTo(ForwardMode.MESSAGE);
    assertThat(frame.events()).containsExactly(DOCKER_JSON_0);
    assertThat(frame.ackHex()).isNull();
  }

  @Test
  void decode_messageWithChunk_echoesTheChunkBytesInTheAck() {
    Decoded frame = decodeOne(Frames.dockerMessage(0, "VESFkVa4eEpn+/hwFcOpLw==\n"));

    String chunkHex = HexFormat.of().formatHex(Frames.utf8("VESFkVa4eEpn+/hwFcOpLw==\n"));
    assertThat(frame.ackHex()).isEqualTo("81a361636b" + "b9" + chunkHex);
  }

  @Test
  void decode_binaryChunk_isEchoedAsBinary() {
    byte[] message =
        packer()
            .array(4)
            .str("t")
            .integer(SECONDS)
            .record(Map.of("log", "x"))
            .map(1)
            .str("chunk")
            .bin(new byte[] {1, 2, 3})
            .bytes();

    assertThat(decodeOne(message).ackHex()).isEqualTo("81a361636b" + "c403010203");
  }

  @Test
  void decode_messageWithoutOption_isAccepted() {
    byte[] message = packer().array(3).str("t").integer(SECONDS).record(Map.of("log", "x")).bytes();

    Decoded frame = decodeOne(message);

    assertThat(frame.events()).hasSize(1);
    assertThat(frame.ackHex()).isNull();
  }

  @Test
  void decode_nilOptionFromOldDocker_isAccepted() {
    byte[] message =
        packer().array(4).str("t").integer(SECONDS).record(Map.of("log", "x")).nil().bytes();

    assertThat(decodeOne(message).events()).hasSize(1);
  }

  @Test
  void decode_nonMinimalMap32Option_likeFluentBit_isAccepted() {
    byte[] message =
        packer()
            .array(4)
            .str("t")
            .integer(SECONDS)
            .record(Map.of("log", "x"))
            .raw(0xDF, 0, 0, 0, 1)
            .str("chunk")
            .str("abc")
            .bytes();

    assertThat(decodeOne(message).ackHex()).isEqualTo("81a361636ba3616263");
  }

  @Test
  void decode_eventTimeFixext8AndExt8_keepNanoseconds() {
    byte[] fixext = packer().array(3).str("t").eventTime(SECONDS, 5).record(Map.of()).bytes();
    byte[] ext8 =
        packer()
            .array(3)
            .str("t")
            .raw(0xC7, 8, 0, 0x56, 0x61, 0x97, 0x8F, 0, 0, 0, 7)
            .record(Map.of())
            .bytes();

    assertThat(decodeOne(fixext).events().get(0)).contains("2015-12-04T13:39:27.000000005Z");
    collector.frames.clear();
    assertThat(decodeOne(ext8).events().get(0)).contains("2015-12-04T13:39:27.000000007Z");
  }

  @Test
  void decode_everyIntegerWidthForTime_readsTheSameSecond() {
    int[][] encodings = {
      {0xCE, 0x56, 0x61, 0x97, 0x8F},
      {0xCF, 0, 0, 0, 0, 0x56, 0x61, 0x97, 0x8F},
      {0xD2, 0x56, 0x61, 0x97, 0x8F},
      {0xD3, 0, 0, 0, 0, 0x56, 0x61, 0x97, 0x8F}
    };
    for (int[] time : encodings) {
      collector.frames.clear();
      byte[] message = packer().array(3).str("t").raw(time).record(Map.of()).bytes();
      assertThat(decodeOne(message).events().get(0)).contains("2015-12-04T13:39:27.000000000Z");
    }
  }

  @Test
  void decode_unsignedSecondsAbove2038_areReadUnsigned() {
    byte[] message = packer().array(3).str("t").eventTime(0xFFFF_FFFFL, 0).record(Map.of()).bytes();

    assertThat(decodeOne(message).events().get(0)).contains("2106-02-07T06:28:15.000000000Z");
  }

  @Test
  void decode_floatTime_isAcceptedLikeFluentBit() {
    byte[] message =
        packer()
            .array(3)
            .str("t")
            .raw(0xCB)
            .raw(doubleBits(1449236367.25))
            .record(Map.of())
            .bytes();

    assertThat(decodeOne(message).events().get(0)).contains("2015-12-04T13:39:27.250000000Z");
  }

  /* --------------- Forward and PackedForward --------------- */

  @Test
  void decode_forwardMode_givesEachEntry() {
    Frames.Packer p = packer().array(3).str("t").array(3);
    for (int i = 0; i < 3; i++) {
      p.array(2).integer(SECONDS + i).record(Map.of("log", "e" + i));
    }
    p.map(1).str("chunk").str("c");

    Decoded frame = decodeOne(p.bytes());

    assertThat(frame.mode()).isEqualTo(ForwardMode.FORWARD);
    assertThat(frame.events())
        .hasSize(3)
        .allSatisfy(json -> assertThat(json).startsWith("{\"log\":\"e"));
    assertThat(frame.events().get(2)).contains("2015-12-04T13:39:29.000000000Z");
    assertThat(frame.ackHex()).isEqualTo("81a361636ba163");
  }

  @Test
  void decode_v15EntriesWithMetadata_useTheTimeInsideThePair() {
    byte[] frame =
        packer()
            .array(2)
            .str("t")
            .array(1)
            .array(2)
            .array(2)
            .eventTime(SECONDS, 9)
            .map(0)
            .record(Map.of("log", "fb"))
            .bytes();

    assertThat(decodeOne(frame).events().get(0))
        .isEqualTo("{\"log\":\"fb\",\"time\":\"2015-12-04T13:39:27.000000009Z\",\"tag\":\"t\"}");
  }

  @Test
  void decode_packedForwardAsBinAndAsStr_giveTheSameEvents() {
    byte[] entries = packedEntries(4);
    byte[] asBin = packer().array(3).str("t").bin(entries).map(0).bytes();
    byte[] asStr =
        packer().array(3).str("t").strBytes(entries).map(1).str("size").integer(4).bytes();

    Decoded bin = decodeOne(asBin);
    collector.frames.clear();
    Decoded str = decodeOne(asStr);

    assertThat(bin.mode()).isEqualTo(ForwardMode.PACKED_FORWARD);
    assertThat(bin.events()).hasSize(4).isEqualTo(str.events());
  }

  @Test
  void decode_packedForwardWithTextCompression_isPlain() {
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .bin(packedEntries(2))
            .map(1)
            .str("compressed")
            .str("text")
            .bytes();

    assertThat(decodeOne(frame).events()).hasSize(2);
  }

  @Test
  void decode_packedEntriesCutInTheMiddle_keepsTheWholeOnesAndCountsTheRest() {
    byte[] entries = packedEntries(3);
    byte[] cut = java.util.Arrays.copyOf(entries, entries.length - 2);

    Decoded frame = decodeOne(packer().array(2).str("t").bin(cut).bytes());

    assertThat(frame.events()).hasSize(2);
    assertThat(frame.dropped()).containsExactly(Map.entry(DropReason.MALFORMED_ENTRIES, 1));
  }

  /* --------------- invalid events are dropped, the frame is still acked --------------- */

  @Test
  void decode_invalidEvents_areDroppedAndCountedAndTheFrameIsStillAcked() {
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .array(6)
            .array(2)
            .integer(SECONDS)
            .record(Map.of("log", "ok"))
            .array(2)
            .integer(-1)
            .record(Map.of())
            .array(2)
            .integer(1L << 32)
            .record(Map.of())
            .array(2)
            .eventTime(SECONDS, 1_000_000_000)
            .record(Map.of())
            .array(2)
            .integer(SECONDS)
            .str("not a map")
            .array(3)
            .integer(SECONDS)
            .record(Map.of())
            .nil()
            .map(1)
            .str("chunk")
            .str("k")
            .bytes();

    Decoded decoded = decodeOne(frame);

    assertThat(decoded.events()).hasSize(1);
    assertThat(decoded.dropped())
        .containsExactly(
            Map.entry(DropReason.RECORD_NOT_MAP, 1),
            Map.entry(DropReason.INVALID_TIME, 3),
            Map.entry(DropReason.INVALID_ENTRY, 1));
    assertThat(decoded.ackHex()).isEqualTo("81a361636ba16b");
  }

  @Test
  void decode_messageWithNilTime_dropsTheEvent() {
    Decoded frame = decodeOne(packer().array(3).str("t").nil().record(Map.of()).bytes());

    assertThat(frame.events()).isEmpty();
    assertThat(frame.dropped()).containsExactly(Map.entry(DropReason.INVALID_TIME, 1));
  }

  @Test
  void decode_metricsSignal_isAckedWithoutEvents() {
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .bin(new byte[] {(byte) 0x90})
            .map(2)
            .str("fluent_signal")
            .integer(1)
            .str("chunk")
            .str("m")
            .bytes();

    Decoded decoded = decodeOne(frame);

    assertThat(decoded.signal()).isEqualTo(1);
    assertThat(decoded.events()).isEmpty();
    assertThat(decoded.ackHex()).isEqualTo("81a361636ba16d");
  }

  @Test
  void decode_nilHeartbeat_isReportedAndIgnored() {
    byte[] stream = Frames.concat(new byte[] {(byte) 0xC0}, Frames.dockerMessage(1, null));

    assertThat(decode(stream)).hasSize(1);
    assertThat(collector.heartbeats).isEqualTo(1);
  }

  /* --------------- malformed streams close the connection --------------- */

  @Test
  void decode_neverUsedByte_isASyntaxError() {
    assertThatThrownBy(() -> decode(new byte[] {(byte) 0x92, (byte) 0xC1}))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("msgpack syntax error: byte 0xc1 at offset 1 of the frame");
  }

  @Test
  void decode_jsonInsteadOfMsgpack_isRejectedAsNotAnArray() {
    assertThatThrownBy(() -> decode(Frames.utf8("{\"log\":1}")))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("frame must be an array, got int (0x7b)");
  }

  @Test
  void decode_arrayOfOne_isRejected() {
    assertThatThrownBy(() -> decode(packer().array(1).str("t").bytes()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("frame must be an array of 2 to 4 elements, got 1");
  }

  @Test
  void decode_numericTag_isRejected() {
    assertThatThrownBy(() -> decode(packer().array(3).integer(1).integer(1).map(0).bytes()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("tag must be a str, got int");
  }

  @Test
  void decode_optionThatIsAString_isRejected() {
    byte[] frame = packer().array(4).str("t").integer(1).map(0).str("chunk").bytes();

    assertThatThrownBy(() -> decode(frame))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("option must be a map or nil, got str");
  }

  @Test
  void decode_integerChunk_isRejected() {
    byte[] frame =
        packer().array(4).str("t").integer(1).map(0).map(1).str("chunk").integer(5).bytes();

    assertThatThrownBy(() -> decode(frame))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("option 'chunk' must be a str, got int");
  }

  @Test
  void decode_messageWithTwoElements_isRejected() {
    assertThatThrownBy(() -> decode(packer().array(2).str("t").integer(1).bytes()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("Message frame must be [tag, time, record, option?], got 2 elements");
  }

  /* --------------- deferring a frame (backpressure) --------------- */

  @Test
  void deferCurrentFrame_keepsTheFrameAndItsSuccessorsUntilResume() {
    ForwardDecoder decoder = ForwardDecoder.create();
    boolean[] refuse = {true};
    FrameListener listener =
        frame -> {
          if (refuse[0]) {
            decoder.deferCurrentFrame();
          } else {
            collector.onFrame(frame);
          }
        };
    byte[] stream = Frames.concat(Frames.dockerMessage(0, "a"), Frames.dockerMessage(1, "b"));

    decoder.decode(stream, 0, stream.length, listener);
    assertThat(decoder.isPaused()).isTrue();
    assertThat(decoder.bufferedBytes()).isEqualTo(stream.length);
    byte[] more = Frames.dockerMessage(2, "c");
    decoder.decode(more, 0, more.length, listener);
    assertThat(collector.frames).isEmpty();

    refuse[0] = false;
    decoder.resume(listener);

    assertThat(collector.frames)
        .extracting(Decoded::ackHex)
        .containsExactly("81a361636ba161", "81a361636ba162", "81a361636ba163");
    assertThat(decoder.isPaused()).isFalse();
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void deferCurrentFrame_outsideOnFrame_isRejected() {
    assertThatThrownBy(() -> ForwardDecoder.create().deferCurrentFrame())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("deferCurrentFrame() may only be called from onFrame");
  }

  /* --------------- helpers --------------- */

  static byte[] packedEntries(int count) {
    Frames.Packer p = packer();
    for (int i = 0; i < count; i++) {
      p.array(2).eventTime(SECONDS, i).record(Frames.dockerRecord(i));
    }
    return p.bytes();
  }

  private static byte[] doubleBits(double value) {
    return ByteBuffer.allocate(8).putDouble(value).array();
  }
}
