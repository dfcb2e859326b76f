package dev.logstream.forward;

import static dev.logstream.forward.CompressedData.concat;
import static dev.logstream.forward.CompressedData.gzip;
import static dev.logstream.forward.CompressedData.gzipWithAllHeaderFields;
import static dev.logstream.forward.CompressedData.gzipZeros;
import static dev.logstream.forward.CompressedData.le32;
import static dev.logstream.forward.CompressedData.le64;
import static dev.logstream.forward.CompressedData.zstd;
import static dev.logstream.forward.CompressedData.zstdRawFrameWithoutContentSize;
import static dev.logstream.forward.CompressedData.zstdRleBomb;
import static dev.logstream.forward.CompressedData.zstdSkippableFrame;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logstream.core.GrowableBytes;
import dev.logstream.forward.Decompression.Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class DecompressionTest {
  private static final byte[] TEXT = "hello forward ".repeat(1000).getBytes(US_ASCII);
  private static final long MIB = 1 << 20;

  private static byte[] decompress(Codec codec, byte[] input, long maxOutputBytes) {
    GrowableBytes output = new GrowableBytes();
    Decompression.decompress(codec, input, 0, input.length, output, maxOutputBytes);
    return output.toByteArray();
  }

  // ---- option and magic

  @Test
  void forOption_knownValues_mapToCodecOrNone() {
    assertThat(Codec.forOption("gzip")).isEqualTo(Codec.GZIP);
    assertThat(Codec.forOption("zstd")).isEqualTo(Codec.ZSTD);
    assertThat(Codec.forOption("text")).isNull();
    assertThat(Codec.forOption(null)).isNull();
  }

  @Test
  void forOption_unknownValue_throwsNamingItAndTheKnownOnes() {
    assertThatThrownBy(() -> Codec.forOption("lz4"))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("unknown compression 'lz4' in option 'compressed' (known: gzip, zstd, text)");
  }

  @Test
  void sniff_magicBytes_nameTheCodec() {
    byte[] gzip = gzip(TEXT);
    byte[] zstd = zstd(TEXT);
    byte[] msgpackEntry = {(byte) 0x92, (byte) 0xce, 0, 0, 0, 1, (byte) 0x80};

    assertThat(Decompression.sniff(gzip, 0, gzip.length)).isEqualTo(Codec.GZIP);
    assertThat(Decompression.sniff(zstd, 0, zstd.length)).isEqualTo(Codec.ZSTD);
    assertThat(Decompression.sniff(msgpackEntry, 0, msgpackEntry.length)).isNull();
    assertThat(Decompression.sniff(zstd, 0, 3)).isNull();
    assertThat(Decompression.sniff(new byte[0], 0, 0)).isNull();
  }

  @Test
  void decompress_gzipDeclaredButZstdMagic_throwsNamingBoth() {
    assertThatThrownBy(() -> decompress(Codec.GZIP, zstd(TEXT), MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "option 'compressed' is 'gzip' but the data starts with the zstd magic 28 b5 2f fd");
  }

  @Test
  void decompress_zstdDeclaredButGzipMagic_throwsNamingBoth() {
    assertThatThrownBy(() -> decompress(Codec.ZSTD, gzip(TEXT), MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("option 'compressed' is 'zstd' but the data starts with the gzip magic 1f 8b");
  }

  @Test
  void requireMagicAgrees_uncompressedButGzipMagic_throwsNamingBoth() {
    byte[] gzip = gzip(TEXT);

    assertThatThrownBy(() -> Decompression.requireMagicAgrees(null, gzip, 0, gzip.length))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "option 'compressed' is text or absent but the data starts with the gzip magic 1f 8b");
  }

  @Test
  void requireMagicAgrees_uncompressedMsgpackEntries_passes() {
    byte[] entries = {(byte) 0x92, 1, (byte) 0x80, (byte) 0x92, 2, (byte) 0x80};

    assertThatCode(() -> Decompression.requireMagicAgrees(null, entries, 0, entries.length))
        .doesNotThrowAnyException();
  }

  // ---- gzip

  @Test
  void decompress_gzip_returnsTheData() {
    assertThat(decompress(Codec.GZIP, gzip(TEXT), MIB)).isEqualTo(TEXT);
  }

  @Test
  void decompress_gzipSlice_readsOnlyTheSlice() {
    byte[] gzip = gzip(TEXT);
    byte[] padded = concat(new byte[] {9, 9, 9}, gzip, new byte[] {7});
    GrowableBytes output = new GrowableBytes();
    output.write(new byte[] {'x', 'y'}, 0, 2);

    Decompression.decompress(Codec.GZIP, padded, 3, gzip.length, output, TEXT.length);

    assertThat(output.toByteArray()).isEqualTo(concat(new byte[] {'x', 'y'}, TEXT));
  }

  @Test
  void decompress_gzipMultiMember_returnsEveryMember() {
    byte[] first = "first member;".getBytes(US_ASCII);
    byte[] empty = new byte[0];
    byte[] input = concat(gzip(first), gzip(empty), gzip(TEXT), gzipWithAllHeaderFields(first));

    assertThat(decompress(Codec.GZIP, input, MIB)).isEqualTo(concat(first, TEXT, first));
  }

  @Test
  void decompress_gzipWithExtraNameCommentAndHeaderCrc_returnsTheData() {
    assertThat(decompress(Codec.GZIP, gzipWithAllHeaderFields(TEXT), MIB)).isEqualTo(TEXT);
  }

  @Test
  void decompress_gzipBadHeaderCrc_throwsWithBothValues() {
    byte[] input = gzipWithAllHeaderFields(TEXT);
    int headerCrcAt = 10 + 7 + 6 + 3;
    int stored = (input[headerCrcAt] & 0xFF) | (input[headerCrcAt + 1] & 0xFF) << 8;
    input[headerCrcAt] ^= 1;

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "gzip member 1 header CRC16 mismatch: header says 0x"
                + Integer.toHexString(stored ^ 1)
                + ", header bytes give 0x"
                + Integer.toHexString(stored));
  }

  @Test
  void decompress_gzipEmptyInput_throws() {
    assertThatThrownBy(() -> decompress(Codec.GZIP, new byte[0], MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("empty gzip data: expected at least one member");
  }

  @Test
  void decompress_gzipNotGzip_throwsWithTheFirstBytes() {
    assertThatThrownBy(() -> decompress(Codec.GZIP, new byte[] {(byte) 0x92, 1, 2, 3, 4}, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("not gzip data: starts with 92 01 02 03");
  }

  @Test
  void decompress_gzipTruncatedInDeflateData_throws() {
    byte[] gzip = gzip(TEXT);
    byte[] input = Arrays.copyOf(gzip, gzip.length / 2);

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated gzip data: member 1 ends inside its deflate stream");
  }

  @Test
  void decompress_gzipTruncatedInTrailer_throws() {
    byte[] gzip = gzip(TEXT);
    byte[] input = Arrays.copyOf(gzip, gzip.length - 3);

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated gzip data: member 1 ends inside its trailer");
  }

  @Test
  void decompress_gzipTruncatedInHeader_throws() {
    byte[] input = Arrays.copyOf(gzip(TEXT), 6);

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated gzip data: member 1 ends inside its header");
  }

  @Test
  void decompress_gzipSecondMemberTruncated_throwsNamingTheMember() {
    byte[] second = gzip(TEXT);
    byte[] input = concat(gzip(TEXT), Arrays.copyOf(second, second.length - 1));

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated gzip data: member 2 ends inside its trailer");
  }

  @Test
  void decompress_gzipCorruptedCrc_throwsWithBothValues() {
    byte[] input = gzip(TEXT);
    input[input.length - 8] ^= (byte) 0xFF;
    CRC32 crc = new CRC32();
    crc.update(TEXT);

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "gzip member 1 CRC32 mismatch: trailer says 0x"
                + Long.toHexString(crc.getValue() ^ 0xFF)
                + ", data gives 0x"
                + Long.toHexString(crc.getValue()));
  }

  @Test
  void decompress_gzipWrongSizeInTrailer_throwsWithBothValues() {
    byte[] input = gzip(TEXT);
    System.arraycopy(le32(TEXT.length + 1), 0, input, input.length - 4, 4);

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("gzip member 1 size mismatch: trailer says 14001 (mod 2^32), data gives 14000");
  }

  @Test
  void decompress_gzipCorruptedDeflateData_throws() {
    byte[] input = gzip(TEXT);
    input[10] = (byte) 0xFF; // block type 11 is reserved

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("corrupt gzip data in member 1: invalid block type");
  }

  @Test
  void decompress_gzipTrailingGarbage_throwsWithOffsetAndBytes() {
    byte[] gzip = gzip(TEXT);
    byte[] input = concat(gzip, new byte[] {0, 1, 2});

    assertThatThrownBy(() -> decompress(Codec.GZIP, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("trailing garbage after gzip member 1 at offset " + gzip.length + ": 00 01 02");
  }

  @Test
  void decompress_gzipUnknownMethodAndReservedFlags_throw() {
    byte[] method = gzip(TEXT);
    method[2] = 7;
    byte[] flags = gzip(TEXT);
    flags[3] = (byte) 0x20;

    assertThatThrownBy(() -> decompress(Codec.GZIP, method, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("gzip member 1 uses compression method 7, expected 8");
    assertThatThrownBy(() -> decompress(Codec.GZIP, flags, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("gzip member 1 sets reserved flag bits 0x20");
  }

  @Test
  void decompress_gzipLimitExactlyTheOutputSize_passes() {
    assertThat(decompress(Codec.GZIP, gzip(TEXT), TEXT.length)).isEqualTo(TEXT);
  }

  @Test
  void decompress_gzipLimitOneByteBelowTheOutputSize_throwsNamingTheLimit() {
    assertThatThrownBy(() -> decompress(Codec.GZIP, gzip(TEXT), TEXT.length - 1))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 13999 (gzip)");
  }

  @Test
  void decompress_gzipLimitZero_acceptsOnlyEmptyMembers() {
    assertThat(decompress(Codec.GZIP, gzip(new byte[0]), 0)).isEmpty();
    assertThatThrownBy(() -> decompress(Codec.GZIP, gzip(new byte[] {1}), 0))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 0 (gzip)");
  }

  @Test
  void decompress_gzipBombInOneMember_stopsAtTheLimitWithSmallOutput() {
    byte[] bomb = gzipZeros(64 * MIB); // about 64 KiB
    GrowableBytes output = new GrowableBytes();

    assertThatThrownBy(
            () -> Decompression.decompress(Codec.GZIP, bomb, 0, bomb.length, output, MIB))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 1048576 (gzip)");
    assertThat(output.length()).isLessThanOrEqualTo((int) MIB);
    assertThat(output.array().length).isLessThanOrEqualTo((int) MIB);
  }

  @Test
  void decompress_gzipBombOfOneGibInManyMembers_stopsAtTheLimitWithSmallOutput() {
    byte[] member = gzipZeros(MIB); // about 1 KiB
    byte[] bomb = new byte[member.length * 1024]; // 1 GiB of zeros once decompressed
    for (int i = 0; i < 1024; i++) {
      System.arraycopy(member, 0, bomb, i * member.length, member.length);
    }
    GrowableBytes output = new GrowableBytes();
    long limit = 3 * MIB + 1000;

    assertThatThrownBy(
            () -> Decompression.decompress(Codec.GZIP, bomb, 0, bomb.length, output, limit))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 3146728 (gzip)");
    assertThat(output.array().length).isLessThanOrEqualTo((int) limit);
  }

  @Test
  void decompress_negativeLimit_throws() {
    byte[] gzip = gzip(TEXT);

    assertThatThrownBy(
            () ->
                Decompression.decompress(Codec.GZIP, gzip, 0, gzip.length, new GrowableBytes(), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOutputBytes must be in 0..2147483639, got -1");
  }

  // ---- zstd

  @Test
  void decompress_zstd_returnsTheData() {
    assertThat(decompress(Codec.ZSTD, zstd(TEXT), MIB)).isEqualTo(TEXT);
  }

  @Test
  void decompress_zstdFrameWithoutContentSize_returnsTheData() {
    byte[] data = "x".repeat(300_000).getBytes(US_ASCII);

    assertThat(decompress(Codec.ZSTD, zstdRawFrameWithoutContentSize(data), MIB)).isEqualTo(data);
  }

  @Test
  void decompress_zstdMultiFrameWithSkippableFrames_returnsEveryFrame() {
    byte[] first = "first frame;".getBytes(US_ASCII);
    byte[] second = "second frame;".getBytes(US_ASCII);
    byte[] input =
        concat(
            zstdSkippableFrame(new byte[] {1, 2, 3}),
            zstd(first),
            zstdRawFrameWithoutContentSize(second),
            zstdSkippableFrame(new byte[0]),
            zstd(TEXT));

    assertThat(decompress(Codec.ZSTD, input, MIB)).isEqualTo(concat(first, second, TEXT));
  }

  @Test
  void decompress_zstdEmptyInput_throws() {
    assertThatThrownBy(() -> decompress(Codec.ZSTD, new byte[0], MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("empty zstd data: expected at least one frame");
  }

  @Test
  void decompress_zstdNotZstd_throwsWithTheFirstBytes() {
    assertThatThrownBy(() -> decompress(Codec.ZSTD, new byte[] {(byte) 0x92, 1, 2, 3, 4}, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("not zstd data: starts with 92 01 02 03");
  }

  @Test
  void decompress_zstdTruncated_throwsNamingWhere() {
    byte[] zstd = zstd(TEXT);

    assertThatThrownBy(() -> decompress(Codec.ZSTD, Arrays.copyOf(zstd, zstd.length - 1), MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated zstd data: frame 1 ends inside its checksum");
    assertThatThrownBy(() -> decompress(Codec.ZSTD, Arrays.copyOf(zstd, zstd.length / 2), MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated zstd data: frame 1 ends inside its block");
    assertThatThrownBy(() -> decompress(Codec.ZSTD, Arrays.copyOf(zstd, 5), MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("truncated zstd data: frame 1 ends inside its header");
  }

  @Test
  void decompress_zstdTrailingGarbage_throwsWithOffsetAndBytes() {
    byte[] zstd = zstd(TEXT);
    byte[] input = concat(zstd, new byte[] {0, 1});

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("trailing garbage after zstd frame 1 at offset " + zstd.length + ": 00 01");
  }

  @Test
  void decompress_zstdCorruptedChecksum_throws() {
    byte[] input = zstd(TEXT);
    input[input.length - 1] ^= 1;
    int stored =
        ByteBuffer.wrap(input, input.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage(
            "corrupt zstd frame 1: Bad checksum. Expected: "
                + Integer.toHexString(stored)
                + ", actual: "
                + Integer.toHexString(stored ^ 1 << 24));
  }

  @Test
  void decompress_zstdContentSizeDisagreesWithData_throwsWithBothValues() {
    // single segment, one-byte content size 5, one raw last block of 3 bytes
    byte[] input = concat(le32(0xFD2FB528), new byte[] {0x20, 5, 3 << 3 | 1, 0, 0, 'a', 'b', 'c'});

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("zstd frame 1 content size mismatch: header says 5, data gives 3");
  }

  @Test
  void decompress_zstdDictionaryFrame_throws() {
    byte[] input = concat(le32(0xFD2FB528), new byte[] {0x21, 9, 1, 1, 0, 0, 'a'});

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("zstd frame 1 needs a dictionary, which is not supported");
  }

  @Test
  void decompress_zstdLimitExactlyTheOutputSize_passes() {
    assertThat(decompress(Codec.ZSTD, zstd(TEXT), TEXT.length)).isEqualTo(TEXT);
    assertThat(decompress(Codec.ZSTD, zstdRawFrameWithoutContentSize(TEXT), TEXT.length))
        .isEqualTo(TEXT);
  }

  @Test
  void decompress_zstdLimitOneByteBelowDeclaredContentSize_throwsBeforeDecoding() {
    assertThatThrownBy(() -> decompress(Codec.ZSTD, zstd(TEXT), TEXT.length - 1))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage(
            "decompressed size exceeds maxDecompressedBytes 13999"
                + " (zstd frame 1 declares content size 14000)");
  }

  @Test
  void decompress_zstdLimitOneByteBelowUndeclaredSize_throwsWhileDecoding() {
    byte[] input = zstdRawFrameWithoutContentSize(TEXT);

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, TEXT.length - 1))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 13999 (zstd)");
  }

  @Test
  void decompress_zstdBombOfOneGibWithoutContentSize_stopsAtTheLimitWithSmallOutput() {
    // 8192 RLE blocks of 128 KiB: 1 GiB from 32 KiB
    byte[] bomb = zstdRleBomb(0x00, new byte[] {7 << 3}, 8192);
    GrowableBytes output = new GrowableBytes();
    long limit = MIB + 12345;

    assertThatThrownBy(
            () -> Decompression.decompress(Codec.ZSTD, bomb, 0, bomb.length, output, limit))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("decompressed size exceeds maxDecompressedBytes 1060921 (zstd)");
    assertThat(output.length()).isLessThanOrEqualTo((int) limit);
    assertThat(output.array().length).isLessThanOrEqualTo((int) limit);
  }

  @Test
  void decompress_zstdFrameDeclaringOneTibContentSize_throwsBeforeDecoding() {
    byte[] headerRest = concat(new byte[] {7 << 3}, le64(1L << 40));
    byte[] bomb = zstdRleBomb(0xC0, headerRest, 16);

    assertThatThrownBy(() -> decompress(Codec.ZSTD, bomb, MIB))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage(
            "decompressed size exceeds maxDecompressedBytes 1048576"
                + " (zstd frame 1 declares content size 1099511627776)");
  }

  @Test
  void decompress_zstdSingleSegmentFrameOfOneGib_throwsWindowLimit() {
    // single segment: the decoder would have to keep the whole content as its window
    byte[] bomb = zstdRleBomb(0xA0, le32(1 << 30), 16);

    assertThatThrownBy(() -> decompress(Codec.ZSTD, bomb, 1L << 30))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("zstd frame 1 window size 1073741824 exceeds the supported maximum 8388608");
  }

  @Test
  void decompress_zstdFrameWithTwoGibWindow_throwsWindowLimit() {
    byte[] bomb = zstdRleBomb(0x00, new byte[] {(byte) (21 << 3)}, 16);

    assertThatThrownBy(() -> decompress(Codec.ZSTD, bomb, MIB))
        .isInstanceOf(ForwardLimitException.class)
        .hasMessage("zstd frame 1 window size 2147483648 exceeds the supported maximum 8388608");
  }

  @Test
  void decompress_zstdReservedBlockType_throws() {
    byte[] input = concat(le32(0xFD2FB528), new byte[] {0x00, 7 << 3, 3 << 1 | 1, 0, 0});

    assertThatThrownBy(() -> decompress(Codec.ZSTD, input, MIB))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessage("corrupt zstd frame 1: reserved block type 3");
  }
}
