package dev.logstream.forward;

import static dev.logstream.forward.Frames.packer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CompressedPackedForward through the decoder: both codecs, multi-member, bombs, bad options. */
class CompressedForwardTest {
  private final Decoded.Collector collector = new Decoded.Collector();

  private List<Decoded> decode(byte[] frame, ForwardLimits limits) {
    ForwardDecoder.create(limits).decode(frame, 0, frame.length, collector);
    return collector.frames;
  }

  private static byte[] frame(byte[] payload, String compressed) {
    return packer()
        .array(3)
        .str("t")
        .bin(payload)
        .map(2)
        .str("compressed")
        .str(compressed)
        .str("chunk")
        .str("c")
        .bytes();
  }

  private static List<String> plainEvents(byte[] entries) {
    Decoded.Collector plain = new Decoded.Collector();
    byte[] frame = packer().array(2).str("t").bin(entries).bytes();
    ForwardDecoder.create().decode(frame, 0, frame.length, plain);
    return plain.frames.get(0).events();
  }

  @Test
  void decode_multiMemberGzip_givesEveryEntryOfEveryMember() {
    byte[] entries = ForwardDecoderTest.packedEntries(6);
    int half = entryBoundary(entries, 3);
    byte[] payload =
        CompressedData.concat(
            CompressedData.gzip(Arrays.copyOfRange(entries, 0, half)),
            CompressedData.gzip(Arrays.copyOfRange(entries, half, entries.length)));

    Decoded decoded = decode(frame(payload, "gzip"), ForwardLimits.defaults()).get(0);

    assertThat(decoded.mode()).isEqualTo(ForwardMode.COMPRESSED_PACKED_FORWARD);
    assertThat(decoded.events()).isEqualTo(plainEvents(entries)).hasSize(6);
    assertThat(decoded.ackHex()).isEqualTo("81a361636ba163");
  }

  @Test
  void decode_gzipSentAsStrLikeFluentd_isAccepted() {
    byte[] entries = ForwardDecoderTest.packedEntries(2);
    byte[] frame =
        packer()
            .array(3)
            .str("t")
            .strBytes(CompressedData.gzip(entries))
            .map(1)
            .str("compressed")
            .str("gzip")
            .bytes();

    assertThat(decode(frame, ForwardLimits.defaults()).get(0).events()).hasSize(2);
  }

  @Test
  void decode_zstd_givesEveryEntry() {
    byte[] entries = ForwardDecoderTest.packedEntries(5);

    Decoded decoded =
        decode(frame(CompressedData.zstd(entries), "zstd"), ForwardLimits.defaults()).get(0);

    assertThat(decoded.events()).isEqualTo(plainEvents(entries));
  }

  @Test
  void frame_reportsTheDecompressedSize() {
    byte[] entries = ForwardDecoderTest.packedEntries(3);
    byte[] frame = frame(CompressedData.gzip(entries), "gzip");
    int[] size = {-1};

    ForwardDecoder.create().decode(frame, 0, frame.length, f -> size[0] = f.decompressedBytes());

    assertThat(size[0]).isEqualTo(entries.length);
  }

  @Test
  void decode_gzipBomb_isStoppedAtTheDecompressionLimit() {
    byte[] bomb = CompressedData.gzipZeros(64L << 20);
    ForwardLimits limits = ForwardLimits.builder().maxDecompressedBytes(1 << 20).build();

    assertThatThrownBy(() -> decode(frame(bomb, "gzip"), limits))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 1048576 (gzip)");
  }

  @Test
  void decode_unknownCompression_isRejectedWithTheKnownValues() {
    byte[] frame = frame(ForwardDecoderTest.packedEntries(1), "lz4");

    assertThatThrownBy(() -> decode(frame, ForwardLimits.defaults()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageStartingWith("unknown compression 'lz4'");
  }

  @Test
  void decode_gzipDataWithoutTheOption_isRejectedNamingTheMagic() {
    byte[] frame =
        packer().array(2).str("t").bin(CompressedData.gzip(new byte[] {(byte) 0x90})).bytes();

    assertThatThrownBy(() -> decode(frame, ForwardLimits.defaults()))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("gzip magic");
  }

  @Test
  void decode_corruptGzip_closesTheConnection() {
    byte[] gzip = CompressedData.gzip(ForwardDecoderTest.packedEntries(2));
    gzip[gzip.length - 6] ^= 0x55; // inside the CRC-32 trailer

    assertThatThrownBy(() -> decode(frame(gzip, "gzip"), ForwardLimits.defaults()))
        .isInstanceOf(MalformedFrameException.class);
  }

  /** The byte offset where entry {@code n} starts. */
  private static int entryBoundary(byte[] entries, int n) {
    MsgpackScanner scanner = new MsgpackScanner(32);
    int p = 0;
    for (int i = 0; i < n; i++) {
      scanner.begin(p, entries.length - p, "entry");
      p = scanner.scan(entries, entries.length);
    }
    return p;
  }
}
