package dev.logstream.forward;

import static dev.logstream.forward.Frames.SECONDS;
import static dev.logstream.forward.Frames.packer;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Netty's decoder rule: however the bytes are split, the decoder delivers the same frames. Checked
 * one byte at a time, at random split points, and through heap and direct buffers.
 */
class ForwardDecoderFragmentationProperties {
  private static final byte[] STREAM = mixedStream();

  @Test
  void decode_oneByteAtATime_deliversTheSameFramesAsWhole() {
    Decoded.Collector pieces = new Decoded.Collector();
    ForwardDecoder decoder = ForwardDecoder.create();
    for (int i = 0; i < STREAM.length; i++) {
      decoder.decode(STREAM, i, 1, pieces);
    }

    assertSameAsWhole(pieces);
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void decode_directBuffersOfSevenBytes_deliverTheSameFramesAsWhole() {
    Decoded.Collector pieces = new Decoded.Collector();
    ForwardDecoder decoder = ForwardDecoder.create();
    for (int from = 0; from < STREAM.length; from += 7) {
      int length = Math.min(7, STREAM.length - from);
      ByteBuffer direct = ByteBuffer.allocateDirect(length);
      direct.put(STREAM, from, length).flip();
      decoder.decode(direct, pieces);
      assertThat(direct.hasRemaining()).isFalse();
    }

    assertSameAsWhole(pieces);
  }

  @Property(tries = 300)
  void decode_randomSplits_deliverTheSameFramesAsWhole(@ForAll("splits") List<Integer> cuts) {
    Decoded.Collector pieces = new Decoded.Collector();
    ForwardDecoder decoder = ForwardDecoder.create();
    int from = 0;
    for (int cut : cuts) {
      int to = Math.min(STREAM.length, Math.max(from, cut));
      ByteBuffer heap = ByteBuffer.wrap(STREAM, from, to - from);
      decoder.decode(heap, pieces);
      from = to;
    }
    decoder.decode(STREAM, from, STREAM.length - from, pieces);

    assertSameAsWhole(pieces);
  }

  @Provide
  Arbitrary<List<Integer>> splits() {
    return Arbitraries.integers()
        .between(0, STREAM.length)
        .list()
        .ofMaxSize(40)
        .map(
            list -> {
              List<Integer> sorted = new ArrayList<>(list);
              sorted.sort(null);
              return sorted;
            });
  }

  private static void assertSameAsWhole(Decoded.Collector pieces) {
    Decoded.Collector whole = new Decoded.Collector();
    ForwardDecoder.create().decode(STREAM, 0, STREAM.length, whole);
    assertThat(whole.frames).hasSize(7);
    assertThat(pieces.frames).isEqualTo(whole.frames);
    assertThat(pieces.heartbeats).isEqualTo(whole.heartbeats).isEqualTo(1);
  }

  /** Every mode, a heartbeat, acks, v1.5 entries, a record with nested values. */
  private static byte[] mixedStream() {
    byte[] packed = ForwardDecoderTest.packedEntries(5);
    return Frames.concat(
        Frames.dockerMessage(0, null),
        Frames.dockerMessage(1, "Y2h1bmsx\n"),
        new byte[] {(byte) 0xC0},
        packer()
            .array(3)
            .str("fluency.tag")
            .strBytes(packed)
            .map(1)
            .str("chunk")
            .str("uuid-1")
            .bytes(),
        packer().array(2).str("t").bin(packed).bytes(),
        packer()
            .array(3)
            .str("t")
            .array(2)
            .array(2)
            .array(2)
            .eventTime(SECONDS, 3)
            .map(0)
            .record(Map.of("log", "v15"))
            .array(2)
            .integer(SECONDS)
            .map(1)
            .str("nested")
            .array(2)
            .integer(1)
            .map(1)
            .str("k")
            .nil()
            .nil()
            .bytes(),
        packer().array(4).str("t").eventTime(SECONDS, 1).record(Map.of("log", "x")).nil().bytes(),
        Frames.dockerMessage(2, null));
  }
}
