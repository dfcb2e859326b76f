package dev.logstream.forward;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Builds gzip and zstd test inputs, including hand-made frames and bombs. */
final class CompressedData {
  private CompressedData() {}

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** One gzip member of {@code zeroBytes} zeros, compressed from a small reused buffer. */
  static byte[] gzipZeros(long zeroBytes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 20];
    try (GZIPOutputStream out = new GZIPOutputStream(bytes, 1 << 16)) {
      for (long left = zeroBytes; left > 0; left -= zeros.length) {
        out.write(zeros, 0, (int) Math.min(left, zeros.length));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A gzip member with FTEXT, FEXTRA, FNAME, FCOMMENT and a correct FHCRC. */
  static byte[] gzipWithAllHeaderFields(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 1 | 2 | 4 | 8 | 16, 1, 2, 3, 4, 0, 3});
    out.writeBytes(new byte[] {5, 0, 'x', 'y', 'z', 'w', 'v'});
    out.writeBytes(new byte[] {'f', '.', 't', 'x', 't', 0});
    out.writeBytes(new byte[] {'h', 'i', 0});
    CRC32 headerCrc = new CRC32();
    headerCrc.update(out.toByteArray());
    int crc16 = (int) headerCrc.getValue() & 0xFFFF;
    out.writeBytes(new byte[] {(byte) crc16, (byte) (crc16 >>> 8)});
    out.writeBytes(rawDeflate(data));
    CRC32 crc = new CRC32();
    crc.update(data);
    out.writeBytes(le32((int) crc.getValue()));
    out.writeBytes(le32(data.length));
    return out.toByteArray();
  }

  static byte[] rawDeflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  /** A zstd frame from aircompressor's compressor: declares its content size, has a checksum. */
  static byte[] zstd(byte[] data) {
    ZstdCompressor compressor = new ZstdCompressor();
    byte[] out = new byte[compressor.maxCompressedLength(data.length)];
    int length = compressor.compress(data, 0, data.length, out, 0, out.length);
    return Arrays.copyOf(out, length);
  }

  /**
   * A zstd frame without a content size (window 128 KiB) holding {@code data} in raw blocks, the
   * way a streaming compressor that never knew the total writes it.
   */
  static byte[] zstdRawFrameWithoutContentSize(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(le32(0xFD2FB528));
    out.write(0x00); // no content size, not single segment, no checksum, no dictionary
    out.write(7 << 3); // window log 17
    int position = 0;
    do {
      int size = Math.min(data.length - position, 128 * 1024);
      boolean last = position + size == data.length;
      out.writeBytes(le24((size << 3) | (last ? 1 : 0)));
      out.write(data, position, size);
      position += size;
    } while (position < data.length);
    return out.toByteArray();
  }

  /**
   * A zstd bomb: one frame of {@code blocks} RLE blocks of 128 KiB of zeros each, four input bytes
   * per 128 KiB of output. {@code contentSizeHeader} bytes follow the descriptor as declared.
   */
  static byte[] zstdRleBomb(int descriptor, byte[] headerRest, int blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 4 * blocks);
    out.writeBytes(le32(0xFD2FB528));
    out.write(descriptor);
    out.writeBytes(headerRest);
    for (int i = 0; i < blocks; i++) {
      boolean last = i == blocks - 1;
      out.writeBytes(le24((128 * 1024) << 3 | 1 << 1 | (last ? 1 : 0)));
      out.write(0);
    }
    return out.toByteArray();
  }

  static byte[] zstdSkippableFrame(byte[] userData) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(le32(0x184D2A5E));
    out.writeBytes(le32(userData.length));
    out.writeBytes(userData);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static byte[] le32(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }

  static byte[] le64(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  private static byte[] le24(int value) {
    return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16)};
  }
}
