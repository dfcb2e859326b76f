package dev.logstream.forward;

import static dev.logstream.forward.Frames.SECONDS;
import static dev.logstream.forward.Frames.packer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardDecoderLimitsTest {
  private final Decoded.Collector collector = new Decoded.Collector();

  private static ForwardDecoder decoder(ForwardLimits limits) {
    return ForwardDecoder.create(limits);
  }

  @Test
  void decode_stringDeclaringFourGigabytes_isRefusedFromItsHeader() {
    byte[] header = {(byte) 0x93, (byte) 0xA1, 't', (byte) 0xDB, -1, -1, -1, -1};
    ForwardDecoder decoder = ForwardDecoder.create();

    assertThatThrownBy(() -> decoder.decode(header, 0, header.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage(
            "frame declares 4294967295 bytes at offset 3, beyond the frame limit of 16777216"
                + " bytes");
  }

  @Test
  void decode_mapDeclaringFourBillionPairs_isRefusedFromItsHeader() {
    byte[] header = {(byte) 0x93, (byte) 0xA1, 't', 1, (byte) 0xDF, -1, -1, -1, -1};

    assertThatThrownBy(() -> ForwardDecoder.create().decode(header, 0, header.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage(
            "frame declares 8589934590 nested values at offset 4, beyond the frame limit of"
                + " 16777216 bytes");
  }

  @Test
  void decode_frameExactlyAtTheLimit_passesAndOneByteMoreFails() {
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .integer(SECONDS)
            .record(Map.of("log", "a line of some length"))
            .bytes();

    decoder(ForwardLimits.builder().maxFrameBytes(frame.length).build())
        .decode(frame, 0, frame.length, collector);
    assertThat(collector.frames).hasSize(1);

    ForwardDecoder tight = decoder(ForwardLimits.builder().maxFrameBytes(frame.length - 1).build());
    assertThatThrownBy(() -> tight.decode(frame, 0, frame.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessageContaining("beyond the frame limit of " + (frame.length - 1) + " bytes");
  }

  @Test
  void decode_nestingDeeperThanTheLimit_isRefused() {
    Frames.Packer p = packer().array(3).str("t").integer(1).map(1).str("deep");
    for (int i = 0; i < 40; i++) {
      p.array(1);
    }
    p.nil();
    byte[] frame = p.bytes();

    assertThatThrownBy(() -> ForwardDecoder.create().decode(frame, 0, frame.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessageStartingWith("frame nests deeper than maxNestingDepth 32 at offset ");
  }

  @Test
  void decode_tagLongerThanTheLimit_isRefused() {
    byte[] frame = packer().array(3).str("123456789").integer(1).map(0).bytes();
    ForwardDecoder decoder = decoder(ForwardLimits.builder().maxTagBytes(8).build());

    assertThatThrownBy(() -> decoder.decode(frame, 0, frame.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("tag of 9 bytes exceeds maxTagBytes 8");
  }

  @Test
  void decode_forwardWithMoreEntriesThanTheLimit_isRefused() {
    Frames.Packer p = packer().array(2).str("t").array(3);
    for (int i = 0; i < 3; i++) {
      p.array(2).integer(SECONDS).map(0);
    }
    byte[] frame = p.bytes();
    ForwardDecoder decoder = decoder(ForwardLimits.builder().maxEntriesPerFrame(2).build());

    assertThatThrownBy(() -> decoder.decode(frame, 0, frame.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("frame has more than maxEntriesPerFrame 2 entries (3 declared)");
  }

  @Test
  void decode_packedWithMoreEntriesThanTheLimit_isRefused() {
    byte[] frame = packer().array(2).str("t").bin(ForwardDecoderTest.packedEntries(3)).bytes();
    ForwardDecoder decoder = decoder(ForwardLimits.builder().maxEntriesPerFrame(2).build());

    assertThatThrownBy(() -> decoder.decode(frame, 0, frame.length, collector))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("frame has more than maxEntriesPerFrame 2 entries (3 so far)");
  }

  @Test
  void decode_largeFrameInManyPieces_isBufferedUntilComplete() {
    String line = "x".repeat(200_000);
    byte[] frame = packer().array(3).str("t").integer(SECONDS).record(Map.of("log", line)).bytes();
    ForwardDecoder decoder = ForwardDecoder.create();

    for (int from = 0; from < frame.length; from += 1000) {
      decoder.decode(frame, from, Math.min(1000, frame.length - from), collector);
      if (from + 1000 < frame.length) {
        assertThat(collector.frames).isEmpty();
        assertThat(decoder.bufferedBytes()).isEqualTo(from + 1000);
      }
    }

    assertThat(collector.frames).hasSize(1);
    assertThat(decoder.bytesIn()).isEqualTo(frame.length);
  }

  /* --------------- builder --------------- */

  @Test
  void builder_frameLimitBelowMinimum_isRejectedWithTheValue() {
    assertThatThrownBy(() -> ForwardLimits.builder().maxFrameBytes(15))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFrameBytes must be in 16..2147483583, got 15");
  }

  @Test
  void builder_optionSetTwice_isRejected() {
    ForwardLimits.Builder builder = ForwardLimits.builder().maxTagBytes(100);

    assertThatThrownBy(() -> builder.maxTagBytes(200))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxTagBytes was already set to 100");
  }

  @Test
  void builder_depthBelowThree_isRejected() {
    assertThatThrownBy(() -> ForwardLimits.builder().maxNestingDepth(2))
        .hasMessage("maxNestingDepth must be in 3..1000, got 2");
  }

  @Test
  void defaults_areDocumentedValues() {
    ForwardLimits limits = ForwardLimits.defaults();

    assertThat(limits.maxFrameBytes()).isEqualTo(16 << 20);
    assertThat(limits.maxDecompressedBytes()).isEqualTo(64 << 20);
    assertThat(limits.maxEntriesPerFrame()).isEqualTo(1 << 20);
    assertThat(limits.maxTagBytes()).isEqualTo(1024);
    assertThat(limits.maxNestingDepth()).isEqualTo(32);
  }
}
