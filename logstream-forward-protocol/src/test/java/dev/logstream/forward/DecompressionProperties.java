package dev.logstream.forward;

import static dev.logstream.forward.CompressedData.gzip;
import static dev.logstream.forward.CompressedData.zstd;
import static dev.logstream.forward.CompressedData.zstdRawFrameWithoutContentSize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logstream.core.GrowableBytes;
import dev.logstream.forward.Decompression.Codec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DecompressionProperties {

  /** Random data: incompressible bytes, or text-like runs so both short and long outputs occur. */
  private static byte[] data(int size, long seed, boolean compressible) {
    Random random = new Random(seed);
    byte[] data = new byte[size];
    if (compressible) {
      for (int i = 0; i < size; i++) {
        data[i] = (byte) ('a' + random.nextInt(4));
      }
    } else {
      random.nextBytes(data);
    }
    return data;
  }

  /** Splits the data into up to four pieces, compresses each, concatenates the results. */
  private static byte[] compressInPieces(byte[] data, long seed, Function<byte[], byte[]> codec) {
    Random random = new Random(seed);
    int pieces = 1 + random.nextInt(4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int start = 0;
    for (int i = 1; i <= pieces; i++) {
      int end = i == pieces ? data.length : start + random.nextInt(data.length - start + 1);
      out.writeBytes(codec.apply(Arrays.copyOfRange(data, start, end)));
      start = end;
    }
    return out.toByteArray();
  }

  private static byte[] decompress(Codec codec, byte[] input, long maxOutputBytes) {
    GrowableBytes output = new GrowableBytes(0);
    Decompression.decompress(codec, input, 0, input.length, output, maxOutputBytes);
    assertThat(output.array().length).isLessThanOrEqualTo((int) maxOutputBytes);
    return output.toByteArray();
  }

  @Property(tries = 60)
  void gzip_anyDataInAnyNumberOfMembers_roundTrips(
      @ForAll @IntRange(max = 200_000) int size, @ForAll long seed, @ForAll boolean compressible) {
    byte[] data = data(size, seed, compressible);
    byte[] input = compressInPieces(data, seed, CompressedData::gzip);

    assertThat(decompress(Codec.GZIP, input, data.length)).isEqualTo(data);
  }

  @Property(tries = 60)
  void zstd_anyDataInAnyNumberOfFrames_roundTrips(
      @ForAll @IntRange(max = 200_000) int size, @ForAll long seed, @ForAll boolean compressible) {
    byte[] data = data(size, seed, compressible);
    Function<byte[], byte[]> frame =
        seed % 2 == 0 ? CompressedData::zstd : CompressedData::zstdRawFrameWithoutContentSize;
    byte[] input = compressInPieces(data, seed, frame);

    assertThat(decompress(Codec.ZSTD, input, data.length)).isEqualTo(data);
  }

  @Property(tries = 60)
  void anyCodec_limitBelowTheSize_throwsLimitAndKeepsOutputWithinIt(
      @ForAll @IntRange(min = 1, max = 200_000) int size,
      @ForAll long seed,
      @ForAll boolean useZstd) {
    byte[] data = data(size, seed, true);
    Codec codec = useZstd ? Codec.ZSTD : Codec.GZIP;
    byte[] input = useZstd ? zstdRawFrameWithoutContentSize(data) : gzip(data);
    long limit = new Random(seed).nextInt(size);
    GrowableBytes output = new GrowableBytes(0);

    try {
      Decompression.decompress(codec, input, 0, input.length, output, limit);
      throw new AssertionError("expected the limit " + limit + " to be passed by " + size);
    } catch (ForwardLimitException expected) {
      assertThat(expected)
          .hasMessage(
              "decompressed size exceeds maxDecompressedBytes "
                  + limit
                  + " ("
                  + codec.optionValue()
                  + ")");
    }
    assertThat(output.array().length).isLessThanOrEqualTo((int) limit);
  }

  /**
   * Flipped bytes anywhere in valid data either still decode or fail with this module's exceptions:
   * nothing else (index errors, illegal states, out-of-memory) escapes the decoders.
   */
  @Property(tries = 200)
  void anyCodec_corruptedData_failsOnlyWithForwardProtocolExceptions(
      @ForAll @IntRange(max = 20_000) int size,
      @ForAll long seed,
      @ForAll boolean useZstd,
      @ForAll @IntRange(min = 1, max = 4) int flips) {
    byte[] data = data(size, seed, seed % 3 != 0);
    byte[] input = useZstd ? zstd(data) : gzip(data);
    Random random = new Random(seed);
    for (int i = 0; i < flips; i++) {
      input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
    }

    try {
      decompress(useZstd ? Codec.ZSTD : Codec.GZIP, input, 1 << 20);
    } catch (ForwardProtocolException expected) {
      assertThat(expected)
          .isInstanceOfAny(MalformedFrameException.class, ForwardLimitException.class);
    }
  }
}
