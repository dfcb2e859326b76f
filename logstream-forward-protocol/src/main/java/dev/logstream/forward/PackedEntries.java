package dev.logstream.forward;

import dev.logstream.core.GrowableBytes;

/**
 * Decompresses CompressedPackedForward entries. Until the bomb-safe gzip and zstd codecs land,
 * compressed frames are refused with a clear error rather than half-read.
 */
final class PackedEntries {
  private PackedEntries() {}

  static void decompress(
      String compression, byte[] buf, int offset, int length, GrowableBytes out, int limit) {
    throw new MalformedFrameException(
        "compressed PackedForward ('" + compression + "') is not supported by this build");
  }
}
